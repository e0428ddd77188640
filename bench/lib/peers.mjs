// The tools people use on sshd logs today, each replaying the bench file offline.
// Every function resolves to { flaggedIps, seconds, peakRssKb, note } or { skipped: reason }.
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { runMeasured, childResult } from './proc.mjs';
import { addRow, flagByWindow } from './jail.mjs';

const F2B = '/usr/bin/fail2ban-regex';
const SSHG_DIR = '/usr/libexec/sshguard';
const CROWDSEC = '/usr/bin/crowdsec';

export const PEER_PACKAGES = { fail2ban: F2B, sshguard: `${SSHG_DIR}/sshg-blocker`, crowdsec: CROWDSEC };

export function missingPeers() {
  return Object.entries(PEER_PACKAGES)
    .filter(([, bin]) => !existsSync(bin))
    .map(([name]) => name);
}

/** apt-get install the missing peers (root only; asked for with VIGIL_BENCH_INSTALL=1) */
export async function installPeers(missing, log) {
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    log(`peers: VIGIL_BENCH_INSTALL=1 needs root to apt-get install ${missing.join(' ')}`);
    return;
  }
  log(`peers: apt-get install -y ${missing.join(' ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = await runMeasured('apt-get', ['install', '-y', ...missing], { env, timeoutMs: 600_000 });
  // crowdsec's post-install registers with the online API and fails offline; its binaries remain
  if (r.code !== 0) log(`peers: apt-get exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

const secs = (ms) => ms / 1000;

/** fail2ban-regex with the stock sshd filter finds failures; the jail's 5-in-10-min rule is replayed here */
export async function runFail2ban(file, workDir, timeoutMs) {
  if (!existsSync(F2B)) return { skipped: 'not installed (apt-get install fail2ban)' };
  const rows = join(workDir, 'fail2ban-rows.txt');
  const r = await runMeasured(F2B, ['-o', 'row', file, 'sshd'], { stdoutFile: rows, timeoutMs });
  if (r.timedOut) return { skipped: `did not finish in ${secs(timeoutMs)} s`, seconds: secs(r.wallMs), peakRssKb: r.peakRssKb };
  if (r.code !== 0) return { skipped: `fail2ban-regex exited ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  const t0 = performance.now();
  const byIp = new Map();
  let failures = 0;
  const rl = createInterface({ input: createReadStream(rows, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) if (addRow(byIp, line)) failures++;
  const flaggedIps = flagByWindow(byIp, 5, 600);
  const replayMs = performance.now() - t0;
  rmSync(rows, { force: true });
  return {
    flaggedIps,
    seconds: secs(r.wallMs + replayMs),
    peakRssKb: r.peakRssKb,
    note: `${failures} failures matched; jail rule replayed in ${secs(replayMs).toFixed(1)} s`,
  };
}

/**
 * sshguard's own parser and blocker, fed the file through a pipe (its log tailer never ends).
 * The blocker counts attacks on the wall clock, so a fast replay makes the whole file one
 * instant: any address reaching the threshold anywhere in the file is blocked — an upper bound.
 */
export async function runSshguard(file, timeoutMs) {
  const parser = `${SSHG_DIR}/sshg-parser`;
  const blocker = `${SSHG_DIR}/sshg-blocker`;
  if (!existsSync(parser) || !existsSync(blocker)) return { skipped: 'not installed (apt-get install sshguard)' };
  // -a 30: block after 30 points (3 failures at 10 points each), as the stock configuration
  const script = '"$0" < "$1" | "$2" -a 30 -p 120 -s 1800';
  const r = await runMeasured('sh', ['-c', script, parser, file, blocker], { timeoutMs });
  if (r.timedOut) return { skipped: `did not finish in ${secs(timeoutMs)} s`, seconds: secs(r.wallMs), peakRssKb: r.peakRssKb };
  if (r.code !== 0) return { skipped: `sshguard pipeline exited ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  const flagged = new Set();
  for (const line of r.stdout.split('\n')) {
    const parts = line.split(' ');
    if (parts[0] === 'block' && parts[1]) flagged.add(parts[1]);
  }
  return {
    flaggedIps: [...flagged].sort(),
    seconds: secs(r.wallMs),
    peakRssKb: r.peakRssKb,
    note: 'sshg-parser | sshg-blocker -a 30; wall-clock windows, so the file counts as one instant',
  };
}

/** DuckDB in a child process: the analyst's query */
export async function runDuckdb(benchDir, file, timeoutMs) {
  try {
    await import('@duckdb/node-api');
  } catch (err) {
    return { skipped: `@duckdb/node-api not loadable (${String(err instanceof Error ? err.message : err).slice(0, 120)})` };
  }
  const r = await runMeasured(process.execPath, [join(benchDir, 'lib/duckdb-child.mjs'), file], { timeoutMs });
  const res = childResult(r.stdout);
  if (r.timedOut) return { skipped: `did not finish in ${secs(timeoutMs)} s` };
  if (!res) return { skipped: `DuckDB query failed: ${r.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${r.code}`}` };
  return { flaggedIps: res.flaggedIps, seconds: secs(res.ms), peakRssKb: r.peakRssKb, note: '>= 5 failures in any 600 s per address (window function)' };
}

/**
 * CrowdSec needs its hub parsers and scenarios installed and a local API on 127.0.0.1 with a
 * private database and no online-API credentials; the bench does not build that sandbox.
 */
export async function runCrowdsec() {
  if (!existsSync(CROWDSEC)) return { skipped: 'not installed (apt-get install crowdsec)' };
  return {
    skipped:
      'installed but not run: an offline replay needs a private local API (-no-capi, own database, no online credentials) and the sshd hub collection installed without network; not set up by this bench',
  };
}
