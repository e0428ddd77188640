/** Which routes an alert takes. */
import { SEVERITY_RANK, type Alert } from '../core/types.js';
import type { Route, RouteMatch } from './types.js';

export function matches(m: RouteMatch, a: Alert): boolean {
  if (m.minSeverity !== undefined && (SEVERITY_RANK[a.severity] ?? 0) < SEVERITY_RANK[m.minSeverity]) return false;
  if (m.kinds !== undefined && !m.kinds.includes(a.kind)) return false;
  if (m.tenants !== undefined && !m.tenants.includes(a.tenant)) return false;
  return true;
}

export function routesFor(routes: readonly Route[], a: Alert): Route[] {
  return routes.filter((r) => matches(r.match, a));
}
