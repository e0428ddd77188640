import type { Hono } from 'hono';
import { z } from 'zod';
import { VigilError } from '../../core/errors.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../body.js';
import { MAX_TOKEN_TENANTS, ROLES, type TokenInfo } from '../tokens.js';
import type { AuditLog } from './audit-log.js';
import { bodyJson } from './body.js';
import { idParam } from './query.js';
import type { ApiContext, ApiEnv } from './types.js';

const createSchema = z.strictObject({
  tenant: z.string().min(1).max(128),
  role: z.enum(ROLES),
  label: z.string().max(200).optional(),
  /** more tenants an analyst token may read */
  tenants: z.array(z.string().min(1).max(128)).max(MAX_TOKEN_TENANTS).optional(),
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** a token as listed: never the secret, never its hash */
function tokenJson(t: TokenInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.tokenId, tenant: t.tenant, tenants: t.tenants, role: t.role, label: t.label, createdAt: iso(t.createdAt) };
  if (t.revokedAt !== undefined) out['revokedAt'] = iso(t.revokedAt);
  return out;
}

/**
 * POST   /v1/tokens       admin: a new token; its secret is in this answer only
 * GET    /v1/tokens       admin: every token, without secrets
 * DELETE /v1/tokens/:id   admin: revoke (404 when unknown or already revoked)
 * Creation and revocation are audit logged with the acting token's id.
 */
export function tokenRoutes(app: Hono<ApiEnv>, ctx: ApiContext, audit: AuditLog): void {
  app.post('/v1/tokens', requireRole('admin'), async (c) => {
    const parsed = createSchema.safeParse(await bodyJson(c, ctx.limits.maxBodyBytes));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`.slice(0, 300));
    }
    const { tenant, role, label = '', tenants = [] } = parsed.data;
    let created: ReturnType<typeof ctx.tokens.create>;
    try {
      created = ctx.tokens.create(tenant, role, label, tenants);
    } catch (err) {
      if (err instanceof VigilError && err.code === 'USAGE') throw new HttpError(400, err.message);
      throw err;
    }
    audit.record({
      tokenId: c.get('principal').tokenId,
      action: 'token.create',
      tenant: created.tenants[0] ?? null,
      target: created.id,
      detail: { role, label: label.slice(0, 200), tenants: created.tenants },
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ id: created.id, token: created.token, tenant: created.tenants[0], tenants: created.tenants, role, label }, 201);
  });

  app.get('/v1/tokens', requireRole('admin'), (c) => c.json({ tokens: ctx.tokens.list().map(tokenJson) }));

  app.delete('/v1/tokens/:id', requireRole('admin'), (c) => {
    const id = idParam(c);
    if (!ctx.tokens.revoke(id)) throw new HttpError(404, 'not found (unknown or already revoked)');
    const info = ctx.tokens.list().find((t) => t.tokenId === id);
    audit.record({ tokenId: c.get('principal').tokenId, action: 'token.revoke', tenant: info?.tenant ?? null, target: id, detail: { role: info?.role ?? null } });
    return c.json({ revoked: id });
  });
}
