import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from './auth.js';

/** Most tokens remembered; the least recently seen is forgotten first (it starts full again). */
const MAX_KEYS = 10_000;

/**
 * Requests per token: a token bucket of `burst` requests refilled at `perSecond`. A sender over its
 * rate gets 429 with Retry-After, so one misbehaving forwarder cannot starve the other tenants.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** 0 when the request may go, else the seconds to wait before the next one will */
  take(key: string, now: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    this.buckets.delete(key); // re-inserted at the young end
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    let wait = 0;
    if (b.tokens >= 1) b.tokens -= 1;
    else wait = Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_KEYS) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    return wait;
  }
}

/** After authenticate(): 429 + Retry-After when the token is over its rate; public routes pass. */
export function rateLimit(limiter: RateLimiter, now: () => number = Date.now): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get('principal') as AuthEnv['Variables']['principal'] | undefined;
    if (principal === undefined) return next();
    const wait = limiter.take(principal.tokenId, now());
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return c.json({ error: `too many requests for this token; retry in ${wait} s` }, 429);
    }
    return next();
  };
}
