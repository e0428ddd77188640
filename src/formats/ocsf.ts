import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import { failureFromText, failureFromVendorCode, type FailureInfo } from './failure-codes.js';
import { applyNetwork, getPath, looseNumber, looseString, optNumber, optString, optText } from './field-path.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

const AUTHENTICATION = 3002;
/** activity_id that are not sign-in attempts: 2 Logoff, 4 Service Ticket Request, 5 Service Ticket Renew */
const NOT_SIGN_IN = new Set([2, 4, 5]);

/** auth_protocol_id → protocol name (OCSF 1.x enum). */
const PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [1, 'ntlm'],
  [2, 'kerberos'],
  [3, 'digest'],
  [4, 'openid'],
  [5, 'saml'],
  [6, 'oauth2'],
  [7, 'pap'],
  [8, 'chap'],
  [9, 'eap'],
  [10, 'radius'],
  [11, 'basic'],
  [12, 'ldap'],
]);
const BASIC = 11;

export const ocsfParser: FormatParser = {
  id: 'ocsf',
  name: 'OCSF Authentication (3002)',
  framings: ['json'],
  detect,
  parse,
};

function detect(record: RawRecord): number {
  if (record.framing !== 'json') return 0;
  const r = obj(record.value);
  if (!r) return 0;
  const classUid = looseNumber(r, 'class_uid');
  if (classUid === AUTHENTICATION) return obj(getPath(r, 'metadata')) ? 0.97 : 0.9;
  // another OCSF class: ours, but nothing to read
  if (classUid !== undefined && looseNumber(r, 'category_uid') !== undefined && obj(getPath(r, 'metadata'))) return 0.5;
  return 0;
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  if (record.framing !== 'json') throw new RecordError('ocsf: expected a JSON record');
  const r = obj(record.value);
  if (!r) throw new RecordError('record: expected a JSON object');
  const classUid = optNumber(r, 'class_uid');
  if (classUid === undefined) throw new RecordError('class_uid: missing');
  if (classUid !== AUTHENTICATION) return [];
  const activity = optNumber(r, 'activity_id');
  if (activity !== undefined && NOT_SIGN_IN.has(activity)) return [];

  const statusId = optNumber(r, 'status_id');
  const statusName = optString(r, 'status')?.toLowerCase();
  const success = statusId === 1 || (statusId === undefined && statusName === 'success');
  const failure = statusId === 2 || (statusId === undefined && statusName === 'failure');
  if (!success && !failure) return []; // 0 Unknown, 99 Other: no verdict

  const rawTime = getPath(r, 'time') ?? getPath(r, 'time_dt');
  const time = parseIsoTime(rawTime, 'time');
  const user = normalizeUser(optString(r, 'user.name') ?? optString(r, 'user.email_addr') ?? optText(r, 'user.uid'));
  const srcIp = canonicalIp(optString(r, 'src_endpoint.ip'));
  if (user === '' && srcIp === '') return [];

  const code = optText(r, 'status_code');
  let info: FailureInfo | undefined;
  if (failure) {
    info = failureFromVendorCode(code) ?? failureFromText(optString(r, 'status_detail')) ?? { outcome: 'failure', reason: 'other' };
  }
  const recordTenant = optText(r, 'metadata.tenant_uid') ?? optText(r, 'cloud.account.uid');
  const ev: AuthEvent = {
    time,
    tenant: resolveTenant(recordTenant, user, ctx.defaultTenant),
    user,
    srcIp,
    outcome: info?.outcome ?? 'success',
    source: 'ocsf',
    ref: clip(optText(r, 'metadata.uid'), 128) ?? `${ctx.file}:${ctx.line}`,
  };
  if (info) {
    ev.reason = info.reason;
    if (info.credentialValid) ev.credentialValid = true;
    if (code) ev.code = clip(code, 64);
  }
  const protoId = looseNumber(r, 'auth_protocol_id');
  const protocol = protoId !== undefined ? PROTOCOLS.get(protoId) : undefined;
  if (protocol) ev.protocol = protocol;
  if (protoId === BASIC) ev.legacyAuth = true;
  const ua = clip(looseString(r, 'http_request.user_agent'), 512);
  if (ua) ev.userAgent = ua;
  const app = clip(looseString(r, 'service.name'), 128);
  if (app) ev.app = app;
  applyNetwork(r, ev, {
    asn: 'src_endpoint.autonomous_system.number',
    asOrg: 'src_endpoint.autonomous_system.name',
    country: 'src_endpoint.location.country',
    city: 'src_endpoint.location.city',
    lat: 'src_endpoint.location.lat',
    lon: 'src_endpoint.location.long',
  });
  return [ev];
}
