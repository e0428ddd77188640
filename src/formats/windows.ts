import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import { formatStatus, kerberosFailure, ntStatusFailure, parseHexStatus, type FailureInfo } from './failure-codes.js';
import { getPath, optString, optText, typeName } from './field-path.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

const HANDLED = new Set([4624, 4625, 4768, 4771, 4776]);
/** Events written by the domain controller: no TargetDomainName, so the DC's DNS domain stands in. */
const DC_EVENTS = new Set([4768, 4771, 4776]);

const LOGON_TYPES: ReadonlyMap<string, string> = new Map([
  ['2', 'interactive'],
  ['3', 'network'],
  ['4', 'batch'],
  ['5', 'service'],
  ['7', 'unlock'],
  ['8', 'network_cleartext'],
  ['9', 'new_credentials'],
  ['10', 'rdp'],
  ['11', 'cached_interactive'],
]);

/** Built-in principals that log on all day and are never a person's password. */
const SYSTEM_DOMAINS = new Set(['nt authority', 'window manager', 'font driver host', 'virtual users', 'nt service']);
const SYSTEM_SIDS = new Set(['S-1-5-7', 'S-1-5-18', 'S-1-5-19', 'S-1-5-20']);

/** The three JSON shapes normalized to one read-only view. */
interface WinView {
  eventId: unknown;
  time: unknown;
  timeField: string;
  computer?: string;
  recordId?: string;
  provider?: string;
  data(name: string): unknown;
}

export const windowsParser: FormatParser = {
  id: 'windows',
  name: 'Windows Security 4624/4625/4768/4771/4776',
  framings: ['json'],
  detect,
  parse,
};

function detect(record: RawRecord): number {
  if (record.framing !== 'json') return 0;
  const r = obj(record.value);
  if (!r) return 0;
  const v = viewOf(r);
  if (!v || eventIdOf(v.eventId) === undefined) return 0;
  const provider = v.provider?.toLowerCase() ?? '';
  if (provider.includes('security-auditing')) return 0.95;
  if (provider === 'openssh') return 0.5; // Windows OpenSSH text payloads: the sshd parser reads those better
  return v.computer !== undefined ? 0.85 : 0.6;
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  if (record.framing !== 'json') throw new RecordError('windows: expected a JSON record');
  const r = obj(record.value);
  if (!r) throw new RecordError('record: expected a JSON object');
  const v = viewOf(r);
  if (!v) throw new RecordError('EventID: missing');
  const eventId = eventIdOf(v.eventId);
  if (eventId === undefined) throw new RecordError(`EventID: expected a number, got ${typeName(v.eventId)}`);
  if (!HANDLED.has(eventId)) return [];
  const provider = v.provider?.toLowerCase();
  if (provider !== undefined && provider !== '' && !provider.includes('security-auditing')) return [];

  const time = parseWinTime(v.time, v.timeField);
  const name = dataString(v, 'TargetUserName')?.trim();
  if (!name || name === '-' || name.endsWith('$')) return []; // no account, or a machine account
  let domain = cleanDomain(dataString(v, 'TargetDomainName'));
  if (domain && SYSTEM_DOMAINS.has(domain)) return [];
  const sid = dataString(v, 'TargetUserSid') ?? dataString(v, 'TargetSid');
  if (sid && SYSTEM_SIDS.has(sid.toUpperCase())) return [];
  if (!domain && DC_EVENTS.has(eventId)) domain = kerberosRealm(dataString(v, 'ServiceName')) ?? dnsSuffix(v.computer);

  const verdict = outcomeOf(eventId, v);
  if (verdict === 'skip') return [];
  const user = composeUser(name, domain);
  if (user === '') return [];
  const ev: AuthEvent = {
    time,
    tenant: resolveTenant(domain, user, ctx.defaultTenant),
    user,
    srcIp: canonicalIp(dataString(v, 'IpAddress') ?? optString(r, 'source.ip')),
    outcome: verdict.info?.outcome ?? 'success',
    source: 'windows',
    ref: v.computer && v.recordId ? clip(`${v.computer}/${v.recordId}`, 160) : `${ctx.file}:${ctx.line}`,
  };
  if (verdict.info) {
    ev.reason = verdict.info.reason;
    if (verdict.info.credentialValid) ev.credentialValid = true;
  }
  if (verdict.code) ev.code = verdict.code;
  if (ev.srcIp === '') {
    const host = (dataString(v, 'WorkstationName') ?? dataString(v, 'Workstation'))?.trim().toLowerCase();
    if (host && host !== '-') ev.srcHost = clip(host.replace(/^\\+/, ''), 128);
  }
  const protocol = protocolOf(eventId, v);
  if (protocol) ev.protocol = protocol;
  return [ev];
}

