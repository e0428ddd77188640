// `npm run bench`: generates its inputs (cached), then measures in one run the floor, Vigil's
// full pipeline and the sshd peers, and a memory run. Figures: bench/out/latest.json.
// Options: --events N --formats a,b --skip-peers --memory-only --quick --repeat N --seed S
//          --memory-events N
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured, childResult } from './lib/proc.mjs';
import { missingPeers, installPeers, runFail2ban, runSshguard, runDuckdb, runCrowdsec } from './lib/peers.mjs';
import { scoreIps, fmtRate, fmtMb, fmtPct, renderTable } from './lib/report.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
// VIGIL_BENCH_DIST: measure another build (e.g. one compiled with --outDir elsewhere)
const DIST = process.env.VIGIL_BENCH_DIST || join(ROOT, 'dist');
const FORMATS = ['entra', 'o365', 'okta', 'gws', 'windows', 'sshd'];
const log = (s) => process.stdout.write(`${s}\n`);

function parseArgs(argv) {
  const o = { events: 1_000_000, formats: FORMATS, skipPeers: false, memoryOnly: false, repeat: 1, seed: 'vigil-bench', memoryEvents: 10_000_000 };
  const num = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1e9) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a}: missing value`);
      return argv[++i];
    };
    if (a === '--events') o.events = num(a, next());
    else if (a === '--formats') {
      o.formats = next().split(',').map((s) => s.trim());
      const bad = o.formats.find((f) => !FORMATS.includes(f));
      if (bad) throw new Error(`--formats: unknown format ${JSON.stringify(bad)} (${FORMATS.join(', ')})`);
    } else if (a === '--skip-peers') o.skipPeers = true;
    else if (a === '--memory-only') o.memoryOnly = true;
    else if (a === '--quick') {
      o.events = 100_000;
      o.memoryEvents = 1_000_000;
    } else if (a === '--repeat') o.repeat = num(a, next());
    else if (a === '--seed') o.seed = next();
    else if (a === '--memory-events') o.memoryEvents = num(a, next());
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const peerTimeoutMs = () => (Number(process.env.VIGIL_BENCH_PEER_TIMEOUT) || 300) * 1000;

/** the cached input of one format, generated on first use */
async function input(dir, format, o) {
  const metaFile = join(dir, `${format}.meta.json`);
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    if (existsSync(meta.file)) return meta;
  }
  log(`inputs: simulating ${o.events} ${format} events ...`);
  const r = await runMeasured(process.execPath, [join(BENCH, 'lib/gen-child.mjs'), DIST, format, String(o.events), o.seed, dir]);
  if (r.code !== 0 || !existsSync(metaFile)) throw new Error(`simulating ${format} failed: ${r.stderr.trim().slice(-500)}`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  if (meta.events < o.events) log(`inputs: ${format}: the simulation ended before ${o.events} events`);
  log(`inputs: ${format}: ${meta.events} events, ${meta.lines} lines, ${fmtMb(meta.bytes / 1024)} in ${(r.wallMs / 1000).toFixed(1)} s`);
  return meta;
}

/** best of `repeat` runs of a node child that prints RESULT {ms, ...} */
async function nodeChild(script, args, repeat) {
  let best;
  for (let i = 0; i < repeat; i++) {
    const r = await runMeasured(process.execPath, [join(BENCH, 'lib', script), ...args]);
    const res = childResult(r.stdout);
    if (!res) throw new Error(`${script} failed (exit ${r.code}): ${r.stderr.trim().slice(-800)}`);
    if (!best || res.ms < best.ms) best = { ...res, peakRssKb: r.peakRssKb };
  }
  return best;
}

async function measureFormat(dir, format, o, rows, out) {
  const meta = await input(dir, format, o);
  const tor = join(dir, 'tor-exits.txt');
  const floor = await nodeChild('floor-child.mjs', [meta.file, format === 'sshd' ? 'regex' : 'json'], o.repeat);
  const vigil = await nodeChild('vigil-child.mjs', [DIST, meta.file, tor], o.repeat);
  const floorRate = meta.events / (floor.ms / 1000);
  const vigilRate = meta.events / (vigil.ms / 1000);
  const entry = { events: meta.events, lines: meta.lines, bytes: meta.bytes, tools: {} };
  const floorName = format === 'sshd' ? 'floor (split + 1 regex)' : 'floor (split + JSON.parse)';
  entry.tools.floor = { seconds: floor.ms / 1000, eventsPerSec: floorRate, peakRssKb: floor.peakRssKb };
  rows.push({ format, tool: floorName, seconds: floor.ms / 1000, rate: floorRate, ratio: 1, rssKb: floor.peakRssKb });
  const vrow = { format, tool: 'vigil (full pipeline)', seconds: vigil.ms / 1000, rate: vigilRate, ratio: vigilRate / floorRate, rssKb: vigil.peakRssKb };
  entry.tools.vigil = {
    seconds: vigil.ms / 1000,
    eventsPerSec: vigilRate,
    ratioToFloor: vigilRate / floorRate,
    peakRssKb: vigil.peakRssKb,
    eventsParsed: vigil.events,
    malformed: vigil.malformed,
    alerts: vigil.alerts,
    alertsByKind: vigil.byKind,
  };
  if (vigil.events !== meta.events) vrow.note = `vigil counted ${vigil.events} events (${meta.lines} lines)`;
  if (format === 'sshd') {
    const s = scoreIps(vigil.flaggedIps, meta);
    Object.assign(vrow, { recall: s.recall, benign: s.benignFlagged });
    entry.tools.vigil.score = s;
  }
  rows.push(vrow);
  log(`${format}: floor ${fmtRate(floorRate)}/s, vigil ${fmtRate(vigilRate)}/s (${(vigilRate / floorRate).toFixed(2)}× floor), ${vigil.alerts} alerts`);
  if (format === 'sshd' && !o.skipPeers) await measurePeers(meta, vigilRate, rows, entry, dir);
  out.formats[format] = entry;
}

async function measurePeers(meta, vigilRate, rows, entry, dir) {
  const missing = missingPeers();
  if (missing.length > 0 && process.env.VIGIL_BENCH_INSTALL === '1') await installPeers(missing, log);
  const stillMissing = missingPeers();
  if (stillMissing.length > 0) log(`peers missing: ${stillMissing.join(', ')} (VIGIL_BENCH_INSTALL=1 npm run bench installs them as root)`);
  const timeout = peerTimeoutMs();
  const peers = [
    ['duckdb (SQL, 5 fails / 600 s)', () => runDuckdb(BENCH, meta.file, timeout)],
    ['fail2ban (regex + jail 5/10 min)', () => runFail2ban(meta.file, dir, timeout)],
    ['sshguard (parser | blocker)', () => runSshguard(meta.file, timeout)],
    ['crowdsec', () => runCrowdsec()],
  ];
  for (const [name, run] of peers) {
    log(`sshd: running ${name} ...`);
    let r;
    try {
      r = await run();
    } catch (err) {
      r = { skipped: `failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (r.skipped) {
      log(`  ${name}: ${r.skipped}`);
      rows.push({ format: 'sshd', tool: name, note: r.skipped, seconds: r.seconds, rssKb: r.peakRssKb });
      entry.tools[name] = { skipped: r.skipped, seconds: r.seconds, peakRssKb: r.peakRssKb };
      continue;
    }
    const rate = meta.events / r.seconds;
    const s = scoreIps(r.flaggedIps, meta);
    const floorRate = entry.tools.floor.eventsPerSec;
    rows.push({ format: 'sshd', tool: name, seconds: r.seconds, rate, ratio: rate / floorRate, rssKb: r.peakRssKb, recall: s.recall, benign: s.benignFlagged, vigilVs: vigilRate / rate });
    entry.tools[name] = { seconds: r.seconds, eventsPerSec: rate, ratioToFloor: rate / floorRate, vigilSpeedup: vigilRate / rate, peakRssKb: r.peakRssKb, score: s, note: r.note };
    log(`  ${name}: ${fmtRate(rate)}/s, recall ${fmtPct(s.recall)}, ${s.benignFlagged} benign addresses flagged; vigil is ${(vigilRate / rate).toFixed(2)}× its speed`);
  }
}

