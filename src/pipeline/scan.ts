import type { Alert, AuthEvent } from '../core/types.js';
import type { IngestIssue, IngestStats } from '../ingest/types.js';
import type { ScanSummary } from './types.js';
import { resolveInputs } from '../ingest/inputs.js';
import { readEvents } from '../ingest/read.js';
import { orderedEvents } from '../ingest/order.js';
import { createEnrichment, type EnrichmentOptions } from '../enrich/index.js';
import { DetectionEngine } from '../detect/engine.js';
import { IntelEnricher } from '../enrich/intel.js';
import type { Indicator } from '../intel/types.js';
import { correlate } from '../correlate/correlate.js';
import { ipInfoCollector } from '../correlate/ip-info.js';
import { attribute } from '../attribute/attribute.js';
import { loadCatalog, type ActorCatalog } from '../attribute/catalog.js';

export interface ScanOptions {
  paths: string[];
  /** force one format for every file */
  format?: string;
  /** organization for records that carry none */
  tenant?: string;
  /** zone of syslog stamps without one */
  timeZone?: string;
  /** year of syslog stamps that carry none */
  year?: number;
  /** how far out of order events may arrive within one input */
  latenessMs?: number;
  enrichment?: EnrichmentOptions;
  /** threat-intelligence indicators (stored, or STIX/MISP/CSV files) matched during enrichment */
  indicators?: readonly Indicator[];
  /**
   * group the final alerts into campaigns and attribute them (against the actor catalog, default
   * data/actors.json, and `indicators`): every alert then carries campaignId and, when attributed, actor
   */
  campaigns?: boolean | { catalog?: ActorCatalog };
  onProgress?(file: string, bytes: number, totalBytes?: number): void;
  /** alerts raised or grown, as they happen (event time) */
  onAlerts?(alerts: Alert[]): void;
  /** every event after enrichment (tests, exports) */
  onEvent?(e: AuthEvent): void;
}

const MAX_LISTED_ISSUES = 10;

/**
 * The whole pipeline on files: ingest → normalize → order → enrich → detect (→ correlate →
 * attribute, when asked). The CLI, the server
 * and the tests all call this; it is the only place where the stages are wired together.
 */
export async function runScan(opts: ScanOptions): Promise<ScanSummary> {
  const started = Date.now();
  const issues: IngestIssue[] = [];
  let issueCount = 0;
  const onIssue = (i: IngestIssue): void => {
    issueCount++;
    if (issues.length < MAX_LISTED_ISSUES) issues.push(i);
  };
  const stats: IngestStats = { files: 0, records: 0, events: 0, malformed: 0, skippedFiles: 0, byFormat: {} };

  const resolved = await resolveInputs(opts.paths);
  for (const i of resolved.issues) {
    onIssue(i);
    if (i.fatal) stats.skippedFiles++;
  }
  // the catalog first: a broken one fails before minutes of reading
  const catalog = opts.campaigns ? ((typeof opts.campaigns === 'object' ? opts.campaigns.catalog : undefined) ?? loadCatalog()) : undefined;
  const enrichment = await createEnrichment(opts.enrichment ?? {});
  const intel = opts.indicators && opts.indicators.length > 0 ? new IntelEnricher(opts.indicators) : undefined;
  const collector = catalog ? ipInfoCollector() : undefined;
  const engine = new DetectionEngine();
  const tenants: Record<string, number> = {};
  let firstEvent: number | undefined;
  let lastEvent: number | undefined;

  const streams = resolved.files.map((f) =>
    readEvents(f, {
      format: opts.format,
      defaultTenant: opts.tenant,
      timeZone: opts.timeZone,
      year: opts.year,
      onIssue,
      onProgress: opts.onProgress,
      stats,
    }),
  );
  try {
    for await (const e of orderedEvents(streams, { latenessMs: opts.latenessMs ?? 15 * 60_000, stats })) {
      enrichment.enrich(e);
      intel?.enrich(e);
      collector?.onEvent(e);
      tenants[e.tenant] = (tenants[e.tenant] ?? 0) + 1;
      if (firstEvent === undefined || e.time < firstEvent) firstEvent = e.time;
      if (lastEvent === undefined || e.time > lastEvent) lastEvent = e.time;
      opts.onEvent?.(e);
      engine.process(e);
      if (opts.onAlerts && engine.events % 4096 === 0) {
        const changed = engine.drainChanged();
        if (changed.length > 0) opts.onAlerts(changed);
      }
    }
  } finally {
    enrichment.close();
  }
  let alerts = engine.finish();
  if (opts.onAlerts) {
    const changed = engine.drainChanged();
    if (changed.length > 0) opts.onAlerts(changed);
  }
  const summary: ScanSummary = { stats, issues, issueCount, alerts, tenants, firstEvent, lastEvent, durationMs: 0 };
  if (intel) summary.intelIndicators = intel.size;
  if (catalog && collector) {
    const result = attribute(correlate(alerts, collector.info), {
      catalog,
      ipInfo: collector.info,
      ...(intel ? { indicators: intel.matcher } : {}),
    });
    alerts = result.alerts;
    summary.alerts = alerts;
    summary.campaigns = result.campaigns;
  }
  summary.durationMs = Date.now() - started;
  return summary;
}
