#!/usr/bin/env node
/**
 * Benchmark of `vigil serve` ingest (not a test): durable HTTP ingest on loopback, acknowledged
 * only after the journal commit, with detection running in the same process.
 *
 *   node bench/serve-ingest.mjs [--seconds 30] [--clients 4] [--batch 1000]
 *                               [--outage-seconds 600] [--outage store|smtp|both|none]
 *
 * Phase 1 (sustained): CLIENTS senders post NDJSON batches of Okta records as fast as they are
 * acknowledged. Printed: events/s (wall), events per CPU-second of the server process (its
 * utime+stime from /proc: the "per core" figure), p50/p99 acknowledgement latency, peak RSS.
 * Phase 2 (outage): the alert store (PostgreSQL behind a loopback TCP proxy that the bench cuts)
 * and/or the SMTP server (a loopback smtp-server that is closed) is down for OUTAGE seconds while
 * senders offer twice the phase-1 rate. Printed: RSS every 10 s and at peak, answers by status
 * (2xx / 429 / 503 / errors), and whether detection caught up after the outage.
 * Results go to bench/out/serve-ingest.json as well.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SECONDS = Number(opt('seconds', 30));
const CLIENTS = Number(opt('clients', 4));
const BATCH = Number(opt('batch', 1000));
const OUTAGE_SECONDS = Number(opt('outage-seconds', 600));
const OUTAGE = opt('outage', 'both');
const PG_URL = process.env.VIGIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const work = mkdtempSync(join(tmpdir(), 'vigil-serve-bench-'));
const log = (s) => process.stdout.write(`${s}\n`);

function vigil(a) {
  const r = spawnSync(process.execPath, [bin, ...a], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`vigil ${a[0]}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Okta records to send, cycled: every pass over them shifts event times by the span of the data,
 * so each pass is new activity (new attacks, new alerts) rather than late copies, and every record
 * gets a fresh uuid so none is a duplicate.
 */
function loadRecords() {
  const sim = join(tmpdir(), 'vigil-bench', 'serve-okta-200k');
  if (!existsSync(join(sim, 'okta'))) {
    mkdirSync(sim, { recursive: true });
    vigil(['simulate', '--out', sim, '--seed', 'serve-bench', '--orgs', '4', '--users-per-org', '200-1000', '--days', '7', '--format', 'okta', '--events', '200000']);
  }
  const records = [];
  // '{"uuid":"<36 chars>","published":"<24 chars>"' then the rest
  const HEAD = /^\{"uuid":"[0-9a-f-]{36}","published":"([0-9T:.Z-]{24})"/;
  for (const f of readdirSync(join(sim, 'okta')).sort()) {
    for (const l of readFileSync(join(sim, 'okta', f), 'utf8').split('\n')) {
      const m = HEAD.exec(l);
      if (m) records.push({ time: Date.parse(m[1]), rest: l.slice(m[0].length) });
    }
  }
  records.sort((a, b) => a.time - b.time);
  return records;
}

let serial = 0;
function batchBody(records, n) {
  const span = records[records.length - 1].time - records[0].time + 3_600_000;
  const out = [];
  for (let i = 0; i < n; i++) {
    const k = serial + i;
    const r = records[k % records.length];
    const pass = Math.floor(k / records.length);
    const id = k.toString(16).padStart(12, '0');
    out.push(`{"uuid":"00000000-0000-4000-8000-${id}","published":"${new Date(r.time + pass * span).toISOString()}"${r.rest}`);
  }
  serial += n;
  return out.join('\n');
}

/** RSS and CPU seconds of a process, from /proc. */
function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const ticks = (file) => {
      const stat = readFileSync(file, 'utf8').split(') ')[1].split(' ');
      return Number(stat[11]) + Number(stat[12]);
    };
    // the main thread (tid = pid) answers HTTP and commits the journal; detection has its own thread
    return { rss, hwm, cpu: ticks(`/proc/${pid}/stat`) / 100, mainCpu: ticks(`/proc/${pid}/task/${pid}/stat`) / 100 };
  } catch {
    return { rss: 0, hwm: 0, cpu: 0, mainCpu: 0 };
  }
}

