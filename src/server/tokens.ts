import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import type { ServerDb } from './db.js';

/**
 * - `ingest`: POST /v1/ingest for its one tenant
 * - `analyst`: reads alerts, campaigns and tenants of the tenants it is bound to
 * - `admin`: everything, every tenant
 * - `metrics`: GET /metrics only (a Prometheus scraper holds no right to read alerts)
 */
export const ROLES = ['ingest', 'analyst', 'admin', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

/** Who a valid token speaks for. */
export interface Principal {
  tokenId: string;
  /** the primary tenant (ingested records are stored under it) */
  tenant: string;
  /** every tenant the token is bound to, the primary first; an admin sees all tenants regardless */
  tenants: string[];
  role: Role;
}

export interface TokenInfo extends Principal {
  label: string;
  createdAt: number;
  revokedAt?: number;
}

/**
 * Tokens look like `vgl_<16 hex id>_<43 base64url chars>`: the id finds the row, the secret is
 * 256 random bits of which only the SHA-256 is stored. Shown once, when created.
 */
const TOKEN_SHAPE = /^vgl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const TENANT_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
/** an analyst token may be bound to this many tenants */
export const MAX_TOKEN_TENANTS = 100;

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export function isTenantName(x: unknown): x is string {
  return typeof x === 'string' && TENANT_SHAPE.test(x);
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

interface TokenRow {
  id: string;
  hash: Buffer;
  tenant: string;
  role: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export class TokenStore {
  constructor(private readonly db: ServerDb) {}

  /**
   * A new token for a tenant and role. The returned `token` is the only copy of the secret.
   * `alsoTenants` binds an analyst token to more tenants (api_token_tenants); other roles act for
   * their one tenant (admin: all of them) and refuse it.
   */
  create(tenant: string, role: Role, label = '', alsoTenants: readonly string[] = []): { id: string; token: string; tenants: string[] } {
    if (!isTenantName(tenant)) throw new VigilError('USAGE', 'tenant: letters, digits, ".", "_", "@", "-" only (1-128)');
    if (!isRole(role)) throw new VigilError('USAGE', `role: one of ${ROLES.join(', ')}`);
    const primary = tenant.toLowerCase();
    const tenants = [primary];
    for (const t of alsoTenants) {
      if (!isTenantName(t)) throw new VigilError('USAGE', 'tenants: letters, digits, ".", "_", "@", "-" only (1-128)');
      if (!tenants.includes(t.toLowerCase())) tenants.push(t.toLowerCase());
    }
    if (tenants.length > 1 && role !== 'analyst') throw new VigilError('USAGE', 'tenants: only analyst tokens are bound to more than one tenant');
    if (tenants.length > MAX_TOKEN_TENANTS) throw new VigilError('USAGE', `tenants: at most ${MAX_TOKEN_TENANTS}`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const insertToken = this.db.prepare('INSERT INTO api_tokens (id, hash, tenant, role, label, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const insertTenant = this.db.prepare('INSERT INTO api_token_tenants (token_id, tenant) VALUES (?, ?)');
    this.db.transaction(() => {
      insertToken.run(id, sha256(secret), primary, role, label.slice(0, 200), Date.now());
      for (const t of tenants.slice(1)) insertTenant.run(id, t);
    })();
    return { id, token: `vgl_${id}_${secret}`, tenants };
  }

  /** The principal of a presented token, or undefined when malformed, unknown or revoked. */
  verify(presented: string): Principal | undefined {
    const m = TOKEN_SHAPE.exec(presented);
    if (!m) return undefined;
    const [, id = '', secret = ''] = m;
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    // hash even when the id is unknown so both paths cost the same
    const given = sha256(secret);
    const stored = row?.hash ?? Buffer.alloc(32);
    const same = stored.length === given.length && timingSafeEqual(stored, given);
    if (!row || !same || row.revoked_at !== null || !isRole(row.role)) return undefined;
    return { tokenId: row.id, tenant: row.tenant, tenants: this.tenantsOf(row), role: row.role };
  }

  /** Revoke a token by id; true when it existed and was active. */
  revoke(id: string): boolean {
    const r = this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
    return r.changes > 0;
  }

  /** Every token (never the secret or its hash), oldest first. */
  list(): TokenInfo[] {
    const rows = this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.flatMap((r) => {
      if (!isRole(r.role)) return [];
      const info: TokenInfo = { tokenId: r.id, tenant: r.tenant, tenants: this.tenantsOf(r), role: r.role, label: r.label, createdAt: r.created_at };
      if (r.revoked_at !== null) info.revokedAt = r.revoked_at;
      return [info];
    });
  }

  /** Every tenant some token is bound to (primary or extra). */
  knownTenants(): string[] {
    const rows = this.db
      .prepare('SELECT tenant FROM api_tokens UNION SELECT tenant FROM api_token_tenants ORDER BY tenant')
      .all() as Array<{ tenant: string }>;
    return rows.map((r) => r.tenant);
  }

  private tenantsOf(row: TokenRow): string[] {
    const extra = this.db.prepare('SELECT tenant FROM api_token_tenants WHERE token_id = ? ORDER BY tenant').all(row.id) as Array<{ tenant: string }>;
    return [row.tenant, ...extra.map((e) => e.tenant).filter((t) => t !== row.tenant)];
  }
}
