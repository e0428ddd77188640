import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import type { FailureInfo } from './failure-codes.js';
import { getPath, looseNumber, looseString, optString, optText, typeName } from './field-path.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

/** One activity never holds many events; a hostile record cannot make us loop for long. */
const MAX_EVENTS = 100;
const MAX_PARAMS = 100;

type ParamValue = string | number | boolean | string[];

/** login_failure_type (with or without the "login_failure_" prefix) → meaning. */
const FAILURE_TYPES: ReadonlyMap<string, FailureInfo> = new Map<string, FailureInfo>([
  ['invalid_password', { outcome: 'failure', reason: 'bad_password' }],
  ['account_disabled', { outcome: 'failure', reason: 'disabled' }],
  // second factor asked → the password was right
  ['invalid_second_factor', { outcome: 'mfa', reason: 'mfa_denied', credentialValid: true }],
  ['missing_second_factor', { outcome: 'mfa', reason: 'mfa_required', credentialValid: true }],
  ['access_code_disallowed', { outcome: 'failure', reason: 'blocked' }],
]);

/** account_warning events that say somebody did sign in. */
const SIGNED_IN_WARNINGS = new Set(['suspicious_login', 'suspicious_login_less_secure_app', 'suspicious_programmatic_login']);

export const gwsParser: FormatParser = {
  id: 'gws',
  name: 'Google Workspace login audit',
  framings: ['json'],
  detect,
  parse,
};

function detect(record: RawRecord): number {
  if (record.framing !== 'json') return 0;
  const r = obj(record.value);
  if (!r) return 0;
  const login = getPath(r, 'id.applicationName') === 'login';
  if (getPath(r, 'kind') === 'admin#reports#activity') return login ? 0.98 : 0.6;
  if (login && getPath(r, 'events') !== undefined && getPath(r, 'id.uniqueQualifier') !== undefined) return 0.9;
  return 0;
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  if (record.framing !== 'json') throw new RecordError('gws: expected a JSON record');
  const r = obj(record.value);
  if (!r) throw new RecordError('record: expected a JSON object');
  const app = optString(r, 'id.applicationName');
  if (app !== undefined && app !== 'login') return [];
  const idTime = getPath(r, 'id.time');
  const recordTime = parseIsoTime(idTime, 'id.time');
  const rawEvents = getPath(r, 'events');
  let events: unknown[];
  if (Array.isArray(rawEvents)) events = rawEvents.slice(0, MAX_EVENTS);
  else if (obj(rawEvents)) events = [rawEvents];
  else throw new RecordError(`events: expected an array or object, got ${typeName(rawEvents)}`);

  const actor = optString(r, 'actor.email');
  const srcIp = canonicalIp(optString(r, 'ipAddress'));
  const recordTenant = optText(r, 'id.customerId') ?? optString(r, 'ownerDomain');
  const qualifier = optText(r, 'id.uniqueQualifier');
  const baseRef = typeof idTime === 'string' && qualifier !== undefined ? clip(`${idTime}/${qualifier}`, 128) : `${ctx.file}:${ctx.line}`;
  const asnList = getPath(r, 'networkInfo.ipAsn');
  const asn = Array.isArray(asnList) ? looseNumber({ v: asnList[0] }, 'v') : undefined;
  const region = clip(looseString(r, 'networkInfo.regionCode'), 8);

  const out: AuthEvent[] = [];
  events.forEach((raw, i) => {
    const field = events.length > 1 ? `events[${i}]` : 'events';
    const e = obj(raw);
    if (!e) throw new RecordError(`${field}: expected an object, got ${typeName(raw)}`);
    const type = eventString(e, 'type', field);
    const name = eventString(e, 'name', field);
    if (name === undefined) throw new RecordError(`${field}.name: missing`);
    const params = readParams(e, field);
    const mapped = mapEvent(type, name, params);
    if (!mapped) return;
    const affected = type === 'account_warning' ? paramString(params, 'affected_email_address') : undefined;
    const user = normalizeUser(affected ?? actor);
    if (user === '') return; // nothing to attribute the attempt to
    let time = recordTime;
    const loginTs = params.get('login_timestamp');
    if (type === 'account_warning' && (typeof loginTs === 'number' || typeof loginTs === 'string')) {
      // the warning is written later; login_timestamp (µs) is when the sign-in happened
      time = parseIsoTime(typeof loginTs === 'string' ? Number(loginTs) : loginTs, `${field}.parameters.login_timestamp`);
    }
    const ev: AuthEvent = {
      time,
      tenant: resolveTenant(recordTenant, user, ctx.defaultTenant),
      user,
      srcIp,
      outcome: mapped.info?.outcome ?? 'success',
      source: 'gws',
      ref: events.length > 1 ? `${baseRef}#${i}` : baseRef,
    };
    if (mapped.info) {
      ev.reason = mapped.info.reason;
      if (mapped.info.credentialValid) ev.credentialValid = true;
    }
    if (mapped.code) ev.code = clip(mapped.code, 64);
    const loginType = paramString(params, 'login_type');
    if (loginType && loginType !== 'unknown') ev.protocol = clip(loginType, 32);
    if (loginType === 'exchange' || name === 'suspicious_login_less_secure_app') ev.legacyAuth = true;
    if (mapped.risk) ev.providerRisk = mapped.risk;
    else if (params.get('is_suspicious') === true) ev.providerRisk = 'suspicious';
    if (asn !== undefined && Number.isInteger(asn) && asn > 0) ev.asn = asn;
    if (region) ev.geo = { country: region };
    out.push(ev);
  });
  return out;
}

