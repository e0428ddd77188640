// Child: the full Vigil pipeline (ingest, parse, order, enrich, all detectors; no database).
// usage: node vigil-child.mjs <distDir> <file> <torExitsFile>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distDir, file, torExits] = process.argv.slice(2);
const { runScan } = await import(pathToFileURL(join(distDir, 'pipeline/scan.js')).href);
// kinds that judge one account's habits, not an address's behaviour: not "flagging an address"
const NOT_ADDRESS_VERDICTS = new Set(['impossible_travel', 'unfamiliar_signin']);
const t0 = performance.now();
const summary = await runScan({ paths: [file], enrichment: { torExits: [torExits] } });
const ms = performance.now() - t0;
const byKind = {};
const flagged = new Set();
for (const a of summary.alerts) {
  byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  if (!NOT_ADDRESS_VERDICTS.has(a.kind)) for (const ip of a.sourceIps) flagged.add(ip);
}
const s = summary.stats;
process.stdout.write(
  `RESULT ${JSON.stringify({ ms, events: s.events, records: s.records, malformed: s.malformed, issues: summary.issueCount, alerts: summary.alerts.length, byKind, flaggedIps: [...flagged].sort() })}\n`,
);
