/** One simulated scenario end to end: generate with the simulator, scan like the CLI, score. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, type ActorCatalog } from '../attribute/catalog.js';
import { runScan } from '../pipeline/scan.js';
import { runSimulation } from '../simulate/index.js';
import type { EvalScenario } from './scenarios.js';
import { scoreRun, type RunScore } from './score.js';

export interface ScenarioRun {
  name: string;
  description: string;
  events: number;
  orgs: number;
  users: number;
  formats: string[];
  simulateMs: number;
  scanMs: number;
  /** events the scanner read (should equal `events`) */
  scannedEvents: number;
  malformed: number;
  score: RunScore;
}

export interface RunScenarioOptions {
  keep?: boolean;
  /** the actor catalog attribution uses and the score compares names by (default data/actors.json) */
  catalog?: ActorCatalog;
}

export async function runScenario(s: EvalScenario, dir: string, opts: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const catalog = opts.catalog ?? loadCatalog();
  rmSync(dir, { recursive: true, force: true });
  const t0 = Date.now();
  const sim = runSimulation(s.options, dir);
  const t1 = Date.now();
  try {
    const summary = await runScan({
      // the log files only: truth.json and the Tor list beside them are not sign-in logs
      paths: sim.files.map((f) => join(dir, f)),
      enrichment: { torExits: [join(dir, sim.truth.torExitsFile)] },
      // like `vigil scan`: campaigns and attribution from the catalog's behaviour profiles (no intel)
      campaigns: { catalog },
    });
    const t2 = Date.now();
    return {
      name: s.name,
      description: s.description,
      events: sim.events,
      orgs: sim.truth.orgs.length,
      users: sim.truth.orgs.reduce((n, o) => n + o.users, 0),
      formats: [...new Set(sim.truth.orgs.map((o) => o.format))].sort(),
      simulateMs: t1 - t0,
      scanMs: t2 - t1,
      scannedEvents: summary.stats.events,
      malformed: summary.stats.malformed,
      score: scoreRun(s.name, sim.truth, summary.alerts, { catalog }),
    };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
