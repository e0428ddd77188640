/** `vigil simulate`: deterministic sign-in logs with attacks and a ground-truth file. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VigilError } from '../core/errors.js';
import { isSimFormat, type SimFormat } from './model.js';
import { runSimulation } from './index.js';
import { DEFAULT_SCENARIO, parseScenario, type Scenario } from './scenario.js';
import type { SimOptions } from './engine.js';

/** a Monday, the day before the bundled Tor exit snapshot (2024-02-27) */
export const DEFAULT_START = '2024-02-26T00:00:00Z';

interface RawOptions {
  out: string;
  seed: string;
  orgs: string;
  usersPerOrg: string;
  days: string;
  start: string;
  scenario?: string;
  format: string;
  events?: string;
}

function positive(name: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new VigilError('USAGE', `--${name}: expected a number between 1 and ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** "10-5000" or "50" */
export function parseRange(v: string): [number, number] {
  const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(v.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi < lo) throw new VigilError('USAGE', `--users-per-org: expected N or MIN-MAX, got ${JSON.stringify(v)}`);
  return [lo, hi];
}

/** "mixed", one format, or a comma list assigned to org1, org2, ... in order */
export function parseFormat(v: string): Pick<SimOptions, 'format' | 'formats'> {
  if (v === 'mixed') return {};
  const list = v.split(',').map((s) => s.trim());
  const bad = list.find((s) => !isSimFormat(s));
  if (bad !== undefined) throw new VigilError('USAGE', `--format: unknown format ${JSON.stringify(bad)} (entra, o365, okta, gws, windows, sshd, mixed)`);
  const formats = list as SimFormat[];
  return formats.length === 1 ? { format: formats[0]! } : { formats };
}

export function loadScenario(file: string | undefined): Scenario {
  if (!file) return DEFAULT_SCENARIO;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError('INPUT_UNREADABLE', `cannot read scenario: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VigilError('CONFIG', `not JSON: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  return parseScenario(json, file);
}

export function optionsFrom(raw: RawOptions): SimOptions {
  const start = Date.parse(raw.start);
  if (!Number.isFinite(start)) throw new VigilError('USAGE', `--start: not an ISO time: ${JSON.stringify(raw.start)}`);
  const [usersMin, usersMax] = parseRange(raw.usersPerOrg);
  const opts: SimOptions = {
    seed: raw.seed,
    start,
    days: positive('days', raw.days, 366),
    orgs: Math.round(positive('orgs', raw.orgs, 10_000)),
    usersMin,
    usersMax,
    scenario: loadScenario(raw.scenario),
    ...parseFormat(raw.format),
  };
  if (raw.events !== undefined) opts.maxEvents = Math.round(positive('events', raw.events, 1e10));
  return opts;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('write realistic sign-in logs with attacks, plus truth.json (what really happened) and the Tor exit list used')
    .requiredOption('--out <dir>', 'output directory (DIR/<format>/<org>.jsonl|.log, DIR/truth.json, DIR/tor-exits.txt)')
    .option('--seed <s>', 'random seed: same seed, same bytes', 'vigil')
    .option('--orgs <n>', 'number of organizations', '6')
    .option('--users-per-org <range>', 'users per organization, N or MIN-MAX (log-uniform)', '10-500')
    .option('--days <d>', 'days of activity', '7')
    .option('--start <iso>', 'first hour (UTC)', DEFAULT_START)
    .option('--scenario <file>', 'attack scenario JSON (default: one campaign of each kind)')
    .option('--format <f>', 'entra|o365|okta|gws|windows|sshd, a comma list (one per org), or mixed', 'mixed')
    .option('--events <n>', 'stop after this many events')
    .action((raw: RawOptions) => {
      const opts = optionsFrom(raw);
      const t0 = Date.now();
      const r = runSimulation(opts, raw.out);
      const campaigns = r.truth.campaigns.filter((c) => !c.skipped).length;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      process.stdout.write(`vigil simulate: ${r.events} events (${r.lines} lines) for ${opts.orgs} organizations over ${opts.days} days, ${campaigns} campaigns → ${raw.out} (${r.files.length} log files, truth.json, tor-exits.txt) in ${secs}s\n`);
    });
}
