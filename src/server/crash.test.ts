import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../test/support/events.js';
import { openServerDb } from './db.js';
import { TokenStore } from './tokens.js';
import { oktaRecord } from './test-helpers.js';

/**
 * Crash test: the ingest server runs as a child process and is killed with SIGKILL at a random
 * moment of ingest, CYCLES times; after each restart the client resends every batch it has no 2xx
 * for. In the end every acknowledged record must be stored, and no record stored twice.
 * VIGIL_CRASH_CYCLES=60 runs more cycles; VIGIL_CRASH_SEED repeats one run.
 */
const CYCLES = Math.max(1, Number(process.env.VIGIL_CRASH_CYCLES ?? 6));
const SEED = Number(process.env.VIGIL_CRASH_SEED ?? Date.now() % 1_000_000);
const BATCHES = 40 + CYCLES * 4;
const PER_BATCH = 50;

const root = join(import.meta.dirname, '..', '..');
let buildDir: string;
let mainJs: string;
let dir: string;

beforeAll(() => {
  // compile the server entry (and only what it imports) so the child runs plain node
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  buildDir = mkdtempSync(join(root, 'node_modules', '.cache', 'vigil-crash-'));
  writeFileSync(
    join(buildDir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { rootDir: join(root, 'src'), outDir: join(buildDir, 'out'), sourceMap: false },
      include: [],
      files: [join(root, 'src', 'server', 'main.ts')],
    }),
  );
  // inside node_modules the nearest package.json is not the project's: say these are ES modules
  writeFileSync(join(buildDir, 'package.json'), '{"type":"module"}');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(buildDir, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  mainJs = join(buildDir, 'out', 'server', 'main.js');
  // tsc still emits when files elsewhere have type errors; only a missing entry point stops the test
  if (!existsSync(mainJs)) throw new Error(`tsc did not build ${mainJs}: ${tsc.stdout}${tsc.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
});
afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  port: number;
  exited: Promise<void>;
}

async function startChild(dbFile: string): Promise<Child> {
  const proc = spawn(process.execPath, [mainJs, '--db', dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"listening":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${err.slice(0, 2000)}`)));
  });
  return { proc, port, exited };
}

interface Batch {
  n: number;
  body: string;
  /** even batches carry an Idempotency-Key; odd ones rely on the records' own uuids */
  idemKey?: string;
  uuids: string[];
}

function makeBatches(): Batch[] {
  return Array.from({ length: BATCHES }, (_, n) => {
    const recs = Array.from({ length: PER_BATCH }, (_, i) => oktaRecord({ uuid: `c-${n}-${i}`, ip: `203.0.113.${(n + i) % 250}` }));
    const b: Batch = { n, body: recs.map((r) => JSON.stringify(r)).join('\n'), uuids: recs.map((r) => String(r.uuid)) };
    if (n % 2 === 0) b.idemKey = `batch-${n}`;
    return b;
  });
}

async function send(port: number, token: string, b: Batch): Promise<boolean> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' };
  if (b.idemKey) headers['idempotency-key'] = b.idemKey;
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v1/ingest`, { method: 'POST', headers, body: b.body, signal: AbortSignal.timeout(5000) });
    await r.text();
    return r.status === 200;
  } catch {
    // the server died mid-request, or no answer within 5 s (undici can wait on a reset upload):
    // not acknowledged, like any client that gets no 2xx
    return false;
  }
}

/** Send the pending batches, 3 at a time, until all are acknowledged or the server dies. */
async function pump(port: number, token: string, pending: Map<number, Batch>, acked: Set<number>): Promise<void> {
  const queue = [...pending.values()];
  const worker = async (): Promise<void> => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      if (!(await send(port, token, b))) return;
      acked.add(b.n);
      pending.delete(b.n);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

function storedUuids(dbFile: string): Set<string> {
  const db = openServerDb(dbFile);
  const rows = db.prepare('SELECT raw FROM journal').all() as { raw: string }[];
  db.close();
  return new Set(rows.map((r) => String((JSON.parse(r.raw) as { uuid?: unknown }).uuid)));
}

describe(`crash test (${CYCLES} cycles, seed ${SEED})`, () => {
  it('kill -9 during ingest loses no acknowledged record and stores none twice', async () => {
    const dbFile = join(dir, 'serve.db');
    const db = openServerDb(dbFile);
    const token = new TokenStore(db).create('crash-tenant', 'ingest').token;
    db.close();

    const random = rng(SEED);
    const batches = makeBatches();
    const pending = new Map(batches.map((b) => [b.n, b]));
    const acked = new Set<number>();
    let kills = 0;
    let interrupted = 0;
    for (let cycle = 0; cycle < CYCLES && pending.size > 0; cycle++) {
      const child = await startChild(dbFile);
      const delay = Math.floor(random() * 60);
      const killer = setTimeout(() => {
        child.proc.kill('SIGKILL');
        kills++;
      }, delay);
      const before = acked.size;
      await pump(child.port, token, pending, acked);
      if (pending.size > 0) interrupted++;
      await new Promise((r) => setTimeout(r, 70));
      clearTimeout(killer);
      child.proc.kill('SIGKILL');
      await child.exited;
      if (process.env.VIGIL_CRASH_VERBOSE) process.stderr.write(`cycle ${cycle}: kill after ${delay} ms, ${acked.size - before} batches acknowledged, ${pending.size} pending\n`);
      // acknowledged ⊆ stored after every crash, before anything is resent
      const stored = storedUuids(dbFile);
      const lost = [...acked].flatMap((n) => batches[n]?.uuids ?? []).filter((u) => !stored.has(u));
      expect(lost).toEqual([]);
    }
    // after the last crash: resend everything unacknowledged, and a few acknowledged batches
    // whose answer the client might have missed, against a server left running
    const child = await startChild(dbFile);
    for (const n of [...acked].slice(0, 6)) {
      const b = batches[n];
      if (b) pending.set(n, b);
    }
    await pump(child.port, token, pending, acked);
    child.proc.kill('SIGTERM');
    await child.exited;

    expect(kills).toBeGreaterThan(0);
    // the kills landed during ingest, not only after it
    expect(interrupted).toBeGreaterThan(0);
    expect(acked.size).toBe(BATCHES);
    const check = openServerDb(dbFile);
    const rows = check.prepare('SELECT raw, tenant, tenant_seq FROM journal ORDER BY seq').all() as { raw: string; tenant: string; tenant_seq: number }[];
    check.close();
    const stored = rows.map((r) => String((JSON.parse(r.raw) as { uuid?: unknown }).uuid));
    const all = batches.flatMap((b) => b.uuids);
    // acknowledged ⊆ stored, and nothing twice
    expect(new Set(stored).size).toBe(stored.length);
    expect([...stored].sort()).toEqual([...all].sort());
    expect(rows.every((r) => r.tenant === 'crash-tenant')).toBe(true);
    expect(rows.map((r) => r.tenant_seq)).toEqual(rows.map((_, i) => i + 1));
  });
});