interface Verdict {
  info?: FailureInfo;
  code?: string;
}

function outcomeOf(eventId: number, v: WinView): Verdict | 'skip' {
  switch (eventId) {
    case 4624:
      return {};
    case 4625: {
      const status = statusOf(v, 'Status');
      const sub = statusOf(v, 'SubStatus');
      // 0xC000006D ("bad user name or password") and 0xC000006E ("account restriction") are
      // umbrellas; SubStatus says which
      const umbrella = status === 0xc000006d || status === 0xc000006e;
      const code = umbrella && sub !== undefined && sub !== 0 ? sub : status;
      if (code === undefined) return { info: { outcome: 'failure', reason: 'other' } };
      return { info: ntStatusFailure(code), code: formatStatus(code) };
    }
    case 4776: {
      const status = requiredStatus(v);
      return status === 0 ? {} : { info: ntStatusFailure(status), code: formatStatus(status) };
    }
    case 4768:
    case 4771: {
      const status = eventId === 4768 ? requiredStatus(v) : statusOf(v, 'Status');
      if (status === 0 && eventId === 4768) return {};
      if (status === undefined) return { info: { outcome: 'failure', reason: 'other' } };
      if (status === 0x19) return 'skip'; // "pre-authentication required": the normal first round trip
      return { info: kerberosFailure(status), code: formatStatus(status) };
    }
    default:
      return 'skip';
  }
}

function requiredStatus(v: WinView): number {
  const s = statusOf(v, 'Status');
  if (s === undefined) throw new RecordError('Status: missing');
  return s;
}

function statusOf(v: WinView, field: string): number | undefined {
  const raw = v.data(field);
  if (raw === undefined || raw === null || raw === '' || raw === '-') return undefined;
  const n = parseHexStatus(raw);
  if (n === undefined) {
    const shown = typeof raw === 'string' || typeof raw === 'number' ? JSON.stringify(String(raw).slice(0, 20)) : `a ${typeName(raw)}`;
    throw new RecordError(`${field}: not a status code: ${shown}`);
  }
  return n;
}

function protocolOf(eventId: number, v: WinView): string | undefined {
  if (eventId === 4768 || eventId === 4771) return 'kerberos';
  if (eventId === 4776) return 'ntlm';
  const lt = v.data('LogonType');
  return typeof lt === 'string' || typeof lt === 'number' ? LOGON_TYPES.get(String(lt).trim()) : undefined;
}

/**
 * user@domain, lower-cased. DOMAIN\user and a NetBIOS domain become user@domain too, so a name is
 * always the same string whichever event carried it; a UPN (already holding '@') is kept as is.
 */
function composeUser(name: string, domain: string | undefined): string {
  const slash = name.indexOf('\\');
  if (slash > 0) return composeUser(name.slice(slash + 1), cleanDomain(name.slice(0, slash)));
  if (name.includes('@') || !domain) return normalizeUser(name);
  return normalizeUser(`${name}@${domain}`);
}

function cleanDomain(d: string | undefined): string | undefined {
  const s = d?.trim().toLowerCase();
  // '.' names the local machine, not a domain: the account then belongs to the computer's organization
  return s && s !== '-' && s !== '.' && s.length <= 255 ? s : undefined;
}

/** "krbtgt/OFFSEC.LAN" → "offsec.lan" */
function kerberosRealm(service: string | undefined): string | undefined {
  if (!service) return undefined;
  const slash = service.indexOf('/');
  return slash > 0 && service.slice(0, slash).toLowerCase() === 'krbtgt' ? cleanDomain(service.slice(slash + 1)) : undefined;
}

