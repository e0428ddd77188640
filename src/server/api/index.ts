import { Hono } from 'hono';
import { loadCatalog, type ActorCatalog } from '../../attribute/catalog.js';
import { VigilError } from '../../core/errors.js';
import { authenticate } from '../auth.js';
import { HttpError } from '../body.js';
import { alertRoutes } from './alerts.js';
import { AuditLog } from './audit-log.js';
import { auditRoutes } from './audit.js';
import { campaignRoutes } from './campaigns.js';
import { intelRoutes } from './intel.js';
import { metricsRoutes } from './metrics.js';
import { openApiRoutes } from './openapi.js';
import { scrubForLog } from './scrub.js';
import { sourceRoutes } from './sources.js';
import { tenantRoutes } from './tenants.js';
import { tokenRoutes } from './tokens-admin.js';
import { DEFAULT_API_LIMITS, type ApiContext, type ApiDeps, type ApiEnv } from './types.js';

export { AuditLog, type AuditEntry, type AuditInput } from './audit-log.js';
export { Counter, Gauge, VigilMetrics } from './metrics-registry.js';
export { openApiDocument } from './openapi.js';
export { DEFAULT_API_LIMITS, type ApiDeps, type ApiLimits } from './types.js';

/**
 * The REST API of `vigil serve` as a Hono app: alerts, campaigns, tenants, intel, tokens, audit,
 * sources, /metrics and /openapi.json. Every route needs a token (checked here unless an
 * enclosing app already did); the tenant filter of every query comes from the token.
 * Mount it next to the ingest routes: `app.route('/', apiApp(deps))`.
 */
export function apiApp(deps: ApiDeps): Hono<ApiEnv> {
  let catalog: ActorCatalog | undefined = deps.catalog;
  const ctx: ApiContext = {
    ...deps,
    limits: { ...DEFAULT_API_LIMITS, ...deps.limits },
    catalog: () => (catalog ??= loadCatalog()),
    now: deps.now ?? Date.now,
  };
  const audit = new AuditLog(deps.db);
  const app = new Hono<ApiEnv>();
  app.use('*', authenticate(deps.tokens));
  app.use('*', async (c, next) => {
    await next();
    // answers name people under attack: no cache may keep them
    c.header('Cache-Control', 'no-store');
  });
  alertRoutes(app, ctx);
  campaignRoutes(app, ctx);
  tenantRoutes(app, ctx);
  intelRoutes(app, ctx, audit);
  tokenRoutes(app, ctx, audit);
  auditRoutes(app, ctx, audit);
  sourceRoutes(app, ctx);
  metricsRoutes(app, ctx);
  openApiRoutes(app, ctx);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) {
      // the rest of a refused body was not read: the connection cannot carry another request
      if (err.status === 413) c.header('Connection', 'close');
      return c.json({ error: err.message }, err.status);
    }
    if (err instanceof VigilError && err.code === 'USAGE') return c.json({ error: err.message.slice(0, 300) }, 400);
    // the message may name files or hosts: it goes to the operator's log, never to the caller
    deps.log?.(`api: ${c.req.method} ${c.req.routePath}: ${err.name}: ${scrubForLog(err.message)}`);
    if (err instanceof VigilError || err.name === 'SqliteError') {
      c.header('Retry-After', '5');
      return c.json({ error: 'the store is unavailable; retry later' }, 503);
    }
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