interface Mapped {
  info?: FailureInfo;
  code?: string;
  risk?: string;
}

/** Meaning of one event; undefined for events that are not sign-in attempts (logout, sensitive actions). */
function mapEvent(type: string | undefined, name: string, params: ReadonlyMap<string, ParamValue>): Mapped | undefined {
  if (type === 'account_warning') {
    if (SIGNED_IN_WARNINGS.has(name)) return { risk: name };
    // a warning is the provider's verdict, not a sign-in attempt: the code keeps detectors from counting it as a guess
    if (name.startsWith('account_disabled')) return { info: { outcome: 'failure', reason: 'disabled' }, code: 'account_warning', risk: name };
    return { info: { outcome: 'failure', reason: 'other' }, code: 'account_warning', risk: name };
  }
  if (type !== undefined && type !== 'login') return undefined;
  switch (name) {
    case 'login_success':
      return {};
    case 'login_failure': {
      const ft = paramString(params, 'login_failure_type');
      const key = ft?.startsWith('login_failure_') ? ft.slice('login_failure_'.length) : ft;
      const info = (key && FAILURE_TYPES.get(key)) || { outcome: 'failure', reason: 'other' };
      return ft ? { info, code: ft } : { info };
    }
    case 'login_challenge':
    case 'login_verification':
      return challenge(params);
    default:
      return undefined;
  }
}

/** A failed challenge after the password is a denied second factor; a failed password challenge is a bad password. */
function challenge(params: ReadonlyMap<string, ParamValue>): Mapped | undefined {
  const status = paramString(params, 'login_challenge_status')?.toLowerCase();
  if (!status?.includes('fail')) return undefined; // passed or unknown: the login_success/failure event tells the rest
  const methods = paramList(params, 'login_challenge_method');
  const passwordOnly = methods.length > 0 && methods.every((m) => m === 'password');
  if (passwordOnly && params.get('is_second_factor') !== true) {
    return { info: { outcome: 'failure', reason: 'bad_password' }, code: 'login_challenge_failed' };
  }
  return { info: { outcome: 'mfa', reason: 'mfa_denied', credentialValid: true }, code: 'login_challenge_failed' };
}

function eventString(e: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = getPath(e, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new RecordError(`${field}.${key}: expected a string, got ${typeName(v)}`);
}

/** parameters[] → name → value, whichever of value/intValue/boolValue/multiValue carries it. */
function readParams(e: Record<string, unknown>, field: string): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  const list = getPath(e, 'parameters');
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new RecordError(`${field}.parameters: expected an array, got ${typeName(list)}`);
  for (const p of list.slice(0, MAX_PARAMS)) {
    const name = looseString(p, 'name');
    if (!name) continue;
    const v = getPath(p, 'value');
    const iv = getPath(p, 'intValue');
    const bv = getPath(p, 'boolValue');
    const mv = getPath(p, 'multiValue');
    if (typeof v === 'string') out.set(name, v);
    else if (typeof iv === 'number' || typeof iv === 'string') out.set(name, iv); // int64 arrive as strings
    else if (typeof bv === 'boolean') out.set(name, bv);
    else if (bv === 'true' || bv === 'false') out.set(name, bv === 'true');
    else if (Array.isArray(mv)) out.set(name, mv.slice(0, 20).filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

function paramString(params: ReadonlyMap<string, ParamValue>, name: string): string | undefined {
  const v = params.get(name);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v[0];
  return undefined;
}

function paramList(params: ReadonlyMap<string, ParamValue>, name: string): string[] {
  const v = params.get(name);
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v : [];
}