/** "rootdc1.offsec.lan" → "offsec.lan" */
function dnsSuffix(computer: string | undefined): string | undefined {
  const dot = computer?.indexOf('.') ?? -1;
  return computer && dot > 0 && dot < computer.length - 1 ? cleanDomain(computer.slice(dot + 1)) : undefined;
}

function dataString(v: WinView, name: string): string | undefined {
  const raw = v.data(name);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  throw new RecordError(`${name}: expected a string, got ${typeName(raw)}`);
}

function eventIdOf(raw: unknown): number | undefined {
  const inner = obj(raw) ? getPath(raw, '#text') : raw; // evtx_dump: {"#text": 4625, "#attributes": {...}}
  if (typeof inner === 'number' && Number.isInteger(inner)) return inner;
  if (typeof inner === 'string' && /^\d{1,5}$/.test(inner.trim())) return Number(inner.trim());
  return undefined;
}

/** PowerShell's ConvertTo-Json writes "/Date(1603355395210)/"; everything else is ISO-like text. */
function parseWinTime(raw: unknown, field: string): number {
  if (typeof raw === 'string' && raw.startsWith('/Date(')) {
    const end = raw.indexOf(')');
    const ms = end > 6 && end < 30 ? Number(raw.slice(6, end)) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return parseIsoTime(raw, field);
}

function viewOf(r: Record<string, unknown>): WinView | undefined {
  const winlogId = getPath(r, 'winlog.event_id');
  if (winlogId !== undefined) {
    return {
      eventId: winlogId,
      time: getPath(r, '@timestamp'),
      timeField: '@timestamp',
      computer: optString(r, 'winlog.computer_name') ?? optString(r, 'host.name'),
      recordId: optText(r, 'winlog.record_id'),
      provider: optString(r, 'winlog.provider_name'),
      data: (name) => getPath(r, `winlog.event_data.${name}`),
    };
  }
  const sys = obj(getPath(r, 'Event.System'));
  if (sys) {
    const data = eventDataOf(getPath(r, 'Event.EventData'));
    const time = getPath(sys, 'TimeCreated.#attributes.SystemTime') ?? getPath(sys, 'TimeCreated.@SystemTime') ?? getPath(sys, 'TimeCreated.SystemTime');
    return {
      eventId: getPath(sys, 'EventID'),
      time,
      timeField: 'Event.System.TimeCreated.SystemTime',
      computer: optString(sys, 'Computer'),
      recordId: optText(sys, 'EventRecordID'),
      provider: optString(sys, 'Provider.#attributes.Name') ?? optString(sys, 'Provider.@Name'),
      data: (name) => data.get(name),
    };
  }
  if (!Object.hasOwn(r, 'EventID')) return undefined;
  const timeField = Object.hasOwn(r, 'TimeCreated') ? 'TimeCreated' : '@timestamp';
  const provider = getPath(r, 'Provider') ?? getPath(r, 'SourceName');
  return {
    eventId: r['EventID'],
    time: getPath(r, timeField),
    timeField,
    computer: optString(r, 'Computer') ?? optString(r, 'Hostname'),
    recordId: optText(r, 'EventRecordID') ?? optText(r, 'RecordNumber'),
    provider: typeof provider === 'string' ? provider : undefined,
    data: (name) => (Object.hasOwn(r, name) ? r[name] : undefined),
  };
}

/** Event.EventData as an object of named values, or as Data: [{"@Name"|"Name", "#text"}] (xmltodict style). */
function eventDataOf(raw: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const o = obj(raw);
  if (!o) return out;
  const list = getPath(o, 'Data');
  if (Array.isArray(list)) {
    for (const d of list.slice(0, 200)) {
      const name = getPath(d, '@Name') ?? getPath(d, 'Name') ?? getPath(d, '#attributes.Name');
      if (typeof name === 'string') out.set(name, getPath(d, '#text') ?? null);
    }
    return out;
  }
  for (const [k, val] of Object.entries(o)) out.set(k, val);
  return out;
}
