import type { Alert, AuthEvent } from '../core/types.js';
import type { IngestIssue, IngestStats } from '../ingest/types.js';
import type { ScanSummary } from './types.js';
import { resolveInputs } from '../ingest/inputs.js';
import { eventStreamOf, readEventBatches } from '../ingest/read.js';
import type { EventStream, InputFile, ReadOptions } from '../ingest/types.js';
import { orderedBatches } from '../ingest/order.js';
import { parserForId } from '../ingest/detect.js';
import { createEnrichment, type Enrichment, type EnrichmentOptions } from '../enrich/index.js';
import { ParsePool, parseWorkersAvailable } from './parse-pool.js';
import { HeapBound } from './heap-bound.js';
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
  /**
   * threads to scan with (default 1): with N ≥ 2, N - 1 worker threads read, parse and enrich whole
   * files while this thread orders them and runs detection. Same alerts as with 1. Needs the built
   * code (dist/); stdin is always read on this thread.
   */
  workers?: number;
  onProgress?(file: string, bytes: number, totalBytes?: number): void;
  /** alerts raised or grown, as they happen (event time) */
  onAlerts?(alerts: Alert[]): void;
  /** every event after enrichment (tests, exports) */
  onEvent?(e: AuthEvent): void;
}

const MAX_LISTED_ISSUES = 10;

/** A file's events, enriched as they are read (enrichment depends on nothing but the event). */
function enrichedEvents(file: InputFile, opts: ReadOptions, enrichment: Enrichment): EventStream {
  return eventStreamOf(
    (async function* enriched() {
      for await (const batch of readEventBatches(file, opts)) {
        for (const e of batch) enrichment.enrich(e);
        yield batch;
      }
    })(),
  );
}

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
  const heap = new HeapBound();
  const tenants: Record<string, number> = {};
  let firstEvent: number | undefined;
  let lastEvent: number | undefined;

  const readOpts: ReadOptions = {
    format: opts.format,
    defaultTenant: opts.tenant,
    timeZone: opts.timeZone,
    year: opts.year,
    onIssue,
    onProgress: opts.onProgress,
    stats,
  };
  const threads = Math.min((opts.workers ?? 1) - 1, resolved.files.filter((f) => f.path !== undefined).length);
  // a mistyped --format is a usage error of the whole command: raised here, before any thread starts
  if (threads >= 1 && opts.format !== undefined) parserForId(opts.format);
  const pool = threads >= 1 && parseWorkersAvailable() ? new ParsePool(threads, opts.enrichment ?? {}) : undefined;
  const streams = resolved.files.map((f) =>
    pool && f.path !== undefined ? pool.readEvents({ ...f, path: f.path }, readOpts) : enrichedEvents(f, readOpts, enrichment),
  );
  try {
    // one await per batch of events, not per event: an async step costs as much as a detector
    for await (const batch of orderedBatches(streams, { latenessMs: opts.latenessMs ?? 15 * 60_000, stats })) {
      for (const e of batch) {
        intel?.enrich(e);
        collector?.onEvent(e);
        tenants[e.tenant] = (tenants[e.tenant] ?? 0) + 1;
        if (firstEvent === undefined || e.time < firstEvent) firstEvent = e.time;
        if (lastEvent === undefined || e.time > lastEvent) lastEvent = e.time;
        opts.onEvent?.(e);
        engine.process(e);
        heap.tick();
        if (opts.onAlerts && engine.events % 4096 === 0) {
          const changed = engine.drainChanged();
          if (changed.length > 0) opts.onAlerts(changed);
        }
      }
    }
  } finally {
    enrichment.close();
    await pool?.close();
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
