import ipaddr from 'ipaddr.js';
import { RecordError } from './errors.js';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Canonical text form of an IP address: dotted IPv4, RFC 5952 compressed IPv6, IPv4-mapped IPv6
 * reduced to IPv4. Accepts "[v6]:port", "v4:port", zone ids. Returns '' for absent or
 * placeholder values ('-', 'unknown', '') and for anything that is not an address.
 */
export function canonicalIp(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  let s = raw.trim();
  if (s === '' || s === '-' || s.length > 64) return '';
  const m4 = IPV4.exec(s);
  if (m4) {
    for (let i = 1; i <= 4; i++) if (Number(m4[i]) > 255) return '';
    // drop leading zeros ("010.1.1.1" is not octal here)
    return `${Number(m4[1])}.${Number(m4[2])}.${Number(m4[3])}.${Number(m4[4])}`;
  }
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return '';
    s = s.slice(1, end);
  } else if (s.includes(':') && s.indexOf(':') === s.lastIndexOf(':') && s.includes('.')) {
    // "1.2.3.4:5678"
    s = s.slice(0, s.indexOf(':'));
    return IPV4.test(s) ? canonicalIp(s) : '';
  }
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!ipaddr.IPv6.isValid(s)) return '';
  try {
    const a = ipaddr.IPv6.parse(s);
    if (a.isIPv4MappedAddress()) return a.toIPv4Address().toString();
    return a.toRFC5952String();
  } catch {
    return '';
  }
}

/** Lower-case, trimmed login name; '' when absent. Control characters are removed. */
export function normalizeUser(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  return raw.trim().replace(/[\u0000-\u001f\u007f]/g, '').toLowerCase().slice(0, 512);
}

/** The domain part of an email-like login name, or ''. */
export function userDomain(user: string): string {
  const at = user.lastIndexOf('@');
  return at > 0 && at < user.length - 1 ? user.slice(at + 1) : '';
}

/**
 * Organization of an event: the record's own tenant when it has one, else --tenant, else the
 * account's domain, else 'default'.
 */
export function resolveTenant(recordTenant: unknown, user: string, defaultTenant?: string): string {
  if (typeof recordTenant === 'string' && recordTenant.trim() !== '') return recordTenant.trim().toLowerCase();
  if (defaultTenant) return defaultTenant;
  return userDomain(user) || 'default';
}

/**
 * Parse an ISO 8601 / RFC 3339 timestamp to epoch ms. A stamp without a zone is taken as UTC
 * (O365 CreationTime has none). Throws RecordError naming the field when it is not a time.
 */
export function parseIsoTime(raw: unknown, field: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    // seconds vs ms vs µs by magnitude
    if (raw > 1e17) return Math.floor(raw / 1000);
    if (raw > 1e14) return Math.floor(raw / 1000);
    if (raw > 1e11) return Math.floor(raw);
    if (raw > 1e8) return Math.floor(raw * 1000);
  }
  if (typeof raw !== 'string' || raw.length < 10 || raw.length > 64) {
    throw new RecordError(`${field}: not a timestamp`);
  }
  let s = raw.trim();
  // "2021-12-02 14:54:21.232643" → ISO with T; bare stamps are UTC
  if (s.length > 10 && s[10] === ' ') s = `${s.slice(0, 10)}T${s.slice(11)}`;
  if (!/[zZ]$|[+-]\d\d:?\d\d$/.test(s) && s.includes('T')) s += 'Z';
  // JS Date handles at most ms precision; trim longer fractions
  s = s.replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new RecordError(`${field}: not a timestamp: ${JSON.stringify(raw.slice(0, 40))}`);
  return t;
}

/** Field access on unknown JSON without trusting its shape. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Clip a free-text field so one hostile record cannot bloat state or output. */
export function clip(v: string | undefined, max = 256): string | undefined {
  if (v === undefined) return undefined;
  return v.length > max ? v.slice(0, max) : v;
}
