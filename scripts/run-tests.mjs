#!/usr/bin/env node
// Runs the whole suite: build (the CLI tests run the built binary), then vitest, then prints the
// plain "N passed, N failed" line that CI reads.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, existsSync } from 'node:fs';

const results = '.vitest-results.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false });

// the build, then the same strict checks over the tests (tsc does not run under vitest)
const build = run('npx', ['tsc', '-p', 'tsconfig.json']);
const typecheck = build.status === 0 ? run('npx', ['tsc', '-p', 'tsconfig.tests.json']) : build;
if (typecheck.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// PostgreSQL for the store tests: started (or installed) when missing; they skip when it cannot be had
if (process.platform !== 'win32') run('bash', ['scripts/ensure-postgres.sh']);
rmSync(results, { force: true });
const extra = process.argv.slice(2);
const vt = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...extra]);
let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests ?? 0;
  // a suite that failed to load has no tests counted: count it as a failure
  const brokenSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  failed = (r.numFailedTests ?? 0) + brokenSuites;
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(vt.status === 0 && failed === 0 ? 0 : 1);
