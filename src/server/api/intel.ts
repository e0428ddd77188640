import type { Hono } from 'hono';
import { VigilError } from '../../core/errors.js';
import { parseIntelText } from '../../intel/index.js';
import type { StoredIndicator } from '../../store/types.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../body.js';
import type { AuditLog } from './audit-log.js';
import { bodyText } from './body.js';
import { idParam, limitParam, offsetParam, param } from './query.js';
import type { ApiContext, ApiEnv } from './types.js';

/** the name an upload is stored under: re-uploading the same name replaces its indicators */
const FEED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const iso = (ms: number | undefined): string | undefined => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());

function indicatorJson(i: StoredIndicator): Record<string, unknown> {
  const out: Record<string, unknown> = { id: i.id, file: i.file, kind: i.kind, value: i.value, source: i.source, actors: i.actors, addedAt: iso(i.addedAt) };
  if (i.validFrom !== undefined) out['validFrom'] = iso(i.validFrom);
  if (i.validUntil !== undefined) out['validUntil'] = iso(i.validUntil);
  if (i.ref !== undefined) out['ref'] = i.ref;
  return out;
}

/**
 * Threat-intelligence indicators: shared by all tenants (they describe attackers, not customers).
 * GET    /v1/intel            analyst/admin: the stored indicators (?file=, ?limit=, ?offset=)
 * POST   /v1/intel?name=N     admin: a STIX 2.1 bundle, MISP event JSON or CSV list as the body;
 *                             replaces the indicators stored under N; audit logged
 * DELETE /v1/intel/:ref       admin: the indicators of a name, or one indicator by id; audit logged
 */
export function intelRoutes(app: Hono<ApiEnv>, ctx: ApiContext, audit: AuditLog): void {
  app.get('/v1/intel', requireRole('analyst', 'admin'), async (c) => {
    const limit = limitParam(c, ctx.limits.maxListLimit);
    const offset = offsetParam(c);
    const file = param(c, 'file');
    const all = (await ctx.store.listIntel()).filter((i) => file === undefined || i.file === file);
    return c.json({ indicators: all.slice(offset, offset + limit).map(indicatorJson), total: all.length, offset, limit });
  });

  app.post('/v1/intel', requireRole('admin'), async (c) => {
    const name = param(c, 'name');
    if (name === undefined || !FEED_NAME.test(name)) throw new HttpError(400, 'name: 1-100 letters, digits, ".", "_", "-" (the feed or file name)');
    const text = await bodyText(c, ctx.limits.maxBodyBytes);
    let parsed: ReturnType<typeof parseIntelText>;
    try {
      parsed = parseIntelText(text, name);
    } catch (err) {
      if (err instanceof VigilError) throw new HttpError(400, `body: ${err.message.slice(0, 300)}`);
      throw err;
    }
    if (parsed.indicators.length === 0) {
      throw new HttpError(422, `body: no usable indicator in it (${parsed.skipped} skipped${parsed.problems[0] ? `; ${parsed.problems[0].slice(0, 200)}` : ''})`);
    }
    const stored = await ctx.store.replaceIntel(name, parsed.indicators, ctx.now());
    audit.record({ tokenId: c.get('principal').tokenId, action: 'intel.add', tenant: null, target: name, detail: { stored, skipped: parsed.skipped } });
    return c.json({ name, stored, skipped: parsed.skipped, problems: parsed.problems.slice(0, 20) }, 201);
  });

  app.delete('/v1/intel/:ref', requireRole('admin'), async (c) => {
    const ref = idParam(c, 'ref');
    const removed = await ctx.store.removeIntel(ref);
    if (removed === 0) throw new HttpError(404, 'not found');
    audit.record({ tokenId: c.get('principal').tokenId, action: 'intel.remove', tenant: null, target: ref, detail: { removed } });
    return c.json({ removed });
  });
}
