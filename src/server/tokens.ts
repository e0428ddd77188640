import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import type { ServerDb } from './db.js';

export const ROLES = ['ingest', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a valid token speaks for. */
export interface Principal {
  tokenId: string;
  tenant: string;
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

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
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

  /** A new token for one tenant and role. The returned `token` is the only copy of the secret. */
  create(tenant: string, role: Role, label = ''): { id: string; token: string } {
    if (!TENANT_SHAPE.test(tenant)) throw new VigilError('USAGE', 'tenant: letters, digits, ".", "_", "@", "-" only (1-128)');
    if (!isRole(role)) throw new VigilError('USAGE', `role: one of ${ROLES.join(', ')}`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO api_tokens (id, hash, tenant, role, label, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, sha256(secret), tenant.toLowerCase(), role, label.slice(0, 200), Date.now());
    return { id, token: `vgl_${id}_${secret}` };
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
    return { tokenId: row.id, tenant: row.tenant, role: row.role };
  }

  /** Revoke a token by id; true when it existed and was active. */
  revoke(id: string): boolean {
    const r = this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id);
    return r.changes > 0;
  }

  list(): TokenInfo[] {
    const rows = this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.flatMap((r) => {
      if (!isRole(r.role)) return [];
      const info: TokenInfo = { tokenId: r.id, tenant: r.tenant, role: r.role, label: r.label, createdAt: r.created_at };
      if (r.revoked_at !== null) info.revokedAt = r.revoked_at;
      return [info];
    });
  }
}
