import { SEVERITY_RANK, type Alert } from '../../core/types.js';
import type { AlertFilter } from '../../store/types.js';
import type { AsyncVigilStore } from '../../store/async.js';
import { tenantsToQuery, type TenantScope } from './scope.js';

/** store order: severity, then last seen (newest first), then id in byte order */
function storeOrder(a: Alert, b: Alert): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Stored alerts the scope may read. The tenant filter always comes from the scope: a tenant asked
 * for outside it gives nothing; an analyst of several tenants gets one query per tenant, merged in
 * the store's order (each query is limited, so the merge never holds more than tenants × limit).
 */
export async function listVisibleAlerts(store: AsyncVigilStore, scope: TenantScope, filter: AlertFilter): Promise<Alert[]> {
  const tenants = tenantsToQuery(scope, filter.tenant);
  if (tenants === undefined) return store.listAlerts({ ...filter, tenant: undefined });
  const out: Alert[] = [];
  for (const tenant of tenants) out.push(...(await store.listAlerts({ ...filter, tenant })));
  out.sort(storeOrder);
  return filter.limit === undefined ? out : out.slice(0, filter.limit);
}
