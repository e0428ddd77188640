import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import type { Alert } from '../core/types.js';
import { openStore } from '../store/open.js';
import { parseSince, registerAlertsCommand } from './alerts-command.js';
import { makeAlert } from '../../test/support/alerts.js';

const T0 = Date.UTC(2020, 8, 1, 12, 0, 0);
const HOUR = 3_600_000;
const NOW = T0 + 100 * HOUR;

const alert = makeAlert;

const ALERTS: Alert[] = [
  alert({ id: 'spray-1', lastSeen: T0 + 2 * HOUR }),
  alert({ id: 'comp-1', kind: 'compromise', severity: 'critical', users: ['bob@contoso.com'], sourceIps: ['2001:db8::5'], lastSeen: T0 + 3 * HOUR }),
  alert({ id: 'brute-1', kind: 'brute_force', severity: 'medium', tenant: 'fabrikam.org', users: ['erin@fabrikam.org'], sourceIps: ['198.51.100.4'], lastSeen: T0 + 99 * HOUR }),
  alert({ id: 'legacy-1', kind: 'legacy_auth', severity: 'low', tenant: 'fabrikam.org', users: ['erin@fabrikam.org'], sourceIps: ['198.51.100.5'] }),
];

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  db = join(dir, 'vigil.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seed(alerts: Alert[] = ALERTS): void {
  const s = openStore(db);
  s.saveAlerts(alerts);
  s.close();
}

interface Run {
  out: string;
  err: string;
}

async function run(...args: string[]): Promise<Run> {
  const r: Run = { out: '', err: '' };
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (r.out += s), writeErr: (s) => (r.err += s) });
  registerAlertsCommand(program, { out: (s) => (r.out += s), err: (s) => (r.err += s), now: () => NOW });
  await program.parseAsync(['alerts', ...args], { from: 'user' });
  return r;
}

async function usageError(...args: string[]): Promise<CommanderError> {
  try {
    await run(...args);
  } catch (e) {
    if (e instanceof CommanderError) return e;
    throw e;
  }
  throw new Error('expected a usage error');
}

const idsOfJson = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);

describe('vigil alerts', () => {
  it('prints every stored alert as a table, most severe first', async () => {
    seed();
    const { out } = await run('--db', db);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^SEVERITY +LAST SEEN \(UTC\) +ORGANIZATION +KIND +ACCOUNTS +ADDRESSES +ID$/);
    expect(lines[1]).toMatch(/^critical +2020-09-01 15:00 +contoso\.com +compromise +bob@contoso\.com +1 +comp-1$/);
    expect(lines[2]).toMatch(/^high +2020-09-01 14:00 +contoso\.com +password_spray +alice@contoso\.com \+1 +1 +spray-1$/);
    expect(lines[3]).toMatch(/^medium .* brute-1$/);
    expect(lines[4]).toMatch(/^low .* legacy-1$/);
    expect(out).toContain('\n4 alerts\n');
  });

  it('--json prints one alert per line with ISO times', async () => {
    seed();
    const { out } = await run('--db', db, '--json');
    expect(idsOfJson(out)).toEqual(['comp-1', 'spray-1', 'brute-1', 'legacy-1']);
    const first = JSON.parse(out.split('\n')[0] ?? '') as Record<string, unknown>;
    expect(first['lastSeen']).toBe('2020-09-01T15:00:00.000Z');
    expect(Object.keys(first).slice(0, 3)).toEqual(['id', 'kind', 'technique']);
  });

  it('filters by tenant, kind, minimum severity, user and IP', async () => {
    seed();
    expect(idsOfJson((await run('--db', db, '--json', '--tenant', 'FABRIKAM.org')).out)).toEqual(['brute-1', 'legacy-1']);
    expect(idsOfJson((await run('--db', db, '--json', '--kind', 'compromise')).out)).toEqual(['comp-1']);
    expect(idsOfJson((await run('--db', db, '--json', '--severity', 'medium')).out)).toEqual(['comp-1', 'spray-1', 'brute-1']);
    expect(idsOfJson((await run('--db', db, '--json', '--user', ' Bob@Contoso.com ')).out)).toEqual(['comp-1', 'spray-1']);
    // the address is canonicalized before matching
    expect(idsOfJson((await run('--db', db, '--json', '--ip', '2001:DB8:0:0::5')).out)).toEqual(['comp-1']);
  });

  it('--since takes an age or an ISO time', async () => {
    seed();
    // NOW is T0+100h: 2h back reaches brute-1 (T0+99h) only
    expect(idsOfJson((await run('--db', db, '--json', '--since', '2h')).out)).toEqual(['brute-1']);
    expect(idsOfJson((await run('--db', db, '--json', '--since', '2020-09-01T14:30:00Z')).out)).toEqual(['comp-1', 'brute-1']);
  });

  it('--limit keeps the most severe and says more match', async () => {
    seed();
    const { out } = await run('--db', db, '--limit', '2');
    expect(out).toContain('comp-1');
    expect(out).toContain('spray-1');
    expect(out).not.toContain('brute-1');
    expect(out).toContain('2 alerts (more match: raise --limit to see them)');
    expect(idsOfJson((await run('--db', db, '--json', '--limit', '1')).out)).toEqual(['comp-1']);
  });

  it('says when nothing matches', async () => {
    seed();
    expect((await run('--db', db, '--user', 'nobody@contoso.com')).out).toBe('No stored alerts match.\n');
    expect((await run('--db', db, '--json', '--user', 'nobody@contoso.com')).out).toBe('');
  });

  it('without a database: a message, no output, exit 0, and no file created', async () => {
    const { out, err } = await run('--db', db);
    expect(out).toBe('');
    expect(err).toBe(`no alerts stored yet at ${db} (run vigil scan first)\n`);
    expect(existsSync(db)).toBe(false);
  });

  it('rejects bad option values with exit code 2 and a message', async () => {
    seed();
    for (const args of [
      ['--severity', 'urgent'],
      ['--kind', 'alien'],
      ['--limit', '0'],
      ['--limit', 'ten'],
      ['--ip', '999.1.1.1'],
      ['--since', 'last tuesday'],
      ['--since', '2020-13-45'],
    ]) {
      const e = await usageError('--db', db, ...args);
      expect(e.exitCode, args.join(' ')).not.toBe(0);
      expect(e.message, args.join(' ')).toContain(args[0]);
    }
    const e = await usageError('--db', db, '--severity', 'urgent');
    expect(e.message).toContain('low, medium, high, critical');
  });

  it('reports a file that is not an alert store as a STORE error and leaves it alone', async () => {
    writeFileSync(db, 'not a database');
    await expect(run('--db', db)).rejects.toSatisfy((e: unknown) => e instanceof VigilError && e.code === 'STORE' && e.message.includes(db));
  });

  it('neutralizes escape sequences stored in alerts', async () => {
    seed([alert({ id: 'evil', tenant: 'evil\u001b[2J.example', users: ['x\u001b]0;pwn\u0007@evil.example'] })]);
    const { out } = await run('--db', db);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('evil?[2J.example');
  });
});

describe('parseSince', () => {
  it('reads ages and dates (a date without a zone is UTC)', () => {
    expect(parseSince('24h', NOW)).toBe(NOW - 24 * HOUR);
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 24 * HOUR);
    expect(parseSince('30m', NOW)).toBe(NOW - 30 * 60_000);
    expect(parseSince('2020-09-01', NOW)).toBe(T0 - 12 * HOUR);
    expect(parseSince('2020-09-01 12:00', NOW)).toBe(T0);
    expect(parseSince('2020-09-01T14:00:00+02:00', NOW)).toBe(T0);
  });
});
