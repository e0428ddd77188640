#!/usr/bin/env node
// Regenerates samples/ (the quick-start data) with the simulator: fixed seed, fixed scenario.
// Run `npm run build` first; the output is byte-identical on every run.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runSimulation, parseScenario } = await import(join(root, 'dist/simulate/index.js'));

// logs go to samples/logs/ so that `vigil scan samples/logs` reads logs only; what describes them
// (ground truth, the Tor list, the scenario) stays one level up
const samples = join(root, 'samples');
const out = join(samples, 'logs');
const scenarioFile = join(samples, 'scenario.json');
rmSync(out, { recursive: true, force: true });

const result = runSimulation(
  {
    seed: 'vigil-sample-1',
    start: Date.parse('2024-02-26T00:00:00Z'),
    days: 2,
    orgs: 3,
    usersMin: 15,
    usersMax: 30,
    formats: ['entra', 'okta', 'sshd'],
    scenario: parseScenario(JSON.parse(readFileSync(scenarioFile, 'utf8')), scenarioFile),
  },
  out,
);
for (const f of ['truth.json', 'tor-exits.txt']) renameSync(join(out, f), join(samples, f));
console.log(`samples: ${result.events} events in ${result.files.join(', ')}`);
