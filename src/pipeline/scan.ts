import type { Alert, AuthEvent } from '../core/types.js';
import type { IngestIssue, IngestStats } from '../ingest/types.js';
import type { ScanSummary } from './types.js';
import { resolveInputs } from '../ingest/inputs.js';
import { readEvents } from '../ingest/read.js';
import { orderedEvents } from '../ingest/order.js';
import { createEnrichment, type EnrichmentOptions } from '../enrich/index.js';
import { DetectionEngine } from '../detect/engine.js';

export interface ScanOptions {
  paths: string[];
  /** force one format for every file */
  format?: string;
  /** organization for records that carry none */
  tenant?: string;
  /** zone of syslog stamps without one */
  timeZone?: string;
  /** how far out of order events may arrive within one input */
  latenessMs?: number;
  enrichment?: EnrichmentOptions;
  onProgress?(file: string, bytes: number, totalBytes?: number): void;
  /** alerts raised or grown, as they happen (event time) */
  onAlerts?(alerts: Alert[]): void;
  /** every event after enrichment (tests, exports) */
  onEvent?(e: AuthEvent): void;
}

const MAX_LISTED_ISSUES = 10;

/**
 * The whole pipeline on files: ingest → normalize → order → enrich → detect. The CLI, the server
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
  const enrichment = await createEnrichment(opts.enrichment ?? {});
  const engine = new DetectionEngine();
  const tenants: Record<string, number> = {};
  let firstEvent: number | undefined;
  let lastEvent: number | undefined;

  const streams = resolved.files.map((f) =>
    readEvents(f, {
      format: opts.format,
      defaultTenant: opts.tenant,
      timeZone: opts.timeZone,
      onIssue,
      onProgress: opts.onProgress,
      stats,
    }),
  );
  try {
    for await (const e of orderedEvents(streams, { latenessMs: opts.latenessMs ?? 15 * 60_000, stats })) {
      enrichment.enrich(e);
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
  const alerts = engine.finish();
  if (opts.onAlerts) {
    const changed = engine.drainChanged();
    if (changed.length > 0) opts.onAlerts(changed);
  }
  return { stats, issues, issueCount, alerts, tenants, firstEvent, lastEvent, durationMs: Date.now() - started };
}
