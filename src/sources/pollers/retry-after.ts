import type { IncomingHttpHeaders } from 'node:http';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` as delta-seconds or an HTTP date,
 * else Okta's `X-Rate-Limit-Reset` (epoch seconds). Undefined when neither says anything usable.
 */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const ra = header(headers, 'retry-after')?.trim();
  if (ra !== undefined && ra !== '') {
    if (/^\d{1,10}$/.test(ra)) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return rateLimitResetMs(headers, now);
}

/** Okta-style `X-Rate-Limit-Reset` (epoch seconds) as a wait from `now`, or undefined. */
export function rateLimitResetMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const reset = header(headers, 'x-rate-limit-reset')?.trim();
  if (reset === undefined || !/^\d{1,12}$/.test(reset)) return undefined;
  return Math.max(0, Number(reset) * 1000 - now);
}

/** True when `X-Rate-Limit-Remaining` says no request is left in the current window. */
export function rateLimitExhausted(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'x-rate-limit-remaining')?.trim() === '0';
}