async function measureWorkers(out) {
  const help = await runMeasured(process.execPath, [join(DIST, 'cli/main.js'), 'scan', '--help']);
  if (!help.stdout.includes('--workers')) {
    out.workers = { note: 'not implemented' };
    log('workers: not implemented');
    return;
  }
  const meta = out.inputs.entra ?? out.inputs.sshd ?? Object.values(out.inputs)[0];
  if (!meta) return;
  const res = {};
  for (const w of [1, 2]) {
    const r = await runMeasured(process.execPath, [join(DIST, 'cli/main.js'), 'scan', '--no-db', '--json', '--fail-on', 'none', '--workers', String(w), meta.file]);
    const ids = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).id).sort();
    res[w] = { seconds: r.wallMs / 1000, peakRssKb: r.peakRssKb, alertIds: ids, code: r.code };
  }
  const same = JSON.stringify(res[1].alertIds) === JSON.stringify(res[2].alertIds);
  out.workers = { file: meta.file, speedup: res[1].seconds / res[2].seconds, identicalAlerts: same, w1: { seconds: res[1].seconds, peakRssKb: res[1].peakRssKb }, w2: { seconds: res[2].seconds, peakRssKb: res[2].peakRssKb } };
  log(`workers: 2 vs 1 on ${meta.format}: ${out.workers.speedup.toFixed(2)}× (${res[1].seconds.toFixed(1)} s → ${res[2].seconds.toFixed(1)} s), alerts ${same ? 'identical' : 'DIFFER'}`);
}

