import type { Alert } from '../../core/types.js';
import type { Campaign } from '../../correlate/types.js';
import { mayRead, type TenantScope } from './scope.js';

const IP_SAMPLE = 20;
const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
const sum = (xs: readonly number[]): number => xs.reduce((n, x) => n + x, 0);

/**
 * A campaign as the scope may see it, or undefined when none of its alerts is the scope's.
 *
 * Campaigns are computed over every tenant's alerts (that is how one actor attacking many
 * organizations shows up), so an analyst's view is cut down to its own tenants: their accounts,
 * alerts, links and source addresses, plus counts of the rest ("also seen at 7 other
 * organizations"). Other tenants' names, accounts, alert ids and the addresses only they saw are
 * never in it; campaign-wide aggregates (severity, kinds, time span, number of addresses, networks,
 * attribution) are.
 */
export function campaignView(c: Campaign, alertsById: ReadonlyMap<string, Alert>, scope: TenantScope): Record<string, unknown> | undefined {
  const mine = c.alertIds.map((id) => alertsById.get(id)).filter((a): a is Alert => a !== undefined && mayRead(scope, a.tenant));
  if (mine.length === 0) return undefined;
  const ownIds = new Set(mine.map((a) => a.id));
  const tenants = c.tenants.filter((t) => mayRead(scope, t));
  const usersByTenant: Record<string, string[]> = {};
  for (const t of tenants) usersByTenant[t] = c.usersByTenant[t] ?? [];
  const ownIps = [...new Set(mine.flatMap((a) => a.sourceIps))].sort();
  const otherOrgs = c.tenants.length - tenants.length;
  const view: Record<string, unknown> = {
    id: c.id,
    name: c.name,
    kinds: c.kinds,
    techniques: c.techniques,
    severity: c.severity,
    firstSeen: iso(c.firstSeen),
    lastSeen: iso(c.lastSeen),
    tenants,
    usersByTenant,
    userCount: scope.all ? c.userCount : new Set(mine.flatMap((a) => a.users.map((u) => `${a.tenant}\u0000${u}`))).size,
    sourceIps: { count: c.sourceIps.count, sample: scope.all ? c.sourceIps.sample : ownIps.slice(0, IP_SAMPLE) },
    asns: c.asns,
    userAgents: c.userAgents,
    anonymizerShare: c.anonymizerShare,
    alertIds: c.alertIds.filter((id) => ownIds.has(id)),
    attempts: sum(mine.map((a) => a.evidence.attempts)),
    successes: sum(mine.map((a) => a.evidence.successes)),
    // a link's reason names both tenants: only links between the scope's own alerts are shown
    links: c.links.filter((l) => ownIds.has(l.from) && ownIds.has(l.to)),
    elsewhere: {
      organizations: otherOrgs,
      alerts: c.alertIds.length - mine.length,
      summary: otherOrgs === 0 ? 'seen at no other organization' : `also seen at ${otherOrgs} other organization${otherOrgs === 1 ? '' : 's'}`,
    },
  };
  if (c.actor) view['actor'] = c.actor;
  return view;
}
