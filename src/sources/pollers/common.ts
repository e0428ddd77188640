import { z } from 'zod';
import { VigilError } from '../../core/errors.js';
import type { EgressPolicy } from '../../notify/types.js';
import type { RetryOptions } from './http.js';

/** Settings every API poller takes. */
export interface PollerCommonConfig {
  /** the Vigil tenant the records belong to (as an ingest token's tenant) */
  tenant: string;
  /** checkpoint key, stable across restarts; default `<kind>:<tenant>` */
  name?: string;
  /** time between polls (default 60 s) */
  intervalMs?: number;
  /** how far back each poll re-queries to catch late-arriving events (default 5 min) */
  overlapMs?: number;
  /** how far back the very first poll reads (default 1 h) */
  lookbackMs?: number;
  /** pages read per poll before the rest waits for the next one (default 1000) */
  maxPagesPerPoll?: number;
  /** default: public unicast addresses only; tests and on-premises proxies set allowPrivate */
  egress?: EgressPolicy;
  retry?: RetryOptions;
  /** per-request timeout (default 30 s) */
  timeoutMs?: number;
}

export const commonConfigShape = {
  tenant: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  intervalMs: z.number().int().min(1).max(86_400_000).optional(),
  overlapMs: z.number().int().min(0).max(86_400_000).optional(),
  lookbackMs: z.number().int().min(0).max(180 * 86_400_000).optional(),
  maxPagesPerPoll: z.number().int().min(1).max(100_000).optional(),
  egress: z.object({ allowPrivate: z.boolean().optional() }).optional(),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(10).optional(),
      baseDelayMs: z.number().int().min(0).optional(),
      maxDelayMs: z.number().int().min(0).optional(),
      maxRetryAfterMs: z.number().int().min(0).optional(),
    })
    .optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
};

export const DEFAULTS = {
  intervalMs: 60_000,
  overlapMs: 5 * 60_000,
  lookbackMs: 60 * 60_000,
  maxPagesPerPoll: 1000,
} as const;

/**
 * Validate a poller's config; a CONFIG error names the field, never its value (it may be a
 * secret). zod's messages are about types and lengths, so they are safe to show.
 */
export function validateConfig<T>(kind: string, schema: z.ZodType<T>, config: unknown): T {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new VigilError('CONFIG', `${kind} poller: ${path || 'config'}: ${issue?.code === 'invalid_type' ? 'missing or wrong type' : (issue?.message ?? 'invalid')}`);
}

/** An http(s) base URL without a trailing slash; a CONFIG error otherwise. */
export function baseUrl(kind: string, field: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new VigilError('CONFIG', `${kind} poller: ${field}: not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new VigilError('CONFIG', `${kind} poller: ${field}: use https://`);
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    throw new VigilError('CONFIG', `${kind} poller: ${field}: no credentials, query or fragment in the URL`);
  }
  return u.href.replace(/\/+$/, '');
}

/** Epoch ms of an ISO timestamp field, or undefined. */
export function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/** Field of a record by path, without trusting its shape. */
export function field(record: unknown, ...path: string[]): unknown {
  let cur: unknown = record;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
