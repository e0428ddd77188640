import { RecordError } from '../core/errors.js';
import { canonicalIp, clip, normalizeUser, obj, parseIsoTime, resolveTenant } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import { failureFromText, failureFromVendorCode, type FailureInfo } from './failure-codes.js';
import { applyNetwork, getPath, looseString, optString, optText, typeName } from './field-path.js';
import type { FormatParser, ParseContext, RawRecord } from './types.js';

export const ecsParser: FormatParser = {
  id: 'ecs',
  name: 'Elastic Common Schema authentication',
  framings: ['json'],
  detect,
  parse,
};

/** event.category / event.type may be a string or an array of strings. */
function includesWord(raw: unknown, word: string): boolean {
  if (typeof raw === 'string') return raw === word;
  return Array.isArray(raw) && raw.slice(0, 20).includes(word);
}

function detect(record: RawRecord): number {
  if (record.framing !== 'json') return 0;
  const r = obj(record.value);
  if (!r) return 0;
  const category = getPath(r, 'event.category');
  if (category === undefined) return 0;
  // Winlogbeat records are ECS too, but the windows parser reads their event_data better
  const winlog = getPath(r, 'winlog.event_id') !== undefined;
  if (!includesWord(category, 'authentication')) return winlog ? 0.2 : 0.3;
  if (winlog) return 0.4;
  return getPath(r, '@timestamp') !== undefined ? 0.8 : 0.6;
}

function parse(record: RawRecord, ctx: ParseContext): AuthEvent[] {
  if (record.framing !== 'json') throw new RecordError('ecs: expected a JSON record');
  const r = obj(record.value);
  if (!r) throw new RecordError('record: expected a JSON object');
  const category = getPath(r, 'event.category');
  if (category !== undefined && typeof category !== 'string' && !Array.isArray(category)) {
    throw new RecordError(`event.category: expected a string or array, got ${typeName(category)}`);
  }
  if (!includesWord(category, 'authentication')) return [];
  if (includesWord(getPath(r, 'event.type'), 'end')) return []; // logoff
  const outcomeRaw = optString(r, 'event.outcome')?.toLowerCase();
  if (outcomeRaw !== 'success' && outcomeRaw !== 'failure') return []; // 'unknown' or absent: no verdict

  const time = parseIsoTime(getPath(r, '@timestamp'), '@timestamp');
  const user = normalizeUser(
    optString(r, 'user.email') ?? optString(r, 'user.name') ?? optString(r, 'user.target.name') ?? optString(r, 'user.target.email'),
  );
  const srcIp = canonicalIp(optString(r, 'source.ip') ?? optString(r, 'source.address'));
  if (user === '' && srcIp === '') return [];

  const code = optText(r, 'event.code');
  const reasonText = optString(r, 'event.reason');
  const action = optString(r, 'event.action');
  let info: FailureInfo | undefined;
  if (outcomeRaw === 'failure') {
    info = failureFromVendorCode(code) ?? failureFromText(reasonText) ?? failureFromText(action) ?? { outcome: 'failure', reason: 'other' };
  }
  const recordTenant = optText(r, 'organization.id') ?? optString(r, 'organization.name') ?? optText(r, 'cloud.account.id');
  const ev: AuthEvent = {
    time,
    tenant: resolveTenant(recordTenant, user, ctx.defaultTenant),
    user,
    srcIp,
    outcome: info?.outcome ?? 'success',
    source: 'ecs',
    ref: clip(optText(r, 'event.id'), 128) ?? `${ctx.file}:${ctx.line}`,
  };
  if (info) {
    ev.reason = info.reason;
    if (info.credentialValid) ev.credentialValid = true;
    if (code) ev.code = clip(code, 64);
  }
  const ua = clip(looseString(r, 'user_agent.original'), 512);
  if (ua) ev.userAgent = ua;
  const app = clip(looseString(r, 'service.name'), 128);
  if (app) ev.app = app;
  const protocol = looseString(r, 'network.protocol');
  if (protocol) ev.protocol = clip(protocol.toLowerCase(), 32);
  applyNetwork(r, ev, {
    asn: 'source.as.number',
    asOrg: 'source.as.organization.name',
    country: 'source.geo.country_iso_code',
    city: 'source.geo.city_name',
    lat: 'source.geo.location.lat',
    lon: 'source.geo.location.lon',
  });
  return [ev];
}
