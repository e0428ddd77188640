/**
 * Microsoft Entra ID sign-in logs in every shape users export them (see docs/formats/entra.md):
 * Graph `auditLogs/signIns` objects (also the admin-center JSON download), the diagnostic-settings /
 * Event Hub envelope with `properties`, Log Analytics exports (PascalCase, JSON or CSV) and the
 * admin-center CSV download with human column names. The shape is decided per record.
 */
import type { AuthEvent, Geo } from '../core/types.js';
import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, num, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';
import { clientAppInfo, meaningOfCode, type CodeMeaning } from './entra-codes.js';

/** Field name as compared: trimmed, lower-case, runs of spaces collapsed ("Autonomous system  number"). */
export function normKey(key: string): string {
  // every record of a file repeats the same few dozen names: remember their normal forms
  let k = normKeys.get(key);
  if (k === undefined) {
    k = key.trim().toLowerCase().replace(/\s+/g, ' ');
    if (key.length > 200) return k;
    if (normKeys.size >= 4096) normKeys.clear();
    normKeys.set(key, k);
  }
  return k;
}

const normKeys = new Map<string, string>();

interface Field {
  /** the name as the record spells it, for error messages */
  name: string;
  value: unknown;
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/** Which of a key list's names (by position, in order) fold to each normalized key. */
interface Shape {
  keys: string[];
  slots: Map<string, number[]>;
}

/** Records of one file share their key list: the last one's shape is kept and reused. */
let lastShape: Shape | undefined;

function shapeOf(keys: string[]): Shape {
  const last = lastShape;
  if (last !== undefined && last.keys.length === keys.length) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (last.keys[i] !== keys[i]) {
        same = false;
        break;
      }
    }
    if (same) return last;
  }
  const slots = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i] as string;
    if (name.length > 200) continue;
    const key = normKey(name);
    const list = slots.get(key);
    if (list === undefined) slots.set(key, [i]);
    else list.push(i);
  }
  lastShape = { keys, slots };
  return lastShape;
}

/**
 * Case- and spacing-insensitive read access to one record, merging several layers (an envelope's
 * `properties` before the envelope itself). A Map, so keys like `__proto__` are plain data.
 * One layer (the usual case) is not copied: its key list's shape says where each name is, and
 * values are looked up when asked for — most of a record's fields are never read.
 */
export class FieldView {
  private readonly fields = new Map<string, Field>();
  private readonly src: Record<string, unknown> | undefined;
  private readonly shape: Shape | undefined;

  /** Earlier sources win; empty values do not hide later ones. */
  constructor(...sources: ReadonlyArray<Record<string, unknown> | undefined>) {
    const present = sources.filter((s): s is Record<string, unknown> => s !== undefined && s !== null);
    if (present.length === 1) {
      this.src = present[0] as Record<string, unknown>;
      this.shape = shapeOf(Object.keys(this.src));
      return;
    }
    for (const src of present) {
      for (const name of Object.keys(src)) {
        if (name.length > 200) continue;
        const value = src[name];
        if (!isPresent(value)) continue;
        const key = normKey(name);
        if (!this.fields.has(key)) this.fields.set(key, { name, value });
      }
    }
  }

  /** The field of one normalized key: the first name folding to it whose value is present. */
  private field(key: string): Field | undefined {
    const shape = this.shape;
    if (shape === undefined) return this.fields.get(key);
    const slots = shape.slots.get(key);
    if (slots === undefined) return undefined;
    for (const i of slots) {
      const name = shape.keys[i] as string;
      const value = (this.src as Record<string, unknown>)[name];
      if (isPresent(value)) return { name, value };
    }
    return undefined;
  }

  /** The first of `keys` (already normalized) that holds a value. */
  get(...keys: string[]): Field | undefined {
    for (const k of keys) {
      const f = this.field(k);
      if (f) return f;
    }
    return undefined;
  }

  value(...keys: string[]): unknown {
    return this.get(...keys)?.value;
  }

