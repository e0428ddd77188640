import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { parseFormat, parseRange, loadScenario } from './command.js';
import { Simulation } from './engine.js';
import { runSimulation } from './index.js';
import { HOUR, MINUTE } from './model.js';
import { TOR_EXITS } from './networks.js';
import { parseScenario } from './scenario.js';
import { collect, smallOptions } from './test-helpers.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(root, p));
    else out.push(relative(root, p));
  }
  return out.sort();
}

const ALL_KINDS = [
  { kind: 'distributed_spray', startHour: 2, durationHours: 20, poolSize: 200, compromised: 1, actor: 'APT28' },
  { kind: 'brute_force', startHour: 5, durationHours: 2, attemptsPerHour: 100, ipsPerHour: 20 },
  { kind: 'spray', startHour: 8, durationHours: 2 },
  { kind: 'credential_stuffing', startHour: 3, durationHours: 5 },
  { kind: 'mfa_fatigue', startHour: 12, durationHours: 1 },
  { kind: 'phishing', startHour: 14, durationHours: 4 },
  { kind: 'legacy_spray', startHour: 6, durationHours: 6 },
];

describe('determinism', () => {
  it('same seed gives byte-identical files; another seed gives different ones', () => {
    const opts = smallOptions({ orgs: 6, days: 1, campaigns: ALL_KINDS });
    const a = tmp();
    const b = tmp();
    const c = tmp();
    runSimulation(opts, a);
    runSimulation(opts, b);
    runSimulation({ ...opts, seed: 'other' }, c);
    const files = listFiles(a);
    expect(files).toContain('truth.json');
    expect(files).toContain('tor-exits.txt');
    expect(files.filter((f) => f.includes('/')).length).toBe(6);
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const differs = files.filter((f) => f !== 'tor-exits.txt').some((f) => {
      try {
        return !readFileSync(join(c, f)).equals(readFileSync(join(a, f)));
      } catch {
        return true;
      }
    });
    expect(differs).toBe(true);
  });

  it('events leave in time order and --events stops after N', () => {
    const { events } = collect(smallOptions({ campaigns: ALL_KINDS }));
    for (let i = 1; i < events.length; i++) expect(events[i]!.time).toBeGreaterThanOrEqual(events[i - 1]!.time);
    const capped = collect(smallOptions({ campaigns: ALL_KINDS, maxEvents: 500 }));
    expect(capped.events.length).toBe(500);
    expect(capped.events.map((e) => e.time)).toEqual(events.slice(0, 500).map((e) => e.time));
  });
});

