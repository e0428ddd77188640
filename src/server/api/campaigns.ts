import type { Hono } from 'hono';
import type { Alert } from '../../core/types.js';
import { SEVERITY_RANK } from '../../core/types.js';
import { correlate, type CorrelateResult } from '../../correlate/correlate.js';
import { attribute } from '../../attribute/attribute.js';
import { SEVERITIES } from '../../export/jsonl.js';
import { IndicatorMatcher } from '../../intel/matcher.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../body.js';
import { campaignView } from './campaign-view.js';
import { idParam, limitParam, oneOf, timeParam } from './query.js';
import { scopeOf } from './scope.js';
import type { ApiContext, ApiEnv } from './types.js';

interface Computed extends CorrelateResult {
  alertsById: Map<string, Alert>;
  /** false when the alert cap cut the input: older, less severe alerts were left out */
  complete: boolean;
}

/**
 * Campaigns as `vigil campaigns` builds them (correlate, then attribute with the stored
 * indicators), over the stored alerts of every tenant: one actor attacking many organizations is
 * one campaign. What each caller sees of it is cut down by campaignView.
 */
async function computeCampaigns(ctx: ApiContext, since: number | undefined): Promise<Computed> {
  const max = ctx.limits.maxCampaignAlerts;
  const alerts = await ctx.store.listAlerts(since === undefined ? { limit: max } : { since, limit: max });
  const indicators = await ctx.store.listIntel();
  // addresses' networks and anonymizer kinds are not stored with alerts: correlation uses addresses only
  const result = attribute(correlate(alerts), {
    catalog: ctx.catalog(),
    ...(indicators.length > 0 ? { indicators: new IndicatorMatcher(indicators) } : {}),
  });
  return { ...result, alertsById: new Map(result.alerts.map((a) => [a.id, a])), complete: alerts.length < max };
}

/**
 * GET /v1/campaigns       analyst/admin: campaigns touching the caller's tenants, newest first
 * GET /v1/campaigns/:id   one; a campaign without any of the caller's alerts is 404
 */
export function campaignRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  app.get('/v1/campaigns', requireRole('analyst', 'admin'), async (c) => {
    const limit = limitParam(c, ctx.limits.maxListLimit);
    const since = timeParam(c, 'since');
    const minSeverity = oneOf(c, 'minSeverity', SEVERITIES);
    const scope = scopeOf(c.get('principal'));
    const computed = await computeCampaigns(ctx, since);
    const visible = computed.campaigns
      .filter((k) => minSeverity === undefined || SEVERITY_RANK[k.severity] >= SEVERITY_RANK[minSeverity])
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1))
      .flatMap((k) => {
        const v = campaignView(k, computed.alertsById, scope);
        return v ? [v] : [];
      });
    return c.json({ campaigns: visible.slice(0, limit), count: Math.min(visible.length, limit), total: visible.length, complete: computed.complete });
  });

  app.get('/v1/campaigns/:id', requireRole('analyst', 'admin'), async (c) => {
    const id = idParam(c);
    const computed = await computeCampaigns(ctx, undefined);
    const campaign = computed.campaigns.find((k) => k.id === id);
    const view = campaign && campaignView(campaign, computed.alertsById, scopeOf(c.get('principal')));
    if (!view) throw new HttpError(404, 'not found');
    return c.json(view);
  });
}