  /** Trimmed text of the first present key; numbers become text; other types are ignored. */
  str(...keys: string[]): string | undefined {
    for (const k of keys) {
      const v = this.field(k)?.value;
      if (typeof v === 'string') return v.trim();
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.field(key) !== undefined;
  }
}

/** Normalized names of a CSV row's columns, empty cells included (detection looks at the header). */
export function columnsOf(row: Record<string, string>): Set<string> {
  const cols = new Set<string>();
  for (const name of Object.keys(row)) if (name.length <= 200) cols.add(normKey(name));
  return cols;
}

/** Own property of a parsed object (never the prototype chain). */
export function own(o: Record<string, unknown> | undefined, key: string): unknown {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

const MAX_NESTED_JSON = 65536;

/** A nested object, or JSON text of one (Log Analytics CSV cells hold JSON strings). */
export function nested(v: unknown): Record<string, unknown> | undefined {
  const o = obj(v);
  if (o || typeof v !== 'string') return o;
  const s = v.trim();
  if (!s.startsWith('{') || s.length > MAX_NESTED_JSON) return undefined;
  try {
    return obj(JSON.parse(s));
  } catch {
    return undefined;
  }
}

/** An array, or JSON text of one. */
export function nestedList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') return [];
  const s = v.trim();
  if (!s.startsWith('[') || s.length > MAX_NESTED_JSON) return [];
  try {
    const parsed: unknown = JSON.parse(s);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

// "4/28/2021, 2:08:45.221 PM" (Log Analytics / Sentinel export), also without comma, seconds or AM/PM
const US_STAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? {0,3}(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)? {0,3}([AaPp][Mm])?$/;

/**
 * Epoch ms of a Microsoft export timestamp: ISO 8601 (zone-less taken as UTC) or the Log Analytics
 * "M/D/YYYY, h:mm:ss.fff AM/PM" form, which those exports label [UTC]. When the first number
 * cannot be a month (> 12) the stamp is read as D/M/YYYY. Throws RecordError naming `field`.
 */
export function parseMsTime(raw: unknown, field: string): number {
  if (typeof raw === 'string' && raw.length <= 64) {
    const m = US_STAMP.exec(raw.trim());
    if (m) {
      let month = Number(m[1]);
      let day = Number(m[2]);
      if (month > 12 && day <= 12) [month, day] = [day, month];
      let hour = Number(m[4]);
      const minute = Number(m[5]);
      const second = m[6] === undefined ? 0 : Number(m[6]);
      const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
      const ampm = m[8]?.toUpperCase();
      if (ampm !== undefined) {
        if (hour < 1 || hour > 12) throw new RecordError(`${field}: not a timestamp: ${JSON.stringify(raw)}`);
        if (ampm === 'AM' && hour === 12) hour = 0;
        else if (ampm === 'PM' && hour !== 12) hour += 12;
      }
      const year = Number(m[3]);
      const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
      const d = new Date(t);
      // Date.UTC silently rolls 2/31 over to March; refuse instead
      if (hour > 23 || minute > 59 || second > 59 || d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) {
        throw new RecordError(`${field}: not a timestamp: ${JSON.stringify(raw)}`);
      }
      return t;
    }
  }
  return parseIsoTime(raw, field);
}

/** Keys (normalized) under which each shape carries a fact, in order of preference. */
const K = {
  time: ['createddatetime', 'createddatetime [utc]', 'date (utc)', 'date', 'timegenerated', 'timegenerated [utc]', 'time'],
  user: [
    'userprincipalname',
    'username',
    'sign-in identifier',
    'signinidentifier',
    'alternatesigninname',
    'serviceprincipalname',
    'service principal name',
  ],
  ip: ['ipaddress', 'ip address', 'calleripaddress'],
  status: ['status', 'status_dynamic', 'status_string'],
  code: ['resulttype', 'sign-in error code', 'errorcode'],
  text: ['resultdescription', 'failure reason', 'additionaldetails', 'multifactor authentication result'],
  clientApp: ['clientappused', 'client app'],
  authProtocol: ['authenticationprotocol', 'authentication protocol'],
  app: ['appdisplayname', 'application'],
  userAgent: ['useragent', 'user agent'],
  location: ['locationdetails_dynamic', 'locationdetails', 'locationdetails_string', 'location'],
  asn: ['autonomoussystemnumber', 'autonomous system number'],
  riskLevel: ['risklevelduringsignin', 'risk level (sign-in)'],
  riskTypes: ['riskeventtypes_v2', 'riskeventtypes'],
  id: ['id', 'request id'],
  kind: ['category', 'type'],
} as const;

interface EntraRecord {
  view: FieldView;
  /** diagnostic-settings envelope (its `tenantId` is the Entra tenant) */
  envelope: boolean;
}

function recordOf(raw: RawRecord): EntraRecord {
  if (raw.framing === 'csv') return { view: new FieldView(raw.value), envelope: false };
  if (raw.framing !== 'json') throw new RecordError('record: Entra sign-ins are JSON or CSV, not plain text');
  const o = obj(raw.value);
  if (!o) throw new RecordError('record: not a JSON object');
  if (Array.isArray(own(o, 'value')) || isPresent(own(o, '@odata.context'))) {
    throw new RecordError('value: this is a Microsoft Graph response page, not one sign-in; pass the file so its "value" array is split');
  }
  if (Array.isArray(own(o, 'records'))) {
    throw new RecordError('records: this is an Event Hub batch, not one sign-in; pass the file so its "records" array is split');
  }
  const props = obj(own(o, 'properties'));
  if (props) return { view: new FieldView(props, o), envelope: true };
  return { view: new FieldView(o), envelope: false };
}

/** Sign-in categories end in "SignInLogs" (SigninLogs, AADNonInteractiveUserSignInLogs, ADFSSignInLogs...). */
function isSignInKind(kind: string): boolean {
  return kind.toLowerCase().endsWith('signinlogs');
}

function timeOf(view: FieldView): number {
  const f = view.get(...K.time);
  if (!f) throw new RecordError('createdDateTime: missing');
  return parseMsTime(f.value, f.name);
}

function userOf(view: FieldView): string {
  const f = view.get(...K.user);
  if (!f) throw new RecordError('userPrincipalName: missing');
  if (typeof f.value !== 'string') throw new RecordError(`${f.name}: not a string`);
  const user = normalizeUser(f.value);
  if (user === '') throw new RecordError(`${f.name}: empty`);
  return user;
}

/** The organization: Entra tenant id. Log Analytics `TenantId` is the workspace, so it comes last. */
function tenantOf(rec: EntraRecord, user: string, ctx: ParseContext): string {
  const keys = rec.envelope
    ? ['tenantid', 'aadtenantid', 'hometenantid', 'home tenant id']
    : ['aadtenantid', 'hometenantid', 'home tenant id', 'resourcetenantid', 'resource tenant id', 'tenantid'];
  const t = rec.view.str(...keys);
  return resolveTenant(t !== undefined && t.length <= 128 ? t : undefined, user, ctx.defaultTenant);
}

interface Status {
  meaning: CodeMeaning;
  code?: string;
}

function errorCodeOf(f: Field): number {
  const n = num(f.value);
  if (n === undefined || !Number.isInteger(n) || n < 0) throw new RecordError(`${f.name}: not an error code`);
  return n;
}

function statusOf(view: FieldView): Status {
  const statusField = view.get(...K.status);
  const statusObj = statusField ? nested(statusField.value) : undefined;
  // the admin-center CSV "Status" column is a word: Success / Failure / Interrupted
  const word =
    statusField && !statusObj && typeof statusField.value === 'string' ? statusField.value.trim().toLowerCase() : undefined;

  const texts: string[] = [];
  for (const k of ['failureReason', 'additionalDetails']) {
    const t = own(statusObj, k);
    if (typeof t === 'string') texts.push(t.slice(0, 1024));
  }
  for (const k of K.text) {
    const t = view.str(k);
    if (t !== undefined) texts.push(t.slice(0, 1024));
  }
  const text = texts.join(' ');

  let code: number | undefined;
  const objCode = own(statusObj, 'errorCode');
  if (isPresent(objCode)) code = errorCodeOf({ name: `${statusField?.name ?? 'status'}.errorCode`, value: objCode });
  else {
    const f = view.get(...K.code);
    if (f) code = errorCodeOf(f);
  }

  if (code !== undefined) {
    const meaning = meaningOfCode(code, text);
    // an unlisted code the portal itself calls "Interrupted" is a step of a flow, not a failure
    if (word === 'interrupted' && meaning.kind === 'attempt' && meaning.reason === 'other') return { meaning: { kind: 'interrupt' } };
    return { meaning, code: String(code) };
  }
  if (word === 'success' || word === 'succeeded') return { meaning: { kind: 'attempt', outcome: 'success' } };
  if (word === 'failure' || word === 'failed') return { meaning: { kind: 'attempt', outcome: 'failure', reason: 'other' } };
  if (word === 'interrupted') return { meaning: { kind: 'interrupt' } };
  if (word !== undefined) throw new RecordError(`${statusField?.name ?? 'Status'}: unknown value ${JSON.stringify(word.slice(0, 40))}`);
  throw new RecordError('status.errorCode: missing (no status.errorCode, ResultType or Sign-in error code)');
}

const COUNTRY = /^[A-Za-z]{2}$/;

function coordinate(v: unknown, limit: number): number | undefined {
  const n = num(v);
  return n !== undefined && Math.abs(n) <= limit ? n : undefined;
}

function geoOf(view: FieldView): Geo | undefined {
  const f = view.get(...K.location);
  if (!f) return undefined;
  const geo: Geo = {};
  const loc = nested(f.value);
  if (loc) {
    const country = own(loc, 'countryOrRegion');
    if (typeof country === 'string' && COUNTRY.test(country)) geo.country = country.toUpperCase();
    const city = own(loc, 'city');
    if (typeof city === 'string' && city.trim() !== '') geo.city = clip(city.trim(), 128);
    const coords = obj(own(loc, 'geoCoordinates'));
    const lat = coordinate(own(coords, 'latitude'), 90);
    const lon = coordinate(own(coords, 'longitude'), 180);
    // out-of-range pairs (swapped in some exports) and 0,0 placeholders are no position
    if (lat !== undefined && lon !== undefined && !(lat === 0 && lon === 0)) {
      geo.lat = lat;
      geo.lon = lon;
    }
  } else if (typeof f.value === 'string') {
    // admin-center CSV "City, State, CC"; the envelope's bare "FR"
    const parts = f.value.slice(0, 256).split(',').map((p) => p.trim());
    const last = parts[parts.length - 1] ?? '';
    if (COUNTRY.test(last)) geo.country = last.toUpperCase();
    if (parts.length >= 2 && parts[0]) geo.city = clip(parts[0], 128);
  }
  return Object.keys(geo).length > 0 ? geo : undefined;
}

function asnOf(view: FieldView): number | undefined {
  const n = num(view.value(...K.asn));
  return n !== undefined && Number.isInteger(n) && n > 0 && n <= 4294967295 ? n : undefined;
}

const NO_RISK = new Set(['none', 'hidden', 'unknownfuturevalue', 'unknown']);

/** "high (anonymizedIPAddress, unfamiliarFeatures)", "medium", or the detection types alone. */
function providerRiskOf(view: FieldView): string | undefined {
  const rawLevel = view.str(...K.riskLevel)?.toLowerCase();
  const level = rawLevel !== undefined && !NO_RISK.has(rawLevel) ? clip(rawLevel, 32) : undefined;
  const types = nestedList(view.value(...K.riskTypes))
    .filter((t): t is string => typeof t === 'string' && t.trim() !== '' && t !== 'none')
    .slice(0, 10)
    .map((t) => t.trim().slice(0, 64));
  if (level && types.length > 0) return `${level} (${types.join(', ')})`;
  if (level) return level;
  return types.length > 0 ? types.join(', ') : undefined;
}

function parseEntra(raw: RawRecord, ctx: ParseContext): AuthEvent[] {
  const rec = recordOf(raw);
  const { view } = rec;
  const kind = view.str(...K.kind);
  if (kind !== undefined && !isSignInKind(kind)) return [];
  // managed identities are Azure resources fetching tokens: no password anyone could guess
  if (kind !== undefined && kind.toLowerCase().includes('managedidentity')) return [];

  const time = timeOf(view);
  const user = userOf(view);
  const status = statusOf(view);
  if (status.meaning.kind === 'interrupt') return [];
  const { outcome, reason, credentialValid } = status.meaning;

  const event: AuthEvent = {
    time,
    tenant: tenantOf(rec, user, ctx),
    user,
    srcIp: canonicalIp(view.str(...K.ip)),
    outcome,
    source: 'entra',
    ref: clip(view.str(...K.id), 128) || `${ctx.file}:${ctx.line}`,
  };
  if (reason !== undefined) event.reason = reason;
  if (credentialValid) event.credentialValid = true;
  if (status.code !== undefined) event.code = status.code;

  const clientApp = clientAppInfo(view.str(...K.clientApp));
  let protocol = clientApp?.protocol;
  let legacy = clientApp?.legacy;
  // ROPC sends the password itself and cannot do MFA, whatever client app it reports
  if (view.str(...K.authProtocol)?.toLowerCase() === 'ropc') {
    if (!legacy) protocol = 'ropc';
    legacy = true;
  }
  if (protocol !== undefined) event.protocol = protocol;
  if (legacy !== undefined) event.legacyAuth = legacy;

  const app = clip(view.str(...K.app), 128);
  if (app) event.app = app;
  const ua = clip(view.str(...K.userAgent), 512);
  if (ua) event.userAgent = ua;
  const geo = geoOf(view);
  if (geo) event.geo = geo;
  const asn = asnOf(view);
  if (asn !== undefined) event.asn = asn;
  const risk = providerRiskOf(view);
  if (risk) event.providerRisk = risk;
  return [event];
}

function detectJson(value: unknown): number {
  const o = obj(value);
  if (!o) return 0;
  const props = obj(own(o, 'properties'));
  const category = own(o, 'category');
  if (props && typeof category === 'string' && isSignInKind(category)) return 0.95;
  if (props && own(o, 'operationName') === 'Sign-in activity') return 0.9;
  const view = new FieldView(o);
  const hasTime = view.has('createddatetime') || view.has('timegenerated');
  const hasUser = view.has('userprincipalname');
  const type = view.str('type');
  if (type !== undefined && isSignInKind(type) && (hasUser || view.has('resulttype'))) return 0.95;
  if (hasTime && hasUser && (view.has('status') || view.has('resulttype') || view.has('ipaddress'))) return 0.95;
  if (hasUser && view.has('resulttype')) return 0.9;
  const context = own(o, '@odata.context');
  if (typeof context === 'string' && context.toLowerCase().includes('signins')) return 0.6;
  if (hasUser && (view.has('ipaddress') || view.has('appdisplayname'))) return 0.5;
  return 0;
}

function detectCsv(row: Record<string, string>): number {
  const cols = columnsOf(row);
  if (cols.has('sign-in error code') && (cols.has('date (utc)') || cols.has('username') || cols.has('request id'))) return 0.95;
  const hasUser = cols.has('userprincipalname');
  const type = new FieldView(row).str('type');
  if (hasUser && cols.has('resulttype')) return type !== undefined && isSignInKind(type) ? 0.95 : 0.9;
  if (hasUser && (cols.has('createddatetime [utc]') || cols.has('createddatetime'))) return 0.7;
  if (hasUser && cols.has('ipaddress')) return 0.5;
  return 0;
}

export const entraParser: FormatParser = {
  id: 'entra',
  name: 'Microsoft Entra ID sign-ins',
  framings: ['json', 'csv'],
  detect: (record: RawRecord): number =>
    record.framing === 'json' ? detectJson(record.value) : record.framing === 'csv' ? detectCsv(record.value) : 0,
  parse: parseEntra,
};
