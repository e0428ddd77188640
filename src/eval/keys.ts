/**
 * One spelling for organizations and accounts on both sides of the score: parsers report a tenant
 * as a domain, tenant GUID, Google customer id, host or NetBIOS name, and an account as
 * `user@domain`, `DOMAIN\user` or a bare login; the ground truth writes `domain|name-as-logged`.
 */
import { canonicalIp, normalizeUser } from '../core/normalize.js';

export interface OrgAliases {
  domain: string;
  tenantAliases: string[];
}

/** alias (lower case) → organization domain */
export function tenantIndex(orgs: readonly OrgAliases[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of orgs) {
    const domain = o.domain.toLowerCase();
    m.set(domain, domain);
    for (const a of o.tenantAliases) m.set(a.toLowerCase(), domain);
  }
  return m;
}

export function orgOf(tenant: string, index: ReadonlyMap<string, string>): string {
  const t = tenant.trim().toLowerCase();
  return index.get(t) ?? t;
}

/** the account name without domain decoration: `a.b@x.example` → `a.b`, `CORP\jdoe` → `jdoe` */
export function accountName(raw: string): string {
  let u = normalizeUser(raw);
  const slash = u.lastIndexOf('\\');
  if (slash >= 0) u = u.slice(slash + 1);
  const at = u.indexOf('@');
  if (at > 0) u = u.slice(0, at);
  return u;
}

/** `domain|account` from a truth entry `domain|name-as-logged`; undefined when malformed */
export function truthUserKey(entry: string): string | undefined {
  const bar = entry.indexOf('|');
  if (bar <= 0) return undefined;
  const name = accountName(entry.slice(bar + 1));
  return name === '' ? undefined : `${entry.slice(0, bar).toLowerCase()}|${name}`;
}

export function alertUserKey(domain: string, user: string): string {
  return `${domain}|${accountName(user)}`;
}

/** canonical address, or the lower-cased text for host names (Windows workstations) */
export function ipKey(raw: string): string {
  return canonicalIp(raw) || raw.trim().toLowerCase();
}
