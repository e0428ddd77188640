import type { Hono } from 'hono';
import { requireRole } from '../auth.js';
import type { AuditLog } from './audit-log.js';
import { limitParam, param, timeParam } from './query.js';
import type { ApiContext, ApiEnv } from './types.js';

/** GET /v1/audit   admin: administrative actions, newest first (?action=, ?since=, ?limit=) */
export function auditRoutes(app: Hono<ApiEnv>, ctx: ApiContext, audit: AuditLog): void {
  app.get('/v1/audit', requireRole('admin'), (c) => {
    const limit = limitParam(c, ctx.limits.maxListLimit);
    const action = param(c, 'action');
    const since = timeParam(c, 'since');
    const entries = audit.list({ limit, ...(action !== undefined ? { action } : {}), ...(since !== undefined ? { since } : {}) });
    return c.json({ entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })), count: entries.length, limit });
  });
}
