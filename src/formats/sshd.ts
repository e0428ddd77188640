import { RecordError } from '../core/errors.js';
import { clip, normalizeUser, obj, parseIsoTime, str } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import { ConnTracker } from './sshd-conn.js';
import { classifySshdMessage, type Attempt } from './sshd-message.js';
import { findTagWithBadStamp, parseSyslogLine, type Stamp } from './syslog-line.js';
import { syslogTimeToUtc, wallToUtc } from './syslog-time.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

/**
 * OpenSSH server logs: syslog text lines (auth.log, secure, RFC 3164/5424, rsyslog ISO, journalctl
 * short formats) and two JSON carriers of the same message text: journald export
 * (`journalctl -o json`) and Windows OpenSSH events converted from EVTX. See docs/formats/sshd.md.
 */
export const sshdParser: FormatParser = {
  id: 'sshd',
  name: 'OpenSSH auth.log / syslog / journald',
  framings: ['text', 'json'],
  detect,
  parse,
  finish,
};

const SSHD_PROGRAMS = new Set(['sshd', 'sshd-session', 'sshd-auth', 'sshd(pam_unix)']);

function isSshdProgram(p: string): boolean {
  return SSHD_PROGRAMS.has(p);
}

/** One sshd message with what the carrier says about it. */
interface Carried {
  msg: string;
  time: number;
  host: string;
  pid: string;
}

function detect(record: RawRecord): number {
  try {
    if (record.framing === 'text') {
      const line = record.value;
      if (typeof line !== 'string') return 0;
      const head = line.length > 2048 ? line.slice(0, 2048) : line;
      const h = parseSyslogLine(head);
      if (h === undefined) return 0;
      // a syslog line of another program (CRON, sudo) is probably an auth.log too
      return isSshdProgram(h.program) ? 0.95 : 0.4;
    }
    if (record.framing === 'json') {
      const r = obj(record.value);
      if (r === undefined) return 0;
      if (r['__REALTIME_TIMESTAMP'] !== undefined && r['MESSAGE'] !== undefined) {
        return isSshdProgram(str(r['SYSLOG_IDENTIFIER']) ?? str(r['_COMM']) ?? '') ? 0.9 : 0.4;
      }
      if (r['Provider'] === 'OpenSSH' && typeof r['payload'] === 'string') return 0.9;
    }
    return 0;
  } catch {
    return 0;
  }
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  const carried = record.framing === 'text' ? fromText(record.value, ctx) : record.framing === 'json' ? fromJson(record.value) : undefined;
  if (carried === undefined) return [];
  return handleMessage(carried, ctx);
}

function finish(ctx: ParseContext): AuthEvent[] {
  const out: AuthEvent[] = [];
  tracker(ctx).drain(out);
  return out;
}

const TRACKER_KEY = 'sshdConnections';

function tracker(ctx: ParseContext): ConnTracker {
  const t = ctx.state[TRACKER_KEY];
  if (t instanceof ConnTracker) return t;
  const fresh = new ConnTracker();
  ctx.state[TRACKER_KEY] = fresh;
  return fresh;
}

function fromText(line: unknown, ctx: ParseContext): Carried | undefined {
  if (typeof line !== 'string') throw new RecordError('line: expected text');
  // cheap marker first: most lines of a busy auth.log are CRON/sudo/systemd
  if (line.indexOf('sshd') < 0) return undefined;
  const h = parseSyslogLine(line) ?? findTagWithBadStamp(line, isSshdProgram);
  if (h === undefined || !isSshdProgram(h.program)) return undefined;
  return { msg: h.msg, time: stampToMs(h.stamp, ctx), host: h.host, pid: h.pid };
}

