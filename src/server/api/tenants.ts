import type { Hono } from 'hono';
import type { Alert, Severity } from '../../core/types.js';
import { requireRole } from '../auth.js';
import { mayRead, scopeOf } from './scope.js';
import type { ApiContext, ApiEnv } from './types.js';

type SeverityCounts = Record<Severity, number>;

const noAlerts = (): SeverityCounts => ({ low: 0, medium: 0, high: 0, critical: 0 });

/**
 * GET /v1/tenants   analyst/admin: the tenants the caller may see (an admin: every tenant a token,
 * the journal or the alert store knows), each with its alert counts by severity and journal stats.
 */
export function tenantRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  app.get('/v1/tenants', requireRole('analyst', 'admin'), async (c) => {
    const principal = c.get('principal');
    const scope = scopeOf(principal);
    const counts = new Map<string, SeverityCounts>();
    const count = (alerts: readonly Alert[]): void => {
      for (const a of alerts) {
        let s = counts.get(a.tenant);
        if (!s) counts.set(a.tenant, (s = noAlerts()));
        s[a.severity]++;
      }
    };
    let names: string[];
    if (scope.all) {
      count(await ctx.store.listAlerts());
      const journalTenants = ctx.db.prepare('SELECT tenant FROM journal_tenants').all() as Array<{ tenant: string }>;
      names = [...new Set([...ctx.tokens.knownTenants(), ...journalTenants.map((r) => r.tenant), ...counts.keys()])];
    } else {
      names = principal.tenants.filter((t) => mayRead(scope, t));
      for (const tenant of names) count(await ctx.store.listAlerts({ tenant }));
    }
    names.sort();
    const tenants = names.map((tenant) => {
      const bySeverity = counts.get(tenant) ?? noAlerts();
      const total = bySeverity.low + bySeverity.medium + bySeverity.high + bySeverity.critical;
      return { tenant, alerts: { total, bySeverity }, journal: ctx.journal.tenantStats(tenant) };
    });
    return c.json({ tenants });
  });
}
