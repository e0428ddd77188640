import type { Hono } from 'hono';
import type { AlertKind, Severity } from '../../core/types.js';
import { ALERT_KINDS, SEVERITIES, alertToJson } from '../../export/jsonl.js';
import { canonicalAddress } from '../../intel/matcher.js';
import type { AlertFilter } from '../../store/types.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../body.js';
import { idParam, limitParam, oneOf, param, tenantParam, timeParam } from './query.js';
import { scopeOf } from './scope.js';
import type { ApiContext, ApiEnv } from './types.js';
import { listVisibleAlerts } from './visible-alerts.js';

/**
 * GET /v1/alerts       analyst/admin: the stored alerts of the caller's tenants, filtered
 * GET /v1/alerts/:id   one of them; another tenant's alert is 404, exactly like an unknown id
 */
export function alertRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  app.get('/v1/alerts', requireRole('analyst', 'admin'), async (c) => {
    const filter: AlertFilter = { limit: limitParam(c, ctx.limits.maxListLimit) };
    const kind: AlertKind | undefined = oneOf(c, 'kind', ALERT_KINDS);
    const minSeverity: Severity | undefined = oneOf(c, 'minSeverity', SEVERITIES);
    const user = param(c, 'user');
    const ip = param(c, 'ip');
    const since = timeParam(c, 'since');
    const tenant = tenantParam(c);
    if (kind !== undefined) filter.kind = kind;
    if (minSeverity !== undefined) filter.minSeverity = minSeverity;
    if (user !== undefined) filter.user = user.toLowerCase();
    if (ip !== undefined) {
      const canonical = canonicalAddress(ip);
      if (canonical === '') throw new HttpError(400, 'ip: an IPv4 or IPv6 address');
      filter.ip = canonical;
    }
    if (since !== undefined) filter.since = since;
    if (tenant !== undefined) filter.tenant = tenant;
    const alerts = await listVisibleAlerts(ctx.store, scopeOf(c.get('principal')), filter);
    return c.json({ alerts: alerts.map(alertToJson), count: alerts.length, limit: filter.limit });
  });

  app.get('/v1/alerts/:id', requireRole('analyst', 'admin'), async (c) => {
    const id = idParam(c);
    const [alert] = await listVisibleAlerts(ctx.store, scopeOf(c.get('principal')), { id, limit: 1 });
    if (!alert) throw new HttpError(404, 'not found');
    return c.json(alertToJson(alert));
  });
}
