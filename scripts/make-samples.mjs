#!/usr/bin/env node
// Regenerates samples/ (the quick-start data) with the simulator: fixed seed, fixed scenario.
// Run `npm run build` first; the output is byte-identical on every run.
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runSimulation, parseScenario } = await import(join(root, 'dist/simulate/index.js'));

const out = join(root, 'samples');
const scenarioFile = join(out, 'scenario.json');
for (const d of ['entra', 'okta', 'sshd', 'o365', 'gws', 'windows']) rmSync(join(out, d), { recursive: true, force: true });

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
console.log(`samples: ${result.events} events in ${result.files.join(', ')}`);
