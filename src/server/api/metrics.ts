import type { Hono } from 'hono';
import { requireRole } from '../auth.js';
import type { ApiContext, ApiEnv } from './types.js';

/**
 * GET /metrics   admin or metrics token: Prometheus text format. Gauges that describe the present
 * (journal lag, source lag) are computed at scrape time.
 */
export function metricsRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  app.get('/metrics', requireRole('admin', 'metrics'), (c) => {
    const m = ctx.metrics;
    m.journalLag.set({}, ctx.journal.lag());
    const now = ctx.now();
    for (const s of ctx.sources?.() ?? []) {
      if (s.newestEventAt !== undefined) m.setSourceLag(s.name, Math.max(0, (now - s.newestEventAt) / 1000));
    }
    return c.body(m.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
