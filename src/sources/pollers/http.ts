/**
 * Outbound HTTP for the API pollers. Requests go only to the origins the configuration names (the
 * API base and its token endpoint): a next-page link or content URI found in a response that
 * points anywhere else is refused, so a hostile log cannot steer the poller. Connections pass the
 * notification egress guard (public unicast addresses only unless egress.allowPrivate), redirects
 * are never followed, responses are size-capped. 429/503 wait as told by Retry-After; 5xx, 408 and
 * network errors back off exponentially. Errors name the host and path, never the query or a secret.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { EgressRefused, checkLiteralHost, guardedLookup, verifyPeer } from '../../notify/egress-guard.js';
import type { EgressPolicy } from '../../notify/types.js';
import { rateLimitExhausted, rateLimitResetMs, retryAfterMs } from './retry-after.js';

export type PollErrorKind = 'auth' | 'http' | 'network' | 'refused' | 'aborted';

export class PollError extends Error {
  constructor(
    message: string,
    readonly kind: PollErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PollError';
  }
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RetryOptions {
  /** attempts per request including the first (default 5) */
  maxAttempts?: number;
  /** first backoff delay (default 1000 ms), doubled per attempt */
  baseDelayMs?: number;
  /** backoff ceiling (default 60 s) */
  maxDelayMs?: number;
  /** a Retry-After longer than this fails the poll instead of blocking it (default 15 min) */
  maxRetryAfterMs?: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface HttpOptions {
  /** origins (`https://graph.microsoft.com`) requests may go to */
  allowedOrigins: readonly string[];
  egress?: EgressPolicy;
  timeoutMs?: number;
  maxResponseBytes?: number;
  retry?: RetryOptions;
  sleep?: Sleep;
  now?: () => number;
  redact?: (text: string) => string;
}

