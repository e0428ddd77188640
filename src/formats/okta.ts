import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import { failureFromText, type FailureInfo } from './failure-codes.js';
import { applyNetwork, getPath, looseString, optString, optText } from './field-path.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

/** Primary and secondary sign-in steps whose outcome.result decides success or failure. */
const RESULT_TYPES = new Set([
  'user.session.start',
  'user.authentication.sso',
  'user.authentication.auth_via_mfa',
  'user.authentication.verify',
]);

/** Event types whose meaning is fixed whatever outcome.result says. */
const FIXED: ReadonlyMap<string, FailureInfo> = new Map<string, FailureInfo>([
  ['user.account.lock', { outcome: 'failure', reason: 'locked' }],
  ['user.account.lock.limit', { outcome: 'failure', reason: 'locked' }],
  // a push goes out only after the password was accepted
  ['system.push.send_factor_verify_push', { outcome: 'mfa', reason: 'mfa_required', credentialValid: true }],
  ['user.mfa.okta_verify.deny_push', { outcome: 'mfa', reason: 'mfa_denied', credentialValid: true }],
  ['user.mfa.okta_verify.deny_push_upgrade_needed', { outcome: 'mfa', reason: 'mfa_denied', credentialValid: true }],
  ['security.threat.detected', { outcome: 'failure', reason: 'blocked' }],
  ['security.request.blocked', { outcome: 'failure', reason: 'blocked' }],
]);

const THREAT_TYPES: ReadonlyMap<string, string> = new Map([
  ['security.threat.detected', 'threat_detected'],
  ['security.request.blocked', 'request_blocked'],
]);

export const oktaParser: FormatParser = {
  id: 'okta',
  name: 'Okta System Log',
  framings: ['json'],
  detect,
  parse,
};

function detect(record: RawRecord): number {
  if (record.framing !== 'json') return 0;
  const r = obj(record.value);
  if (!r) return 0;
  if (typeof getPath(r, 'eventType') !== 'string' || typeof getPath(r, 'published') !== 'string') return 0;
  let score = 0.6;
  if (obj(getPath(r, 'actor'))) score += 0.1;
  if (obj(getPath(r, 'outcome'))) score += 0.1;
  if (typeof getPath(r, 'uuid') === 'string') score += 0.1;
  if (getPath(r, 'legacyEventType') !== undefined || obj(getPath(r, 'client'))) score += 0.05;
  return Math.min(score, 0.97);
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  if (record.framing !== 'json') throw new RecordError('okta: expected a JSON record');
  const r = obj(record.value);
  if (!r) throw new RecordError('record: expected a JSON object');
  const eventType = optString(r, 'eventType');
  if (eventType === undefined) throw new RecordError('eventType: missing');
  const fixed = FIXED.get(eventType);
  if (!fixed && !RESULT_TYPES.has(eventType)) return [];

  const time = parseIsoTime(getPath(r, 'published'), 'published');
  const alternateId = optString(r, 'actor.alternateId');
  const actorId = optText(r, 'actor.id');
  const unknownActor = actorId?.toLowerCase() === 'unknown';
  const user = alternateId?.toLowerCase() === 'unknown' ? '' : normalizeUser(alternateId);
  const reasonText = optString(r, 'outcome.reason');

  let info: FailureInfo | undefined;
  if (fixed) {
    info = fixed;
  } else {
    const result = optString(r, 'outcome.result');
    if (result === undefined) throw new RecordError('outcome.result: missing');
    const verdict = classifyResult(result.toUpperCase());
    if (verdict === 'skip') return [];
    if (verdict === 'failure') info = failureFor(r, eventType, reasonText, result.toUpperCase() === 'DENY');
  }
  if (info && unknownActor && info.outcome === 'failure' && (info.reason === 'bad_password' || info.reason === 'other')) {
    info = { outcome: 'failure', reason: 'unknown_user' };
  }

  const srcIp = canonicalIp(optString(r, 'client.ipAddress'));
  const ev: AuthEvent = {
    time,
    tenant: resolveTenant(undefined, user, ctx.defaultTenant),
    user,
    srcIp,
    outcome: info ? info.outcome : 'success',
    source: 'okta',
    ref: clip(looseString(r, 'uuid'), 128) ?? `${ctx.file}:${ctx.line}`,
  };
  if (info) {
    ev.reason = info.reason;
    if (info.credentialValid) ev.credentialValid = true;
  }
  const code = clip(reasonText, 64);
  if (code && info) ev.code = code;
  const ua = clip(looseString(r, 'client.userAgent.rawUserAgent'), 512);
  if (ua) ev.userAgent = ua;
  applyNetwork(r, ev, {
    asn: 'securityContext.asNumber',
    asOrg: 'securityContext.asOrg',
    country: 'client.geographicalContext.country',
    city: 'client.geographicalContext.city',
    lat: 'client.geographicalContext.geolocation.lat',
    lon: 'client.geographicalContext.geolocation.lon',
    countryMax: 64,
  });
  if (getPath(r, 'securityContext.isProxy') === true) ev.anonymizer = 'proxy';
  const risk = THREAT_TYPES.get(eventType) ?? riskOf(r);
  if (risk) ev.providerRisk = risk;
  const app = appOf(r);
  if (app) ev.app = app;
  return [ev];
}