/** A loopback TCP proxy to PostgreSQL that can be cut (every socket destroyed, new ones refused). */
async function startProxy(target) {
  const u = new URL(target);
  const sockets = new Set();
  let down = false;
  const server = createServer((client) => {
    if (down) return client.destroy();
    const net = import('node:net');
    void net.then(({ connect }) => {
      const upstream = connect(Number(u.port || 5432), u.hostname);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    url: `postgres://${u.username}@127.0.0.1:${port}${u.pathname}?schema=vigil_bench_${process.pid}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function startSmtp(port = 0) {
  let mails = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => {
        mails++;
        cb();
      });
    },
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { port: server.server.address().port, close: () => new Promise((r) => server.close(() => r())), mails: () => mails };
}

let stopping = false;
async function startServe(extra) {
  const nodeArgs = (process.env.VIGIL_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--max-old-space-size=1024', bin, 'serve', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.on('data', (d) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l).url));
    child.once('exit', (c) => reject(new Error(`serve exited ${c}: ${stderrTail}`)));
  });
  child.on('exit', (code, signal) => {
    if (!stopping) log(`vigil serve exited unexpectedly (code ${code}, signal ${signal}); its last messages:\n${stderrTail}`);
  });
  return { child, url, stderr: () => stderrTail };
}

/** Records committed to the journal that detection has not processed yet. */
function detectionBacklog(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const last = db.prepare('SELECT coalesce(max(seq), 0) AS s FROM journal').get().s;
    const cp = db.prepare("SELECT checkpoint AS c FROM journal_consumers WHERE name = 'detect'").get()?.c ?? 0;
    return last - cp;
  } finally {
    db.close();
  }
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Senders: `rate` events/s in total (Infinity: as fast as acknowledged) until `until`. */
async function load({ url, token, records, until, rate, clients, onAnswer }) {
  const perClientInterval = Number.isFinite(rate) ? (BATCH * clients) / rate : 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      let next = Date.now();
      while (Date.now() < until) {
        const body = batchBody(records, BATCH);
        const t0 = performance.now();
        let status = 0;
        try {
          const r = await fetch(`${url}/v1/ingest?format=okta`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body });
          status = r.status;
          await r.arrayBuffer();
        } catch {
          status = -1;
        }
        onAnswer(status, performance.now() - t0);
        if (perClientInterval > 0) {
          next += perClientInterval * 1000;
          const wait = next - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          else next = Date.now();
        } else if (status !== 200) {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
}

async function main() {
  log(`vigil serve ingest benchmark: ${CLIENTS} clients, batches of ${BATCH} Okta records, ${SECONDS} s sustained, outage ${OUTAGE} for ${OUTAGE_SECONDS} s`);
  const records = loadRecords();
  log(`${records.length} distinct records loaded (sent with fresh uuids)`);
  const serverDb = join(work, 'server.db');
  const token = JSON.parse(vigil(['token', 'create', '--server-db', serverDb, '--tenant', 'bench.example'])).token;
  const proxy = await startProxy(PG_URL);
  const smtp = await startSmtp();
  const notify = join(work, 'notify.json');
  writeFileSync(
    notify,
    JSON.stringify({
      channels: [{ name: 'mail', type: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'vigil@bench.example', to: ['soc@bench.example'], timeoutMs: 2000 }],
      routes: [{ match: { minSeverity: 'medium' }, channels: ['mail'], audience: 'admins' }],
      egress: { allowPrivate: true },
    }),
  );
  const store = OUTAGE === 'store' || OUTAGE === 'both' ? proxy.url : join(work, 'alerts.db');
  const serve = await startServe(['--server-db', serverDb, '--db', store, '--port', '0', '--notify', notify]);
  const pid = serve.child.pid;
  const result = { clients: CLIENTS, batch: BATCH };

  // phase 1: sustained
  const lat = [];
  let acked = 0;
  let other = 0;
  const before = procStats(pid);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, procStats(pid).rss)), 200);
  const t0 = Date.now();
  await load({
    url: serve.url,
    token,
    records,
    until: t0 + SECONDS * 1000,
    rate: Infinity,
    clients: CLIENTS,
    onAnswer: (s, ms) => {
      if (s === 200) {
        acked += BATCH;
        lat.push(ms);
      } else other++;
    },
  });
  const wall = (Date.now() - t0) / 1000;
  const after = procStats(pid);
  const cpu = after.cpu - before.cpu;
  const mainCpu = after.mainCpu - before.mainCpu;
  clearInterval(sampler);
  result.sustained = {
    seconds: wall,
    eventsAcked: acked,
    eventsPerSecond: Math.round(acked / wall),
    eventsPerCpuSecond: Math.round(acked / Math.max(cpu, 0.01)),
    eventsPerIngestCpuSecond: Math.round(acked / Math.max(mainCpu, 0.01)),
    serverCpuSeconds: cpu,
    ingestThreadCpuSeconds: mainCpu,
    p50ms: Math.round(pct(lat, 50)),
    p99ms: Math.round(pct(lat, 99)),
    nonOk: other,
    peakRssMiB: Math.round(peak / 2 ** 20),
  };
  log(`sustained: ${result.sustained.eventsPerSecond} events/s acknowledged (wall); per CPU-second: ${result.sustained.eventsPerIngestCpuSecond} events on the ingest thread, ${result.sustained.eventsPerCpuSecond} for the whole server with detection; p50 ${result.sustained.p50ms} ms, p99 ${result.sustained.p99ms} ms per ${BATCH}-record batch; peak RSS ${result.sustained.peakRssMiB} MiB; non-2xx ${other}`);

  // phase 2: outage at twice the sustained rate
  if (OUTAGE !== 'none' && OUTAGE_SECONDS > 0) {
    const rate = 2 * Math.max(result.sustained.eventsPerSecond, 1000);
    if (OUTAGE === 'store' || OUTAGE === 'both') proxy.cut();
    if (OUTAGE === 'smtp' || OUTAGE === 'both') await smtp.close();
    const byStatus = {};
    const rss = [];
    let outagePeak = 0;
    const tOut = Date.now();
    const sample = setInterval(() => {
      const s = procStats(pid);
      outagePeak = Math.max(outagePeak, s.rss);
      if (rss.length === 0 || Date.now() - tOut >= rss.length * 10_000) rss.push(Math.round(s.rss / 2 ** 20));
    }, 250);
    await load({
      url: serve.url,
      token,
      records,
      until: tOut + OUTAGE_SECONDS * 1000,
      rate,
      clients: CLIENTS,
      onAnswer: (s) => {
        byStatus[s] = (byStatus[s] ?? 0) + 1;
      },
    });
    clearInterval(sample);
    proxy.restore();
    const smtpAgain = OUTAGE === 'smtp' || OUTAGE === 'both' ? await startSmtp(smtp.port).catch(() => undefined) : undefined;
    // does detection catch up once the store is back?
    const tBack = Date.now();
    const backlogAtEnd = detectionBacklog(serverDb);
    let caughtUp = false;
    for (let i = 0; i < 600 && !caughtUp; i++) {
      if (detectionBacklog(serverDb) <= 0) caughtUp = true;
      else await new Promise((r) => setTimeout(r, 1000));
    }
    result.outage = {
      kind: OUTAGE,
      seconds: OUTAGE_SECONDS,
      offeredEventsPerSecond: rate,
      answers: byStatus,
      rssMiBEvery10s: rss,
      peakRssMiB: Math.round(outagePeak / 2 ** 20),
      backlogAtEndOfOutage: backlogAtEnd,
      detectionCaughtUpSeconds: caughtUp ? Math.round((Date.now() - tBack) / 1000) : null,
      mailsAfterRecovery: smtpAgain?.mails() ?? null,
    };
    log(`outage (${OUTAGE}, ${OUTAGE_SECONDS} s at ${rate} events/s offered): answers ${JSON.stringify(byStatus)}; peak RSS ${result.outage.peakRssMiB} MiB; RSS every 10 s ${rss.join(' ')}`);
    log(`after the outage: ${backlogAtEnd} records waited for detection; detection ${caughtUp ? `caught up in ${result.outage.detectionCaughtUpSeconds} s` : 'had not caught up after 10 min'}`);
    await smtpAgain?.close();
  }
  stopping = true;
  serve.child.kill('SIGTERM');
  await new Promise((r) => serve.child.once('exit', r));
  await proxy.close();
  await smtp.close().catch(() => undefined);
  spawnSync('psql', [PG_URL, '-qc', `DROP SCHEMA IF EXISTS vigil_bench_${process.pid} CASCADE`], { encoding: 'utf8' });
  mkdirSync(join(root, 'bench', 'out'), { recursive: true });
  writeFileSync(join(root, 'bench', 'out', 'serve-ingest.json'), JSON.stringify(result, null, 2));
  rmSync(work, { recursive: true, force: true });
}

await main();
