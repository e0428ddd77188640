import type { MiddlewareHandler } from 'hono';
import type { Principal, Role, TokenStore } from './tokens.js';

export type AuthEnv = { Variables: { principal: Principal } };

/** `Bearer <token>`, bounded so a huge header costs nothing. */
const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/i;

/** Paths anyone may call without a token. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/health']);

/**
 * Every route except the public ones needs a valid token: missing, malformed, unknown or revoked
 * gives 401 (the same answer for each, and the token is never echoed or logged). Tokens are read
 * from the Authorization header only, never from the URL (URLs end up in proxy and access logs).
 * A request already authenticated by an enclosing app is not checked twice.
 */
export function authenticate(tokens: TokenStore): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    if (c.get('principal') !== undefined) return next();
    const m = BEARER.exec(c.req.header('authorization') ?? '');
    const principal = m?.[1] !== undefined ? tokens.verify(m[1]) : undefined;
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer realm="vigil"');
      return c.json({ error: 'unauthorized: send Authorization: Bearer <token> with a valid, unrevoked token' }, 401);
    }
    c.set('principal', principal);
    return next();
  };
}

/** 403 unless the token's role is one of `roles`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const role = c.get('principal').role;
    if (!roles.includes(role)) return c.json({ error: `forbidden: this route needs a ${roles.join(' or ')} token` }, 403);
    return next();
  };
}
