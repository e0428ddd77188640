import type { Hono } from 'hono';
import type { SourceStatus } from '../../sources/types.js';
import { requireRole } from '../auth.js';
import type { ApiContext, ApiEnv } from './types.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());

function sourceJson(s: SourceStatus, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name, kind: s.kind, recordsIn: s.recordsIn, rejected: s.rejected };
  if (s.lastSuccessAt !== undefined) out['lastSuccessAt'] = iso(s.lastSuccessAt);
  if (s.newestEventAt !== undefined) {
    out['newestEventAt'] = iso(s.newestEventAt);
    out['lagSeconds'] = Math.max(0, Math.round((now - s.newestEventAt) / 1000));
  }
  if (s.lastError !== undefined) out['lastError'] = s.lastError.slice(0, 500);
  if (s.lastErrorAt !== undefined) out['lastErrorAt'] = iso(s.lastErrorAt);
  return out;
}

/**
 * GET /v1/sources   admin: status of each configured source. Admin only: source names and errors
 * name tenants (okta:contoso.com), and a source is not bound to one tenant's token.
 */
export function sourceRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  app.get('/v1/sources', requireRole('admin'), (c) => {
    const now = ctx.now();
    return c.json({ sources: (ctx.sources?.() ?? []).map((s) => sourceJson(s, now)) });
  });
}
