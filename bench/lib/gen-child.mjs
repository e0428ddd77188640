// Child: writes one simulated log file of one format (every organization into one file, in time
// order, as a central collector would hold it) plus what the harness needs to score recall.
// usage: node gen-child.mjs <distDir> <format> <events> <seed> <outDir>
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [distDir, format, eventsArg, seed, outDir] = process.argv.slice(2);
const events = Number(eventsArg);
const load = (p) => import(pathToFileURL(join(distDir, p)).href);
const { Simulation, DEFAULT_SCENARIO } = await load('simulate/index.js');
const { WRITERS } = await load('simulate/writers/index.js');
const { Rng } = await load('simulate/rng.js');
const { TOR_EXITS } = await load('simulate/networks.js');

// A world big enough that `events` are reached after a week or two of simulated time; the
// year is only an upper bound (the simulation stops at `events`).
const big = events > 150_000;
const sim = new Simulation({
  seed,
  start: Date.parse('2024-02-26T00:00:00Z'),
  days: 366,
  orgs: big ? 12 : 6,
  usersMin: big ? 200 : 10,
  usersMax: big ? 3000 : 500,
  format,
  scenario: DEFAULT_SCENARIO,
  maxEvents: events,
});
const writer = WRITERS[format];
const ids = new Rng(`${seed}/ids`);
const file = join(outDir, `${format}.${writer.ext}`);
const fd = openSync(`${file}.tmp`, 'w');
let buf = [];
let bufLen = 0;
let lines = 0;
let bytes = 0;
const flush = () => {
  const s = buf.join('');
  writeSync(fd, s);
  bytes += Buffer.byteLength(s);
  buf = [];
  bufLen = 0;
};
const campaignIps = new Map();
const benignIps = new Set();
for (const e of sim.events()) {
  for (const line of writer.lines(e, ids)) {
    buf.push(line, '\n');
    bufLen += line.length + 1;
    lines++;
  }
  if (bufLen > 1 << 20) flush();
  if (e.campaign !== undefined) {
    let s = campaignIps.get(e.campaign);
    if (!s) campaignIps.set(e.campaign, (s = new Set()));
    s.add(e.net.ip);
  } else benignIps.add(e.net.ip);
}
flush();
closeSync(fd);
const truth = sim.campaigns.map((c) => c.finish());
const meta = {
  format,
  file,
  events: sim.emitted,
  lines,
  bytes,
  // attacker addresses that really appear in this file, per campaign
  campaigns: truth.map((c) => ({ id: c.id, kind: c.kind, ips: [...(campaignIps.get(c.id) ?? [])].sort() })).filter((c) => c.ips.length > 0),
  // every address any campaign may use: never counted as a benign address flagged
  allAttackerIps: [...new Set(truth.flatMap((c) => c.attackerIps))].sort(),
  benignIpCount: benignIps.size,
};
writeFileSync(join(outDir, 'tor-exits.txt'), `${TOR_EXITS.join('\n')}\n`);
writeFileSync(join(outDir, `${format}.meta.json`), `${JSON.stringify(meta)}\n`);
renameSync(`${file}.tmp`, file);
process.stdout.write(`RESULT ${JSON.stringify({ file, events: meta.events, lines, bytes })}\n`);
