/** `runSimulation`: generate the world, render each event in its org's format, write truth and the Tor list. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Simulation, type SimOptions } from './engine.js';
import { TOR_EXITS } from './networks.js';
import { FileSinks } from './output.js';
import { Rng } from './rng.js';
import { buildTruth, type Truth } from './truth.js';
import { WRITERS } from './writers/index.js';

export { Simulation, type SimOptions } from './engine.js';
export { DEFAULT_SCENARIO, parseScenario, type Scenario } from './scenario.js';
export type { SimEvent, SimFormat } from './model.js';
export type { Truth } from './truth.js';

export interface SimResult {
  events: number;
  lines: number;
  files: string[];
  truth: Truth;
}

export function runSimulation(opts: SimOptions, outDir: string): SimResult {
  mkdirSync(outDir, { recursive: true });
  const sim = new Simulation(opts);
  const ids = new Rng(`${opts.seed}/ids`);
  const sinks = new FileSinks();
  const files = new Set<string>();
  const byFormat: Record<string, number> = {};
  let lines = 0;
  for (const e of sim.events()) {
    const writer = WRITERS[e.org.format];
    const file = `${e.org.format}/${e.org.name}.${writer.ext}`;
    for (const line of writer.lines(e, ids)) {
      sinks.write(join(outDir, file), line);
      lines++;
    }
    files.add(file);
    byFormat[e.org.format] = (byFormat[e.org.format] ?? 0) + 1;
  }
  sinks.close();
  // the whole list the simulator drew from, as a real exit list of those days would contain them all
  writeFileSync(join(outDir, 'tor-exits.txt'), `${TOR_EXITS.join('\n')}\n`);
  const truth = buildTruth(sim, byFormat);
  writeFileSync(join(outDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return { events: sim.emitted, lines, files: [...files].sort(), truth };
}
