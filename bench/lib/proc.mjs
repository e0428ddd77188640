// Runs a child process and samples its memory (the whole process tree) every 50 ms from /proc.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, openSync, closeSync } from 'node:fs';

const SAMPLE_MS = 50;

function statusKb(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const at = text.indexOf(`${field}:`);
    if (at < 0) return 0;
    return Number.parseInt(text.slice(at + field.length + 1, text.indexOf('\n', at)).trim(), 10) || 0;
  } catch {
    return 0;
  }
}

/** the pid and every descendant, through /proc/<pid>/task/<tid>/children */
function tree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

/**
 * Spawns `cmd args` in its own process group; resolves with exit status, captured stdout (or
 * written to opts.stdoutFile), the stderr tail, wall time and the peak resident set of the tree.
 * opts.onLine(line) sees stdout lines as they come (when not redirected to a file).
 */
export function runMeasured(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let outFd;
    if (opts.stdoutFile) outFd = openSync(opts.stdoutFile, 'w');
    let child;
    try {
      child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        detached: true,
        stdio: ['ignore', outFd ?? 'pipe', 'pipe'],
      });
    } catch (err) {
      if (outFd !== undefined) closeSync(outFd);
      resolve({ code: -1, error: String(err), stdout: '', stderr: '', wallMs: 0, peakRssKb: 0, timedOut: false });
      return;
    }
    let stdout = '';
    let partial = '';
    let stderr = '';
    let peak = 0;
    let timedOut = false;
    let spawnError;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d) => {
      if (stdout.length < 64 * 1024 * 1024) stdout += d;
      if (opts.onLine) {
        partial += d;
        let nl;
        while ((nl = partial.indexOf('\n')) >= 0) {
          opts.onLine(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-8000);
    });
    const sample = () => {
      if (child.pid === undefined) return;
      let sum = 0;
      for (const p of tree(child.pid)) sum += statusKb(p, 'VmRSS');
      // VmHWM is the kernel's own peak for the main process, between our samples too
      peak = Math.max(peak, sum, statusKb(child.pid, 'VmHWM'));
    };
    const timer = setInterval(sample, SAMPLE_MS);
    const killer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      spawnError = String(err.message ?? err);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      if (outFd !== undefined) closeSync(outFd);
      resolve({ code, signal, error: spawnError, stdout, stderr, wallMs: performance.now() - t0, peakRssKb: peak, timedOut });
    });
    sample();
  });
}

/** the JSON after the last "RESULT " line a bench child printed */
export function childResult(stdout) {
  const at = stdout.lastIndexOf('RESULT ');
  if (at < 0) return undefined;
  const end = stdout.indexOf('\n', at);
  try {
    return JSON.parse(stdout.slice(at + 7, end < 0 ? undefined : end));
  } catch {
    return undefined;
  }
}