describe('streaming', () => {
  it('200k events with flat memory, in seconds', () => {
    const sim = new Simulation(smallOptions({ orgs: 40, usersMin: 200, usersMax: 1500, days: 30, maxEvents: 200_000 }));
    const t0 = Date.now();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    let n = 0;
    for (const e of sim.events()) {
      n++;
      if (n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      expect(e.seq).toBe(n - 1);
    }
    expect(n).toBe(200_000);
    // an array of 200k events would be far larger; one hour of events is a few MB
    expect(peak - base).toBeLessThan(150 * 1024 * 1024);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

describe('benign traps', () => {
  const { sim, events } = collect(smallOptions({ orgs: 8, usersMin: 40, usersMax: 120, days: 3, formats: ['entra', 'okta', 'gws', 'o365', 'entra', 'okta', 'gws', 'o365'], benign: { expiredServiceAccounts: ['org2'], lockoutRate: 0.02 } }));
  const benign = events.filter((e) => !e.campaign);

  it('carrier NAT: one mobile address is used by several people in different organizations', () => {
    const byIp = new Map<string, { users: Set<string>; orgs: Set<string> }>();
    for (const e of benign) {
      if (e.net.role !== 'mobile' || !e.user) continue;
      const s = byIp.get(e.net.ip) ?? { users: new Set(), orgs: new Set() };
      s.users.add(e.user.email);
      s.orgs.add(e.org.domain);
      byIp.set(e.net.ip, s);
    }
    const best = Math.max(...[...byIp.values()].filter((s) => s.orgs.size >= 2).map((s) => s.users.size));
    expect(best).toBeGreaterThanOrEqual(5);
  });

  it('office NAT: one address carries many people of the same organization', () => {
    const org = sim.orgs[0]!;
    const users = new Set(benign.filter((e) => e.org === org && e.net.ip === org.office.ip).map((e) => e.login));
    expect(users.size).toBeGreaterThanOrEqual(10);
  });

  it('the stuck service account fails with "expired" every 5 minutes from one address, all along', () => {
    const svc = benign.filter((e) => e.org.name === 'org2' && e.login.startsWith('svc-backup@'));
    expect(svc.length).toBe(3 * 24 * 12);
    expect(new Set(svc.map((e) => e.net.ip)).size).toBe(1);
    expect(svc.every((e) => e.outcome === 'failure' && e.reason === 'expired')).toBe(true);
    for (let i = 1; i < svc.length; i++) {
      const gap = svc[i]!.time - svc[i - 1]!.time;
      expect(gap).toBeGreaterThan(5 * MINUTE - 3000);
      expect(gap).toBeLessThan(5 * MINUTE + 3000);
    }
  });

  it('typos: a wrong password followed by a success from the same address within minutes', () => {
    const lockedOut = new Set(benign.filter((e) => e.reason === 'locked').map((e) => e.login));
    const typos = benign.filter((e) => e.reason === 'bad_password' && !lockedOut.has(e.login));
    const followed = typos.filter((f) => benign.some((s) => s.user === f.user && s.outcome === 'success' && s.net.ip === f.net.ip && s.time > f.time && s.time - f.time <= 3 * MINUTE));
    expect(typos.length).toBeGreaterThan(10);
    expect(followed.length / typos.length).toBeGreaterThan(0.9);
  });

  it('lockouts: ten failures, a locked failure, then a later success', () => {
    const locked = benign.filter((e) => e.reason === 'locked');
    expect(locked.length).toBeGreaterThan(0);
    const l = locked[0]!;
    const before = benign.filter((e) => e.user === l.user && e.reason === 'bad_password' && e.time <= l.time && l.time - e.time < 15 * MINUTE);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(benign.some((e) => e.user === l.user && e.outcome === 'success' && e.time > l.time + 20 * MINUTE)).toBe(true);
  });

  it('password-expiry morning: many people fail with "expired" then succeed', () => {
    const org = sim.orgs.find((o) => o.users.length >= 60)!;
    const expired = benign.filter((e) => e.org === org && e.reason === 'expired');
    expect(new Set(expired.map((e) => e.login)).size).toBeGreaterThan(org.users.length * 0.1);
  });

  it('travellers change country only after the flight time', () => {
    const travellers = sim.orgs.flatMap((o) => o.users.filter((u) => u.travel));
    expect(travellers.length).toBeGreaterThan(0);
    let landed = 0;
    for (const u of travellers) {
      const t = u.travel!;
      const mine = benign.filter((e) => e.user === u);
      // nothing while in the air, and only the destination country after landing
      expect(mine.filter((e) => e.time >= t.departAt && e.time < t.arriveAt)).toEqual([]);
      const after = mine.filter((e) => e.time >= t.arriveAt);
      for (const e of after) expect(e.net.country).toBe(t.to);
      expect(mine.filter((e) => e.time < t.departAt).some((e) => e.net.country === t.from)).toBe(true);
      if (after.length > 0) landed++;
    }
    expect(landed).toBeGreaterThan(0);
  });

  it('legacy mail clients sign in over IMAP every few minutes', () => {
    const imap = benign.filter((e) => e.protocol === 'imap');
    const perUser = new Map<string, number>();
    for (const e of imap) perUser.set(e.login, (perUser.get(e.login) ?? 0) + 1);
    // default interval 10 minutes: about 144 a day per client
    for (const n of perUser.values()) expect(n).toBeGreaterThan(3 * 120);
  });
});

describe('attacks', () => {
  it('distributed spray honours its per-address and per-account caps and uses over 1,000 addresses', () => {
    const spec = { kind: 'distributed_spray', durationHours: 48, poolSize: 1100, torFraction: 0.8, attemptsPerAccountHour: 4, maxPerIpHour: 2, maxPerAccountHour: 6, fractionAccounts: 0.2, compromised: 2 };
    const { sim, events } = collect(smallOptions({ orgs: 12, usersMin: 80, usersMax: 200, campaigns: [spec] }));
    const spray = events.filter((e) => e.campaign && e.outcome === 'failure');
    const perIp = new Map<string, number>();
    const perAccount = new Map<string, number>();
    for (const e of spray) {
      const h = Math.floor(e.time / HOUR);
      perIp.set(`${e.net.ip}|${h}`, (perIp.get(`${e.net.ip}|${h}`) ?? 0) + 1);
      perAccount.set(`${e.org.domain}|${e.login}|${h}`, (perAccount.get(`${e.org.domain}|${e.login}|${h}`) ?? 0) + 1);
    }
    expect(Math.max(...perIp.values())).toBeLessThanOrEqual(2);
    expect(Math.max(...perAccount.values())).toBeLessThanOrEqual(6);
    const ips = new Set(spray.map((e) => e.net.ip));
    expect(ips.size).toBeGreaterThanOrEqual(1000);
    const tor = new Set(TOR_EXITS);
    expect([...ips].filter((ip) => tor.has(ip)).length / ips.size).toBeGreaterThan(0.6);
    expect(new Set(spray.map((e) => e.org.domain)).size).toBe(12);
    expect(spray.some((e) => e.reason === 'unknown_user')).toBe(true);
    // average rate near Strontium's 4 attempts per account per hour
    const accounts = new Set(spray.map((e) => `${e.org.domain}|${e.login}`)).size;
    expect(spray.length / accounts / 48).toBeGreaterThan(2.5);
    const truth = sim.campaigns[0]!.finish();
    expect(truth.compromisedUsers.length).toBe(2);
    expect(truth.attackerIps.length).toBe(new Set(events.filter((e) => e.campaign).map((e) => e.net.ip)).size);
  });

  it('each attack kind produces its signature', () => {
    const { sim, events } = collect(smallOptions({ orgs: 6, formats: ['entra', 'okta', 'o365', 'gws', 'sshd', 'windows'], campaigns: ALL_KINDS }));
    const truths = sim.campaigns.map((c) => c.finish());
    for (const t of truths) expect(t.skipped, t.id).toBeUndefined();
    const by = (k: number) => events.filter((e) => e.campaign === truths[k]!.id);
    expect(new Set(by(1).map((e) => e.login)).size).toBe(1); // brute force: one account
    expect(by(1).length).toBeGreaterThan(150);
    expect(new Set(by(2).map((e) => e.net.ip)).size).toBe(1); // spray: one source, many accounts
    expect(new Set(by(2).map((e) => e.login)).size).toBeGreaterThan(5);
    expect(by(3).filter((e) => e.reason === 'unknown_user').length / by(3).length).toBeGreaterThan(0.5); // stuffing
    const mfa = by(4);
    expect(mfa.slice(0, -1).every((e) => e.outcome === 'mfa')).toBe(true);
    expect(mfa[mfa.length - 1]!.outcome).toBe('success');
    const phish = by(5);
    expect(phish[0]!.net.country).not.toBe(phish[0]!.org.country);
    expect(phish[0]!.net.asn).not.toBe(phish[0]!.user!.home.asn);
    expect(by(6).every((e) => e.protocol === 'imap')).toBe(true);
  });
});

describe('scenario and options', () => {
  it('a bad scenario names the field', () => {
    expect(() => parseScenario({ campaigns: [{ kind: 'distributed_spray', durationHours: -1 }] }, 's.json')).toThrow(/campaigns\.0\.durationHours/);
    expect(() => parseScenario({ campaigns: [{ kind: 'nope', durationHours: 1 }] })).toThrow(VigilError);
  });

  it('reads the bundled sample scenario', () => {
    const s = loadScenario(join(import.meta.dirname, '../../samples/scenario.json'));
    expect(s.campaigns.map((c) => c.kind)).toEqual(['distributed_spray', 'brute_force', 'mfa_fatigue']);
  });

  it('parses ranges and format lists, rejects nonsense', () => {
    expect(parseRange('10-5000')).toEqual([10, 5000]);
    expect(parseRange('50')).toEqual([50, 50]);
    expect(() => parseRange('5000-10')).toThrow(/users-per-org/);
    expect(parseFormat('mixed')).toEqual({});
    expect(parseFormat('okta')).toEqual({ format: 'okta' });
    expect(parseFormat('entra,sshd')).toEqual({ formats: ['entra', 'sshd'] });
    expect(() => parseFormat('splunk')).toThrow(/unknown format "splunk"/);
  });
});