const DEFAULT_MAX_RESPONSE = 64 * 1024 * 1024;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new PollError('stopped', 'aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new PollError('stopped', 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** `host/path` of a URL for messages: never the query (cursors, filters) or credentials. */
export function where(url: URL): string {
  return `${url.host}${url.pathname}`;
}

export class ApiClient {
  private readonly origins: ReadonlySet<string>;
  private readonly policy: EgressPolicy;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly retry: Required<RetryOptions>;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  readonly redact: (text: string) => string;
  /** epoch ms before which no request is sent (the API said its quota is used up) */
  private pausedUntil = 0;

  constructor(opts: HttpOptions) {
    this.origins = new Set(opts.allowedOrigins.map((o) => new URL(o).origin));
    this.policy = opts.egress ?? {};
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    this.retry = {
      maxAttempts: Math.min(10, Math.max(1, Math.floor(opts.retry?.maxAttempts ?? 5))),
      baseDelayMs: opts.retry?.baseDelayMs ?? 1000,
      maxDelayMs: opts.retry?.maxDelayMs ?? 60_000,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 15 * 60_000,
    };
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? Date.now;
    this.redact = opts.redact ?? ((t) => t);
  }

  /** The URL if it is http(s) on a configured origin; a `refused` PollError otherwise. */
  checkUrl(raw: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new PollError(`${what}: not a valid URL`, 'refused');
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !this.origins.has(url.origin) || url.username !== '' || url.password !== '') {
      // the host is named so the operator can see where the log tried to send us; it is not a secret
      throw new PollError(`${what}: refused ${url.protocol}//${url.host} (not a configured API host)`, 'refused');
    }
    return url;
  }

  /** One request with retries for throttling, server errors and network failures. */
  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const url = this.checkUrl(req.url, 'request');
    let last: PollError = new PollError(`${where(url)}: not attempted`, 'network');
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const paused = this.pausedUntil - this.now();
      if (paused > 0) await this.sleep(Math.min(paused, this.retry.maxRetryAfterMs), signal);
      let delay: number;
      try {
        const res = await this.once(url, req, signal);
        if (res.status === 429 || res.status === 503) {
          const asked = retryAfterMs(res.headers, this.now());
          last = new PollError(`${where(url)} answered HTTP ${res.status}${asked !== undefined ? ` (retry after ${Math.ceil(asked / 1000)} s)` : ''}`, 'http', res.status);
          if (asked !== undefined && asked > this.retry.maxRetryAfterMs) throw last;
          delay = asked ?? this.backoff(attempt);
        } else if (res.status >= 500 || res.status === 408) {
          last = new PollError(`${where(url)} answered HTTP ${res.status}`, 'http', res.status);
          delay = this.backoff(attempt);
        } else {
          if (rateLimitExhausted(res.headers)) this.pausedUntil = this.now() + (rateLimitResetMs(res.headers, this.now()) ?? 0);
          return res;
        }
      } catch (e) {
        if (!(e instanceof PollError) || e.kind !== 'network') throw e;
        last = e;
        delay = this.backoff(attempt);
      }
      if (attempt === this.retry.maxAttempts) break;
      await this.sleep(delay, signal);
    }
    throw new PollError(`${last.message} (gave up after ${this.retry.maxAttempts} attempts)`, last.kind, last.status);
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }

  private once(url: URL, req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new PollError('stopped', 'aborted'));
      try {
        checkLiteralHost(url.hostname, this.policy);
      } catch (e) {
        return reject(new PollError(e instanceof Error ? e.message : 'egress refused', 'refused'));
      }
      const body = req.body !== undefined ? Buffer.from(req.body, 'utf8') : undefined;
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'vigil-poller', ...req.headers };
      if (body) headers['content-length'] = String(body.length);
      const mod = url.protocol === 'https:' ? https : http;
      const r = mod.request(
        url,
        { method: req.method, agent: false, lookup: guardedLookup(this.policy), timeout: this.timeoutMs, headers, signal },
        (res) => {
          const chunks: Buffer[] = [];
          let seen = 0;
          res.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen > this.maxBytes) {
              res.destroy(new PollError(`${where(url)}: response larger than ${this.maxBytes} bytes`, 'http'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => reject(e instanceof PollError ? e : new PollError(`${where(url)}: response cut off`, 'network')));
          // a connection closed mid-body without an error event: settle anyway (a settled promise ignores this)
          res.on('close', () => reject(new PollError(`${where(url)}: response cut off`, 'network')));
        },
      );
      r.on('socket', (s) => verifyPeer(s, this.policy));
      r.on('timeout', () => r.destroy(new PollError(`no answer from ${url.host} within ${this.timeoutMs} ms`, 'network')));
      r.on('error', (e) => {
        if (signal?.aborted) reject(new PollError('stopped', 'aborted'));
        else if (e instanceof PollError) reject(e);
        else if (e instanceof EgressRefused) reject(new PollError(e.message, 'refused'));
        else reject(new PollError(`cannot reach ${url.host}: ${(e as NodeJS.ErrnoException).code ?? 'network error'}`, 'network'));
      });
      r.end(body);
    });
  }
}

/** The API's own short explanation from an error body (OAuth, Graph, Okta and Google shapes), clipped and redacted. */
export function errorDetail(res: HttpResponse, redact: (t: string) => string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(res.body);
  } catch {
    return '';
  }
  const pick = (o: unknown, k: string): string | undefined => {
    if (o === null || typeof o !== 'object') return undefined;
    const v = (o as Record<string, unknown>)[k];
    return typeof v === 'string' ? v : undefined;
  };
  const root = doc as Record<string, unknown> | null;
  const nested = root !== null && typeof root === 'object' ? root['error'] : undefined;
  const parts = [
    pick(root, 'error'),
    pick(root, 'error_description'),
    pick(nested, 'code'),
    pick(nested, 'status'),
    pick(nested, 'message'),
    pick(root, 'errorCode'),
    pick(root, 'errorSummary'),
  ].filter((p): p is string => p !== undefined && p !== '');
  if (parts.length === 0) return '';
  // control characters could forge log lines
  const text = redact(parts.join(': ')).replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 240);
  return ` (${text})`;
}

/** A 2xx body as JSON, or a PollError naming the request. */
export function parseJson(res: HttpResponse, url: URL): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new PollError(`${where(url)}: answer is not JSON`, 'http', res.status);
  }
}
