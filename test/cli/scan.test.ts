import { describe, expect, it, beforeAll } from 'vitest';
import { projectRoot, runVigil } from '../support/cli.js';
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** End to end: the built `vigil` binary on the bundled samples and on broken input. */
const root = projectRoot;
const vigil = runVigil;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
});

describe('vigil scan on the bundled samples', () => {
  it('reports the spray, the compromises and what to do, and exits 1 (high findings)', () => {
    const r = vigil(['scan', '--no-db', '--tor-exits', 'samples/tor-exits.txt', 'samples/logs']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Under attack/);
    expect(r.out).toMatch(/quentin\.mitchell@org1\.example/);
    expect(r.out).toMatch(/What to do now/);
    // compromises come before other alerts of the organization
    const org1 = r.out.slice(r.out.indexOf('== org1.example'));
    expect(org1.indexOf('CRITICAL')).toBeLessThan(org1.indexOf('[HIGH]'));
  });

  it('--json writes one alert per line with the design field names and ISO times, matching the ground truth', () => {
    const r = vigil(['scan', '--no-db', '--json', '--tor-exits', 'samples/tor-exits.txt', 'samples/logs']);
    const alerts = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const a of alerts) {
      expect(Object.keys(a).slice(0, 13)).toEqual(['id', 'kind', 'technique', 'severity', 'confidence', 'tenant', 'users', 'sourceIps', 'firstSeen', 'lastSeen', 'evidence', 'explanation', 'actions']);
      expect(a['firstSeen']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const truth = JSON.parse(readFileSync(join(root, 'samples', 'truth.json'), 'utf8')) as { campaigns: Array<{ id: string; compromisedUsers: string[] }> };
    const compromised = new Set(alerts.filter((a) => a['kind'] === 'compromise').flatMap((a) => a['users'] as string[]));
    for (const c of truth.campaigns) for (const u of c.compromisedUsers) expect(compromised.has(u.split('|')[1]!)).toBe(true);
    expect(compromised.size).toBe(truth.campaigns.flatMap((c) => c.compromisedUsers).length);
    expect(alerts.filter((a) => a['kind'] === 'distributed_spray')).toHaveLength(3);
    // same input, same ids
    const again = vigil(['scan', '--no-db', '--json', '--tor-exits', 'samples/tor-exits.txt', 'samples/logs']);
    expect(again.out).toBe(r.out);
  });

  it('stores alerts in the SQLite file and `vigil alerts` lists them with filters', () => {
    const db = join(dir, 'a.db');
    expect(vigil(['scan', '--db', db, '--fail-on', 'none', 'samples/logs']).code).toBe(0);
    const all = vigil(['alerts', '--db', db, '--json']);
    expect(all.code).toBe(0);
    const kinds = all.out.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toContain('compromise');
    const crit = vigil(['alerts', '--db', db, '--json', '--severity', 'critical']);
    expect(crit.out.trim().split('\n').every((l) => (JSON.parse(l) as { severity: string }).severity === 'critical')).toBe(true);
  });
});

describe('vigil scan on bad input', () => {
  it('reports every bad record as file:line, reads the rest, skips unreadable files, keeps what was stored', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const good = readFileSync(join(root, 'samples', 'logs', 'entra', 'org1.jsonl'), 'utf8').split('\n').filter(Boolean);
    // NDJSON with a truncated record, a record of wrong types, and a 10 MB line in the middle
    const lines = [...good.slice(0, 50), good[50]!.slice(0, 40), '{"createdDateTime": 12, "userPrincipalName": ["x"], "status": "no"}', 'x'.repeat(10 << 20), ...good.slice(51)];
    writeFileSync(join(bad, 'entra.jsonl'), lines.join('\n'));
    writeFileSync(join(bad, 'garbage.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    writeFileSync(join(bad, 'empty.log'), '');
    writeFileSync(join(bad, 'notes.csv'), 'a,b,c\n1,2,3\n');
    writeFileSync(join(bad, 'okta.jsonl.gz'), gzipSync(readFileSync(join(root, 'samples', 'logs', 'okta', 'org2.jsonl'))));
    copyFileSync(join(root, 'samples', 'logs', 'sshd', 'org3.log'), join(bad, 'auth.log'));
    const db = join(dir, 'keep.db');
    expect(vigil(['scan', '--db', db, '--fail-on', 'none', 'samples/logs']).code).toBe(0);
    const storedIds = () => new Set(vigil(['alerts', '--db', db, '--json', '--limit', '100000']).out.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
    const before = storedIds();
    expect(before.size).toBeGreaterThan(0);

    const r = vigil(['scan', '--db', db, '--fail-on', 'none', bad]);
    expect(r.code).toBe(2); // some input could not be read at all
    expect(r.out).toMatch(/entra\.jsonl:51: /);
    expect(r.out).toMatch(/entra\.jsonl:52: /);
    expect(r.out).toMatch(/entra\.jsonl:53: record longer than/);
    expect(r.out).toMatch(/garbage\.bin: .*binary/);
    expect(r.out).toMatch(/notes\.csv: unrecognized format/);
    // the rest of every file was read: the spray is still found in all three organizations
    expect(r.out).toMatch(/== org2\.example/);
    expect(r.out).toMatch(/== org3-gw01/);
    // every alert stored before the bad scan is still there
    const after = storedIds();
    for (const id of before) expect(after.has(id)).toBe(true);
  });

  it('usage errors exit 2; stdin works', () => {
    expect(vigil(['scan']).code).toBe(2);
    expect(vigil(['scan', '--fail-on', 'bogus', 'x']).code).toBe(2);
    expect(vigil(['scan', '--format', 'nope', 'x']).code).toBe(2);
    const sshd = readFileSync(join(root, 'samples', 'logs', 'sshd', 'org3.log'), 'utf8');
    const r = vigil(['scan', '--no-db', '--json', '-'], sshd);
    expect(r.out).toMatch(/"kind":"brute_force"/);
    // RFC 3164 stamps carry no year: --year gives it
    const bsd = Array.from({ length: 30 }, (_, i) => `Mar 30 15:54:${String(i).padStart(2, '0')} host1 sshd[9${i}]: Failed password for alice from 203.0.113.50 port 4${i} ssh2`).join('\n');
    const y = vigil(['scan', '--no-db', '--json', '--year', '2019', '-'], bsd);
    expect(y.out).toMatch(/"firstSeen":"2019-03-30T15:54:00.000Z"/);
    expect(vigil(['scan', '--year', '19', '-'], bsd).code).toBe(2);
  });
});
