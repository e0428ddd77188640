#!/usr/bin/env node
// `npm run eval`: scores the detectors on simulated scenarios and the real datasets (docs/eval.md).
// Runs the built code: `npm run eval` builds first.
import { main } from '../dist/eval/run.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`eval: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(2);
  },
);
