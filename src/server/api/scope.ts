import type { Principal } from '../tokens.js';

/**
 * Which tenants a principal may read. Every query of the API takes its tenant filter from here,
 * never from the request alone: an admin sees all tenants, anyone else only the tenants its token
 * is bound to.
 */
export type TenantScope = { all: true } | { all: false; tenants: ReadonlySet<string> };

export function scopeOf(p: Principal): TenantScope {
  return p.role === 'admin' ? { all: true } : { all: false, tenants: new Set(p.tenants) };
}

export function mayRead(scope: TenantScope, tenant: string): boolean {
  return scope.all || scope.tenants.has(tenant);
}

/**
 * The tenants a list query must cover: `undefined` = every tenant (admin without a filter);
 * `[]` = none (a filter naming a tenant outside the scope: an empty list, not an error, so the
 * answer tells nothing about whether that tenant exists).
 */
export function tenantsToQuery(scope: TenantScope, wanted: string | undefined): string[] | undefined {
  if (wanted !== undefined) return mayRead(scope, wanted) ? [wanted] : [];
  return scope.all ? undefined : [...scope.tenants].sort();
}
