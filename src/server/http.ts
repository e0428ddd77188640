import { Hono } from 'hono';
import { VigilError } from '../core/errors.js';
import { parserById } from '../formats/registry.js';
import { authenticate, requireRole, type AuthEnv } from './auth.js';
import { rateLimit, RateLimiter } from './rate-limit.js';
import { apiApp, type ApiDeps } from './api/index.js';
import { DEFAULT_LIMITS, HttpError, readBody, type IngestLimits } from './body.js';
import { decodeBody } from './decode.js';
import { bodyHash, ingestRecords } from './ingest.js';
import type { Journal } from './journal.js';
import type { TokenStore } from './tokens.js';

/** Idempotency-Key: printable ASCII, bounded. */
const IDEM_KEY = /^[\x21-\x7e]{1,200}$/;

export interface IngestAppDeps {
  journal: Journal;
  tokens: TokenStore;
  limits?: Partial<IngestLimits>;
  /** requests per token (default 200/s, bursts of 400); 429 + Retry-After beyond */
  rate?: { perSecond: number; burst: number };
  /** the REST API (alerts, campaigns, tenants, intel, tokens, audit, sources, /metrics, /openapi.json) */
  api?: ApiDeps;
  /** told after each committed batch (wakes the detection loop) */
  onCommitted?: (tenant: string, accepted: number, rejected: number) => void;
  /**
   * asked before reading a batch: a reason to refuse it with 503 + Retry-After (the detection
   * backlog is past its limit, say), or undefined to accept
   */
  refuse?: () => string | undefined;
}

/**
 * The HTTP routes of durable ingest:
 * - GET  /v1/health   no token; only {status:'ok'}
 * - POST /v1/ingest   ingest or admin token; 200 only after the batch is committed
 * - GET  /v1/journal  analyst or admin token; the token's tenant's record count and consumer lag
 */
export function ingestApp(deps: IngestAppDeps): Hono<AuthEnv> {
  const limits: IngestLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = new Hono<AuthEnv>();

  app.get('/v1/health', (c) => c.json({ status: 'ok' }));
  app.use('*', authenticate(deps.tokens));
  app.use('*', rateLimit(new RateLimiter(deps.rate?.perSecond ?? 200, deps.rate?.burst ?? 400)));

  app.post('/v1/ingest', requireRole('ingest', 'admin'), async (c) => {
    const tenant = c.get('principal').tenant;
    const refusal = deps.refuse?.();
    if (refusal !== undefined) {
      c.header('Retry-After', '30');
      return c.json({ error: `busy: ${refusal}; retry later` }, 503);
    }
    const formatId = c.req.query('format');
    const format = formatId === undefined ? undefined : parserById(formatId);
    if (formatId !== undefined && !format) throw new HttpError(400, `format: unknown "${formatId.slice(0, 40)}"`);
    const idemKey = c.req.header('idempotency-key');
    if (idemKey !== undefined && !IDEM_KEY.test(idemKey)) throw new HttpError(400, 'Idempotency-Key: 1-200 printable ASCII characters');
    const contentType = c.req.header('content-type');
    const body = await readBody(c.req.raw.body, c.req.header('content-length'), c.req.header('content-encoding'), limits.maxBodyBytes);
    const decoded = decodeBody(body, contentType, limits.maxRecords);
    const opts: Parameters<typeof ingestRecords>[3] = {};
    if (format) opts.format = format;
    if (idemKey !== undefined) {
      opts.idempotencyKey = idemKey;
      opts.bodyHash = bodyHash(body, contentType, formatId);
    }
    const out = ingestRecords(deps.journal, tenant, decoded, opts);
    if (out.kind === 'conflict') throw new HttpError(422, 'Idempotency-Key: already used for a different body');
    if (out.kind === 'replay') c.header('Idempotent-Replayed', 'true');
    else deps.onCommitted?.(tenant, out.response.accepted, out.response.rejected.length);
    return c.json(out.response, 200);
  });

  app.get('/v1/journal', requireRole('analyst', 'admin'), (c) => {
    const tenant = c.get('principal').tenant;
    return c.json({ tenant, ...deps.journal.tenantStats(tenant) });
  });

  if (deps.api) app.route('/', apiApp(deps.api));

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: err.message }, err.status);
    // the journal could not commit (disk full, locked): the sender must retry, nothing was acknowledged
    if (err instanceof VigilError || isSqliteError(err)) {
      c.header('Retry-After', '5');
      return c.json({ error: 'the journal is unavailable; retry later' }, 503);
    }
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

function isSqliteError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'SqliteError' || /^SQLITE_/.test(String((err as { code?: unknown }).code ?? '')));
}
