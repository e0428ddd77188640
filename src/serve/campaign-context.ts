import { attribute } from '../attribute/attribute.js';
import { loadCatalog, type ActorCatalog } from '../attribute/catalog.js';
import type { Alert } from '../core/types.js';
import { correlate } from '../correlate/correlate.js';
import { IndicatorMatcher } from '../intel/index.js';
import type { AsyncVigilStore } from '../store/async.js';

const DAY = 86_400_000;
/** how far back (alert last-seen, event time) the stored alerts a new one may join go */
const LOOKBACK_MS = 30 * DAY;
/** the most stored alerts read for one annotation */
const MAX_CONTEXT = 20_000;

/**
 * Campaign and actor for alerts about to be notified: the admins' message says "part of campaign
 * X, attributed to Y" as `vigil campaigns` would. Correlates the new alerts with the stored ones of
 * the last 30 days (every tenant: one actor attacking many organizations is one campaign) and
 * attributes with the catalog and stored indicators. Returns copies: the stored alerts stay as the
 * engine made them, so a replay after a crash stores exactly the same.
 */
export function campaignAnnotator(store: AsyncVigilStore, catalog: ActorCatalog = loadCatalog()): (alerts: readonly Alert[]) => Promise<Alert[]> {
  return async (alerts) => {
    if (alerts.length === 0) return [];
    const newest = Math.max(...alerts.map((a) => a.lastSeen));
    const stored = await store.listAlerts({ since: newest - LOOKBACK_MS, limit: MAX_CONTEXT });
    const byId = new Map(stored.map((a) => [a.id, a]));
    for (const a of alerts) byId.set(a.id, a);
    const indicators = await store.listIntel();
    const result = attribute(correlate([...byId.values()]), {
      catalog,
      ...(indicators.length > 0 ? { indicators: new IndicatorMatcher(indicators) } : {}),
    });
    const annotated = new Map(result.alerts.map((a) => [a.id, a]));
    return alerts.map((a) => {
      const x = annotated.get(a.id);
      const copy: Alert = { ...a };
      if (x?.campaignId !== undefined) copy.campaignId = x.campaignId;
      if (x?.actor !== undefined) copy.actor = x.actor;
      return copy;
    });
  };
}