/** Epoch ms of a line's stamp; RecordError("timestamp: ...") when it is not a time. */
function stampToMs(stamp: Stamp, ctx: ParseContext): number {
  switch (stamp.kind) {
    case 'wall':
      return syslogTimeToUtc(stamp.wall, ctx);
    case 'iso':
      return isoToMs(stamp.text, ctx);
    case 'bad':
      throw new RecordError(`timestamp: not a syslog time: ${JSON.stringify(stamp.text.slice(0, 40))}`);
  }
}

/** ISO stamp; one without a zone is local time in ctx.timeZone (rsyslog without %z). */
function isoToMs(text: string, ctx: ParseContext): number {
  const tz = ctx.timeZone ?? 'UTC';
  const hasZone = text.endsWith('Z') || text.endsWith('z') || text.indexOf('+', 10) > 0 || text.indexOf('-', 10) > 0;
  if (hasZone || tz === 'UTC' || text.length < 19) {
    const fast = fastIsoMs(text);
    return Number.isNaN(fast) ? parseIsoTime(text, 'timestamp') : fast;
  }
  const n = (a: number, b: number): number => Number(text.slice(a, b));
  const [y, mo, d, h, mi, s] = [n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)];
  const frac = text[19] === '.' ? Math.floor(Number(`0${text.slice(19, 23)}`) * 1000) : 0;
  if (![y, mo, d, h, mi, s, frac].every(Number.isFinite) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    throw new RecordError(`timestamp: not a timestamp: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return wallToUtc(y, mo - 1, d, h, mi, Math.min(s, 59), frac, tz);
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The minute last converted by fastIsoMs: "YYYY-MM-DDTHH:MM", its zone text, and its epoch ms. */
let lastMinute = '';
let lastZone = '';
let lastMinuteMs = 0;

/**
 * parseIsoTime for the one shape rsyslog writes on every line, "YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)",
 * without its regexes and Date.parse: the minute (with its zone) is converted by parseIsoTime once
 * and reused while lines stay in it; seconds and milliseconds are added by hand. NaN for any other
 * shape or a second of 60, which then take the general path (same result, same errors).
 */
function fastIsoMs(t: string): number {
  const n = t.length;
  if (n < 20 || n > 40 || t.charCodeAt(16) !== 58 /* : */ || !isDigitAt(t, 17) || !isDigitAt(t, 18)) return NaN;
  const sec = (t.charCodeAt(17) - 48) * 10 + (t.charCodeAt(18) - 48);
  if (sec > 59) return NaN;
  let i = 19;
  let ms = 0;
  if (t.charCodeAt(i) === 46 /* . */) {
    i++;
    const start = i;
    while (i < n && isDigitAt(t, i)) {
      // like parseIsoTime: only the first three digits count, the rest are cut off
      if (i - start < 3) ms += (t.charCodeAt(i) - 48) * (i - start === 0 ? 100 : i - start === 1 ? 10 : 1);
      i++;
    }
    if (i === start) return NaN;
  }
  const zoneLen = n - i;
  if (!(zoneLen === 1 && (t.charCodeAt(i) === 90 || t.charCodeAt(i) === 122)) && !(zoneLen === 6 && isZoneOffset(t, i))) return NaN;
  if (!t.startsWith(lastMinute, 0) || lastMinute.length !== 16 || !t.endsWith(lastZone) || lastZone.length !== zoneLen) {
    if (!isStrictMinute(t)) return NaN;
    const minute = t.slice(0, 16);
    const zone = t.slice(i);
    let base: number;
    try {
      base = parseIsoTime(`${minute}:00${zone}`, 'timestamp');
    } catch {
      return NaN;
    }
    lastMinute = minute;
    lastZone = zone;
    lastMinuteMs = base;
  }
  return lastMinuteMs + sec * 1000 + ms;
}

/** "YYYY-MM-DDTHH:MM" at the start, so only the ISO reader of Date.parse ever sees it */
function isStrictMinute(t: string): boolean {
  for (let i = 0; i < 16; i++) {
    const c = t.charCodeAt(i);
    const want = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 ? 58 : -1;
    if (want < 0 ? c < 48 || c > 57 : c !== want) return false;
  }
  // Date.parse takes "24:00:00" as the next midnight but refuses "24:00:30": leave hour 24 to it
  return t.charCodeAt(11) < 50 || (t.charCodeAt(11) === 50 && t.charCodeAt(12) < 52);
}

/** "+HH:MM" or "-HH:MM" at t[i..] */
function isZoneOffset(t: string, i: number): boolean {
  const c = t.charCodeAt(i);
  return (
    (c === 43 || c === 45) && isDigitAt(t, i + 1) && isDigitAt(t, i + 2) && t.charCodeAt(i + 3) === 58 && isDigitAt(t, i + 4) && isDigitAt(t, i + 5)
  );
}

const MAX_MESSAGE_BYTES = 65_536;

/** journald MESSAGE is a string, or an array of bytes when it is not valid UTF-8. */
function journalMessage(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length <= MAX_MESSAGE_BYTES && v.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) {
    return Buffer.from(v as number[]).toString('utf8');
  }
  return undefined;
}

function fromJson(value: unknown): Carried | undefined {
  const r = obj(value);
  if (r === undefined) throw new RecordError('record: expected a JSON object');
  if (r['Provider'] === 'OpenSSH' || r['Channel'] === 'OpenSSH/Operational') {
    const msg = r['payload'];
    if (typeof msg !== 'string') return undefined; // other OpenSSH events carry no sshd text
    return {
      msg,
      time: parseIsoTime(r['TimeCreated'], 'TimeCreated'), // UTC without a zone suffix
      host: str(r['Computer']) ?? '',
      pid: str(r['ProcessID']) ?? '',
    };
  }
  const ident = str(r['SYSLOG_IDENTIFIER']) ?? str(r['_COMM']);
  if (ident === undefined || !isSshdProgram(ident)) return undefined;
  const msg = journalMessage(r['MESSAGE']);
  if (msg === undefined) throw new RecordError('MESSAGE: expected a string or byte array');
  const field = r['_SOURCE_REALTIME_TIMESTAMP'] !== undefined ? '_SOURCE_REALTIME_TIMESTAMP' : '__REALTIME_TIMESTAMP';
  const us = str(r[field]);
  if (us === undefined || !/^\d{1,17}$/.test(us)) throw new RecordError(`${field}: expected microseconds since the epoch`);
  return {
    msg,
    time: Math.floor(Number(us) / 1000),
    host: str(r['_HOSTNAME']) ?? '',
    pid: str(r['_PID']) ?? str(r['SYSLOG_PID']) ?? '',
  };
}

function handleMessage(c: Carried, ctx: ParseContext): AuthEvent[] {
  const { attempt, repeat } = classifySshdMessage(c.msg);
  const out: AuthEvent[] = [];
  const t = tracker(ctx);
  if (attempt === undefined) {
    t.touch(c.host, c.pid, c.time, c.msg.startsWith('pam_') || c.msg.startsWith('(pam_'), out);
    return out;
  }
  t.handle(attempt.kind, c.host, c.pid, toEvent(attempt, c, ctx), repeat, out);
  return out;
}

function toEvent(a: Attempt, c: Carried, ctx: ParseContext): AuthEvent {
  const host = clip(c.host.trim().toLowerCase(), 256) ?? '';
  const ev: AuthEvent = {
    time: c.time,
    tenant: ctx.defaultTenant ?? (host !== '' ? host : 'default'),
    user: normalizeUser(a.user),
    srcIp: a.srcIp,
    outcome: a.outcome,
    protocol: 'ssh',
    source: 'sshd',
    ref: `${ctx.file}:${ctx.line}`,
  };
  if (a.reason !== undefined) ev.reason = a.reason;
  if (a.code !== undefined) ev.code = a.code;
  if (a.app !== undefined) ev.app = clip(a.app, 64);
  return ev;
}
