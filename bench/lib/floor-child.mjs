// Child: the floor. Stream the file, split lines, and either JSON.parse each line or test one
// regular expression on it; nothing else. usage: node floor-child.mjs <file> json|regex
import { createReadStream } from 'node:fs';

const [file, mode] = process.argv.slice(2);
// one sshd sign-in line: outcome, method, account, address (bounded, no nested quantifiers)
const SSHD = /^\S{1,64} \S{1,255} sshd\[\d{1,10}\]: (?:Failed|Accepted|Invalid user) /;
const t0 = performance.now();
let lines = 0;
let hits = 0;
let rest = '';
const onLine = mode === 'json'
  ? (l) => {
      if (l.length === 0) return;
      lines++;
      if (JSON.parse(l) !== null) hits++;
    }
  : (l) => {
      lines++;
      if (SSHD.test(l)) hits++;
    };
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const s = rest + chunk;
  let from = 0;
  let nl;
  while ((nl = s.indexOf('\n', from)) >= 0) {
    onLine(s.slice(from, nl));
    from = nl + 1;
  }
  rest = s.slice(from);
}
if (rest.length > 0) onLine(rest);
process.stdout.write(`RESULT ${JSON.stringify({ lines, hits, ms: performance.now() - t0 })}\n`);