async function memoryRun(o, out) {
  const users = o.memoryEvents >= 10_000_000 ? 200_000 : Math.max(1000, Math.round(o.memoryEvents / 50));
  const ips = users * 10;
  const every = Math.max(1, Math.round(o.memoryEvents / 10));
  log(`memory: ${o.memoryEvents} events over ${users} users and ${ips} source addresses (enrichment + all detectors, no parsing); RSS every ${every} events`);
  const samples = [];
  const r = await runMeasured(process.execPath, [join(BENCH, 'lib/memory-child.mjs'), DIST, String(o.memoryEvents), String(users), String(ips), String(every)], {
    timeoutMs: (Number(process.env.VIGIL_BENCH_MEMORY_TIMEOUT) || 1800) * 1000,
    onLine: (line) => {
      if (!line.startsWith('MEM ')) return;
      const m = JSON.parse(line.slice(4));
      samples.push(m);
      log(`  ${String(m.events).padStart(10)} events  RSS ${String(m.rssMb).padStart(5)} MB  heap ${String(m.heapMb).padStart(5)} MB  ${m.s.toFixed(1)} s`);
    },
  });
  const res = childResult(r.stdout);
  out.memory = { events: o.memoryEvents, users, ips, samples, peakRssKb: r.peakRssKb, seconds: res ? res.ms / 1000 : undefined, alerts: res?.alerts, finished: !!res };
  if (!res) out.memory.error = r.timedOut ? 'did not finish in time' : `stopped (exit ${r.code ?? r.signal}) after ${samples.at(-1)?.events ?? 0} events ${r.stderr.trim().slice(-300)}`.trim();
  log(`memory: peak RSS ${fmtMb(r.peakRssKb)}${res ? `, ${fmtRate(o.memoryEvents / (res.ms / 1000))} events/s, ${res.alerts} alerts` : ` — ${out.memory.error}`}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(DIST, 'pipeline/scan.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  const out = { date: new Date().toISOString(), node: process.version, options: o, inputs: {}, formats: {} };
  const rows = [];
  if (!o.memoryOnly) {
    const dir = join(tmpdir(), 'vigil-bench', `${o.seed.replace(/[^A-Za-z0-9_-]/g, '_')}-${o.events}`);
    mkdirSync(dir, { recursive: true });
    log(`inputs: ${dir}`);
    for (const f of o.formats) out.inputs[f] = await input(dir, f, o);
    for (const f of o.formats) await measureFormat(dir, f, o, rows, out);
    // the per-campaign truth is long; the figures keep only counts
    for (const m of Object.values(out.inputs)) {
      m.campaigns = m.campaigns.map((c) => ({ id: c.id, kind: c.kind, ips: c.ips.length }));
      m.allAttackerIps = m.allAttackerIps.length;
    }
    await measureWorkers(out);
  }
  await memoryRun(o, out);
  log('');
  log(renderTable(rows));
  if (out.workers) log(`workers: ${out.workers.note ?? `2 vs 1: ${out.workers.speedup.toFixed(2)}×, alerts ${out.workers.identicalAlerts ? 'identical' : 'differ'}`}`);
  if (out.memory) log(`memory: ${out.memory.events} events, ${out.memory.users} users, ${out.memory.ips} addresses: peak RSS ${fmtMb(out.memory.peakRssKb)}${out.memory.error ? ` (${out.memory.error})` : ''}; RSS by events: ${out.memory.samples.map((s) => s.rssMb).join(' ')} MB`);
  out.table = rows;
  mkdirSync(join(BENCH, 'out'), { recursive: true });
  writeFileSync(join(BENCH, 'out/latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  log('figures: bench/out/latest.json');
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