function classifyResult(result: string): 'success' | 'failure' | 'skip' {
  if (result === 'SUCCESS' || result === 'ALLOW') return 'success';
  if (result === 'FAILURE' || result === 'DENY') return 'failure';
  return 'skip'; // CHALLENGE, SKIPPED, UNKNOWN: no verdict on the credential yet
}

/** Failure meaning of a sign-in step, from the step and outcome.reason. */
function failureFor(r: Record<string, unknown>, eventType: string, reasonText: string | undefined, deny: boolean): FailureInfo {
  const reason = reasonText?.trim().toUpperCase();
  if (reason === 'LOCKED_OUT') return { outcome: 'failure', reason: 'locked' };
  // the classic engine asks for the factor only after the password succeeded
  if (eventType === 'user.authentication.auth_via_mfa') return { outcome: 'mfa', reason: 'mfa_denied', credentialValid: true };
  if (eventType === 'user.authentication.verify' && isFactorStep(r)) {
    // Identity Engine: the factor may be the first step (passwordless), so the password is not proven
    return { outcome: 'mfa', reason: 'mfa_denied' };
  }
  if (reason === 'INVALID_CREDENTIALS' || reason === 'VERIFICATION_ERROR') return { outcome: 'failure', reason: 'bad_password' };
  const fromText = failureFromText(reasonText);
  if (fromText) return fromText;
  return { outcome: 'failure', reason: deny ? 'blocked' : 'other' };
}

function isFactorStep(r: Record<string, unknown>): boolean {
  const cred = looseString(r, 'authenticationContext.credentialType');
  return cred !== undefined && cred.toUpperCase() !== 'PASSWORD';
}

/** ThreatInsight flag, else the behaviour-risk level Okta writes as "{..., level=HIGH}". */
function riskOf(r: Record<string, unknown>): string | undefined {
  if (looseString(r, 'debugContext.debugData.threatSuspected')?.toLowerCase() === 'true') return 'threat_suspected';
  const risk = looseString(r, 'debugContext.debugData.risk');
  if (!risk) return undefined;
  const at = risk.slice(0, 1000).indexOf('level=');
  if (at < 0) return undefined;
  let level = '';
  for (let i = at + 6; i < risk.length && level.length < 10; i++) {
    const ch = risk[i] ?? '';
    if (!/[A-Za-z]/.test(ch)) break;
    level += ch;
  }
  level = level.toLowerCase();
  return level === 'medium' || level === 'high' ? `risk_${level}` : undefined;
}

/** The application signed into (SSO events name it in target[] as an AppInstance). */
function appOf(r: Record<string, unknown>): string | undefined {
  const targets = getPath(r, 'target');
  if (!Array.isArray(targets)) return undefined;
  for (const t of targets.slice(0, 20)) {
    if (looseString(t, 'type') === 'AppInstance') return clip(looseString(t, 'displayName'), 128);
  }
  return undefined;
}
