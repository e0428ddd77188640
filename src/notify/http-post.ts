/**
 * POST a JSON body through the egress guard, never following redirects, retrying 5xx, 408, 429 and
 * network errors with exponential backoff. Errors name the host, never the URL path (for Slack and
 * Teams the path is the credential).
 */
import http from 'node:http';
import https from 'node:https';
import { EgressRefused, checkLiteralHost, guardedLookup, verifyPeer } from './egress-guard.js';
import type { EgressPolicy, RetryPolicy } from './types.js';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface PostRequest {
  url: string;
  body: string;
  /** called per attempt, so a signature carries that attempt's timestamp */
  headers: () => Record<string, string>;
  policy: EgressPolicy;
  timeoutMs: number;
}

const MAX_RESPONSE = 64 * 1024;

function parseTarget(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new DeliveryError('target is not a valid URL', false);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new DeliveryError(`scheme ${u.protocol} is not allowed`, false);
  return u;
}

/** One attempt: resolves with the status code, rejects on network errors. */
export function postOnce(req: PostRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = parseTarget(req.url);
      checkLiteralHost(url.hostname, req.policy);
    } catch (e) {
      reject(e instanceof EgressRefused ? new DeliveryError(e.message, false) : e);
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(req.body, 'utf8');
    const r = mod.request(
      url,
      {
        method: 'POST',
        agent: false, // a fresh connection each time: no pooled socket skips the guard
        lookup: guardedLookup(req.policy),
        timeout: req.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...req.headers() },
      },
      (res) => {
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_RESPONSE) res.destroy();
        });
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    r.on('socket', (s) => verifyPeer(s, req.policy));
    r.on('timeout', () => r.destroy(new DeliveryError(`no answer from ${url.host} within ${req.timeoutMs} ms`, true)));
    r.on('error', (e) => {
      if (e instanceof DeliveryError) reject(e);
      else if (e instanceof EgressRefused) reject(new DeliveryError(e.message, false));
      else reject(new DeliveryError(`cannot reach ${url.host}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, true));
    });
    r.end(body);
  });
}

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const base = policy.baseDelayMs ?? 500;
  return Math.min(policy.maxDelayMs ?? 30_000, base * 2 ** (attempt - 1));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Delivers or throws a DeliveryError after the last attempt. */
export async function postWithRetry(req: PostRequest, policy: RetryPolicy = {}): Promise<void> {
  const attempts = Math.min(10, Math.max(1, Math.floor(policy.maxAttempts ?? 4)));
  const host = (() => {
    try {
      return new URL(req.url).host;
    } catch {
      return 'target';
    }
  })();
  let last: DeliveryError = new DeliveryError('not attempted', false);
  for (let n = 1; n <= attempts; n++) {
    if (n > 1) await sleep(backoffDelay(n - 1, policy));
    try {
      const status = await postOnce(req);
      if (status >= 200 && status < 300) return;
      const retryable = status >= 500 || status === 408 || status === 429;
      const why = status >= 300 && status < 400 ? 'a redirect (not followed)' : `HTTP ${status}`;
      last = new DeliveryError(`${host} answered ${why}`, retryable);
    } catch (e) {
      last = e instanceof DeliveryError ? e : new DeliveryError(`cannot reach ${host}`, true);
    }
    if (!last.retryable) break;
  }
  throw new DeliveryError(`${last.message}${last.retryable ? ` (gave up after ${attempts} attempts)` : ''}`, false);
}
