/**
 * `npm run eval`: simulate each scenario, scan it like `vigil scan`, score against the ground
 * truth, scan the real datasets, print tables and PASS/FAIL per target. Exit 1 when a target fails.
 *
 *   node scripts/eval.mjs [--only a,b] [--no-datasets] [--datasets DIR] [--json [FILE]] [--keep DIR]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDatasets } from './datasets.js';
import { buildReport, renderText } from './report.js';
import { EVAL_SCENARIOS } from './scenarios.js';
import { runScenario, type ScenarioRun } from './simulated.js';

export const DEFAULT_DATASETS = '../shared/datasets';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      'no-datasets': { type: 'boolean', default: false },
      datasets: { type: 'string', default: DEFAULT_DATASETS },
      json: { type: 'boolean', default: false },
      'json-file': { type: 'string' },
      keep: { type: 'string' },
    },
    strict: true,
  });
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const scenarios = EVAL_SCENARIOS.filter((s) => !only || only.has(s.name));
  if (only && scenarios.length === 0) {
    process.stderr.write(`eval: no scenario named ${values.only} (have ${EVAL_SCENARIOS.map((s) => s.name).join(', ')})\n`);
    return 2;
  }
  // progress goes to stderr so that --json keeps stdout clean
  const log = (line: string): void => void process.stderr.write(`eval: ${line}\n`);
  const root = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'vigil-eval-'));
  const started = Date.now();
  const runs: ScenarioRun[] = [];
  try {
    for (const s of scenarios) {
      log(`${s.name}: simulating and scanning…`);
      const r = await runScenario(s, join(root, s.name), { keep: Boolean(values.keep) });
      log(`${s.name}: ${r.events} events, ${r.score.alerts.length} alerts (simulate ${(r.simulateMs / 1000).toFixed(1)}s, scan ${(r.scanMs / 1000).toFixed(1)}s)`);
      runs.push(r);
    }
  } finally {
    if (!values.keep) rmSync(root, { recursive: true, force: true });
  }
  const datasets = values['no-datasets'] ? [] : await runDatasets(resolve(values.datasets), log);
  const report = buildReport(runs, datasets);
  if (values['json-file']) writeFileSync(values['json-file'], `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${renderText(report, runs)}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  return report.pass ? 0 : 1;
}
