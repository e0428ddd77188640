import { describe, expect, it, beforeAll } from 'vitest';
import { projectRoot, runVigil } from '../support/cli.js';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** `vigil scan --workers N` (the built binary): files parsed on worker threads, same alerts and report. */
const root = projectRoot;
const vigil = runVigil;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-workers-'));
});

describe('vigil scan --workers', () => {
  it('is listed by --help', () => {
    expect(vigil(['scan', '--help']).out).toContain('--workers <n>');
  });

  it('gives the same alerts, byte for byte, with 1, 2 and 4 threads on the samples', () => {
    const scan = (w: string) => vigil(['scan', '--no-db', '--json', '--fail-on', 'none', '--workers', w, '--tor-exits', 'samples/tor-exits.txt', 'samples/logs']);
    const one = scan('1');
    expect(one.code).toBe(0);
    expect(one.out.trim().split('\n').length).toBeGreaterThan(3);
    for (const w of ['2', '4']) {
      const r = scan(w);
      expect(r.code).toBe(0);
      expect(r.out).toBe(one.out);
    }
  });

  it('reports the same bad records, counts and findings as one thread, gzip and stdin included', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const good = readFileSync(join(root, 'samples', 'logs', 'entra', 'org1.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(bad, 'entra.jsonl'), [...good.slice(0, 30), good[30]!.slice(0, 40), ...good.slice(31)].join('\n'));
    writeFileSync(join(bad, 'okta.jsonl.gz'), gzipSync(readFileSync(join(root, 'samples', 'logs', 'okta', 'org2.jsonl'))));
    writeFileSync(join(bad, 'garbage.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    copyFileSync(join(root, 'samples', 'logs', 'sshd', 'org3.log'), join(bad, 'auth.log'));
    const stdin = readFileSync(join(root, 'samples', 'logs', 'sshd', 'org3.log'), 'utf8');
    const report = (w: string) => vigil(['scan', '--no-db', '--fail-on', 'none', '--no-color', '--workers', w, bad, '-'], stdin);
    const one = report('1');
    const three = report('3');
    // 2: one input (garbage.bin) could not be read
    expect(one.code).toBe(2);
    expect(three.code).toBe(2);
    expect(one.out + one.err).toMatch(/entra\.jsonl:31/);
    // the report names the same issues, counts and alerts; only the elapsed time may differ
    const stable = (s: string) => s.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T');
    expect(stable(three.out)).toBe(stable(one.out));
    expect(stable(three.err)).toBe(stable(one.err));
  });

  it('refuses an unknown --format before starting any thread', () => {
    const r = vigil(['scan', '--no-db', '--workers', '2', '--format', 'nope', 'samples/logs']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope/);
  });

  it('refuses a thread count that is not a number from 1 to 64', () => {
    for (const w of ['0', 'two', '65']) expect(vigil(['scan', '--no-db', '--workers', w, 'samples/logs']).code).toBe(2);
  });
});
