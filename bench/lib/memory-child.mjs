// Child: the memory run. Stationary sign-in traffic generated as AuthEvents (no parsing) goes
// through enrichment and every detector; resident memory is printed every `every` events so its
// flatness can be seen. usage: node memory-child.mjs <distDir> <events> <users> <ips> <every>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distDir, eventsArg, usersArg, ipsArg, everyArg] = process.argv.slice(2);
const total = Number(eventsArg);
const users = Number(usersArg);
const ips = Number(ipsArg);
const every = Number(everyArg);
const load = (p) => import(pathToFileURL(join(distDir, p)).href);
const { createEnrichment } = await load('enrich/index.js');
const { DetectionEngine } = await load('detect/engine.js');
// what runScan does to keep a big scan's heap near its live size
const { HeapBound } = await load('pipeline/heap-bound.js');

// xorshift32: deterministic, allocation-free
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(rand() * n);
// address k of the pool: consecutive public IPv4 from 23.0.0.0
const ipText = (k) => {
  const v = 0x17000000 + k;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
};
const ipsPerUser = Math.max(1, Math.floor(ips / users));
const start = Date.parse('2024-03-01T00:00:00Z');
// 10M events over 30 days: the rate of a large organization, the same all month
const step = (30 * 86_400_000) / total;

const enrichment = await createEnrichment({});
const engine = new DetectionEngine();
const heap = new HeapBound();
const t0 = performance.now();
const mb = (b) => Math.round(b / 1048576);
for (let i = 0; i < total; i++) {
  const u = pick(users);
  const attacker = rand() < 0.01;
  // users sign in from their own few addresses; 1% of traffic is guessing from anywhere in the pool
  const ip = attacker ? ipText(pick(ips)) : ipText(u * ipsPerUser + pick(ipsPerUser));
  const fail = attacker || rand() < 0.04;
  const e = {
    time: Math.floor(start + i * step),
    tenant: `org${u % 20}.example`,
    user: `user${u}@org${u % 20}.example`,
    srcIp: ip,
    outcome: fail ? 'failure' : 'success',
    protocol: 'browser',
    source: 'entra',
    ...(fail ? { reason: 'bad_password', code: '50126' } : {}),
  };
  enrichment.enrich(e);
  engine.process(e);
  heap.tick();
  if ((i + 1) % every === 0) {
    const m = process.memoryUsage();
    process.stdout.write(`MEM ${JSON.stringify({ events: i + 1, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), s: Math.round(performance.now() - t0) / 1000 })}\n`);
  }
}
const alerts = engine.finish();
enrichment.close();
process.stdout.write(`RESULT ${JSON.stringify({ ms: performance.now() - t0, events: total, alerts: alerts.length })}\n`);
