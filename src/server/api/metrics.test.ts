import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../sources/types.js';
import { oktaRecord } from '../test-helpers.js';
import { Counter, VigilMetrics } from './metrics-registry.js';
import { call, startTestServer, type TestServer } from './test-server.js';

/** A minimal reader of the Prometheus text format: every sample line, with HELP and TYPE checked. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      helped.add(m[1]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      typed.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const [, name = '', labelText = '', value = ''] = m!;
    expect(typed.has(name) && helped.has(name), `${name} has HELP and TYPE before its samples`).toBe(true);
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let lm = labelRe.exec(labelText); lm; lm = labelRe.exec(labelText)) {
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_s, ch: string) => (ch === 'n' ? '\n' : ch));
      consumed = labelRe.lastIndex;
      if (lm[3] === '') break;
    }
    expect(consumed, `labels of ${line}`).toBe(labelText.length);
    const v = value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    expect(Number.isNaN(v) && value !== 'NaN').toBe(false);
    samples.push({ name, labels, value: v });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

let server: TestServer;
let now = Date.UTC(2024, 2, 4, 12);
const statuses: SourceStatus[] = [];
let scraper = '';
let ingest = '';

beforeAll(async () => {
  server = await startTestServer({ sources: () => statuses, now: () => now });
  scraper = server.tokens.create('ops', 'metrics').token;
  ingest = server.tokens.create('tenant-a', 'ingest').token;
});
afterAll(async () => {
  await server?.close();
});

async function scrape(): Promise<Sample[]> {
  const r = await call(server, 'GET', '/metrics', scraper);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await r.text());
}

describe('GET /metrics', () => {
  it('parses as the Prometheus text format and names every metric the operator dashboards use', async () => {
    const text = await (await call(server, 'GET', '/metrics', scraper)).text();
    parseExposition(text);
    for (const name of ['vigil_events_ingested_total', 'vigil_parse_errors_total', 'vigil_alerts_total', 'vigil_notifications_failed_total', 'vigil_source_lag_seconds', 'vigil_journal_lag_records']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts change as events, parse errors, alerts and notification failures are recorded', async () => {
    const before = await scrape();
    expect(find(before, 'vigil_events_ingested_total', { source: 'http', tenant: 'tenant-a' })).toBeUndefined();
    server.metrics.recordEventsIngested('http', 'tenant-a', 5);
    server.metrics.recordEventsIngested('http', 'tenant-a', 2);
    server.metrics.recordParseErrors('syslog:udp', 3);
    const spray = { id: 'alert-1', severity: 'high', kind: 'password_spray' } as const;
    server.metrics.recordAlerts([spray, { id: 'alert-2', severity: 'critical', kind: 'compromise' }]);
    // the same alert again (it grew): still one alert
    server.metrics.recordAlerts([{ ...spray, severity: 'critical' }]);
    server.metrics.recordNotificationFailures('slack');
    const after = await scrape();
    expect(find(after, 'vigil_events_ingested_total', { source: 'http', tenant: 'tenant-a' })).toBe(7);
    expect(find(after, 'vigil_parse_errors_total', { source: 'syslog:udp' })).toBe(3);
    expect(find(after, 'vigil_alerts_total', { severity: 'high', kind: 'password_spray' })).toBe(1);
    expect(find(after, 'vigil_alerts_total', { severity: 'critical', kind: 'compromise' })).toBe(1);
    expect(find(after, 'vigil_alerts_total', { severity: 'critical', kind: 'password_spray' })).toBeUndefined();
    expect(find(after, 'vigil_notifications_failed_total', { channel: 'slack' })).toBe(1);
  });

  it('journal lag is the number of records detection has not processed yet', async () => {
    expect(find(await scrape(), 'vigil_journal_lag_records')).toBe(0);
    const body = [1, 2, 3].map((i) => JSON.stringify(oktaRecord({ uuid: `m-${i}` }))).join('\n');
    const r = await call(server, 'POST', '/v1/ingest', ingest, body, { 'content-type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    expect(find(await scrape(), 'vigil_journal_lag_records')).toBe(3);
    server.journal.ack(server.journal.readFrom(0, 10).at(-1)!.seq);
    expect(find(await scrape(), 'vigil_journal_lag_records')).toBe(0);
  });

  it('source lag is now minus the newest event a source delivered', async () => {
    statuses.push({ name: 'okta:tenant-a', kind: 'okta', recordsIn: 10, rejected: 0, newestEventAt: now - 90_000 });
    expect(find(await scrape(), 'vigil_source_lag_seconds', { source: 'okta:tenant-a' })).toBe(90);
    now += 30_000;
    expect(find(await scrape(), 'vigil_source_lag_seconds', { source: 'okta:tenant-a' })).toBe(120);
  });
});

describe('the metrics registry', () => {
  it('escapes label values so an odd source name cannot break the format', () => {
    const m = new VigilMetrics();
    m.recordParseErrors('tail:/var/log/a "b"\\c\nd');
    const samples = parseExposition(m.render());
    expect(find(samples, 'vigil_parse_errors_total')).toBe(1);
    expect(samples.find((s) => s.name === 'vigil_parse_errors_total')?.labels['source']).toBe('tail:/var/log/a "b"\\c\nd');
  });

  it('counters never go down; metrics of other parts are written out too', () => {
    const m = new VigilMetrics();
    const c = m.register(new Counter('vigil_syslog_dropped_total', 'Messages dropped.', ['listener']));
    c.inc({ listener: 'udp' }, 2);
    c.inc({ listener: 'udp' }, -5);
    c.inc({ listener: 'udp' }, Number.NaN);
    expect(find(parseExposition(m.render()), 'vigil_syslog_dropped_total', { listener: 'udp' })).toBe(2);
  });
});
