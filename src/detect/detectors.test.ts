import { describe, expect, it } from 'vitest';
import type { AuthEvent } from '../core/types.js';
import { DAY, HOUR, MIN, T0, detect, ev, fail, ipOf, kinds, officeLife, rng } from '../../test/support/events.js';

/** Strontium-style rotation: every attempt from another address of a large pool. */
function distributedSpray(opts: {
  tenants: string[];
  accountsPerTenant: number;
  pool: number;
  perAccountPerHour: number;
  hours: number;
  seed: number;
  start?: number;
  anonymizer?: 'tor';
}): AuthEvent[] {
  const r = rng(opts.seed);
  const out: AuthEvent[] = [];
  const start = opts.start ?? T0 + 2 * DAY;
  for (const tenant of opts.tenants) {
    for (let a = 0; a < opts.accountsPerTenant; a++) {
      const user = `user${a * 3}@${tenant}`;
      for (let h = 0; h < opts.hours; h++) {
        for (let k = 0; k < opts.perAccountPerHour; k++) {
          const ip = ipOf('45.12', Math.floor(r() * opts.pool));
          out.push(fail({ tenant, user, srcIp: ip, time: start + h * HOUR + Math.floor(r() * HOUR), anonymizer: opts.anonymizer, userAgent: 'python-requests/2.25' }));
        }
      }
    }
  }
  return out;
}

describe('benign traps stay quiet', () => {
  it('an office NAT shared by 80 people with typos, for two weeks', () => {
    const alerts = detect(officeLife({ tenant: 'office.example', users: 80, days: 14, seed: 1, typoRate: 0.08 }));
    expect(alerts).toEqual([]);
  });

  it('a mobile carrier CGNAT shared by users of several organizations, some failing for hours', () => {
    const r = rng(2);
    const events: AuthEvent[] = [];
    const cgnat = ['100.64.1.1', '100.64.1.2', '100.64.1.3'];
    for (let d = 0; d < 7; d++) {
      for (let u = 0; u < 300; u++) {
        const tenant = `org${u % 5}.example`;
        const t = T0 + d * DAY + Math.floor(r() * DAY);
        const ip = cgnat[Math.floor(r() * cgnat.length)]!;
        if (r() < 0.03) events.push(fail({ tenant, user: `m${u}@${tenant}`, srcIp: ip, time: t - 2 * MIN }));
        events.push(ev({ tenant, user: `m${u}@${tenant}`, srcIp: ip, time: t }));
      }
      // a phone with an old password retries every 10 minutes all afternoon, never succeeding
      for (let k = 0; k < 24; k++) events.push(fail({ tenant: 'org1.example', user: 'stale@org1.example', srcIp: cgnat[k % 3]!, time: T0 + d * DAY + 12 * HOUR + k * 10 * MIN }));
    }
    expect(detect(events)).toEqual([]);
  });

  it('a service account retrying a changed password every five minutes for three days', () => {
    const events: AuthEvent[] = [];
    for (let k = 0; k < 3 * 24 * 12; k++) {
      events.push(fail({ tenant: 'svc.example', user: 'backup-svc@svc.example', srcIp: '10.0.0.5', privateIp: true, time: T0 + k * 5 * MIN }));
      events.push(fail({ tenant: 'svc.example', user: 'sync@svc.example', srcIp: '10.0.0.6', privateIp: true, reason: 'expired', credentialValid: true, time: T0 + k * 5 * MIN + 1000 }));
    }
    expect(detect([...events, ...officeLife({ tenant: 'svc.example', users: 20, days: 3, seed: 3 })])).toEqual([]);
  });

  it('a password-expiry morning: 200 people fail with an expired password, then change it', () => {
    const events = officeLife({ tenant: 'exp.example', users: 200, days: 5, seed: 4 });
    for (let u = 0; u < 200; u++) {
      const t = T0 + 2 * DAY + 8 * HOUR + u * 30_000;
      const common = { tenant: 'exp.example', user: `user${u}@exp.example`, srcIp: '203.0.113.5' };
      events.push(fail({ ...common, reason: 'expired', credentialValid: true, time: t }));
      events.push(fail({ ...common, time: t + 3 * MIN }));
      events.push(ev({ ...common, time: t + 6 * MIN }));
    }
    expect(detect(events)).toEqual([]);
  });

  it('a traveller flying from Washington to London keeps their device: no alert', () => {
    const events = officeLife({ tenant: 'trip.example', users: 10, days: 10, seed: 5 });
    const user = 'user1@trip.example';
    events.push(ev({ tenant: 'trip.example', user, srcIp: '198.51.100.77', asn: 64600, geo: { country: 'US', lat: 38.9, lon: -77.0 }, userAgent: 'UA-1', time: T0 + 7 * DAY + 18 * HOUR }));
    events.push(ev({ tenant: 'trip.example', user, srcIp: '81.2.69.144', asn: 64700, geo: { country: 'GB', lat: 51.5, lon: -0.1 }, userAgent: 'UA-1', time: T0 + 8 * DAY + 9 * HOUR }));
    expect(detect(events)).toEqual([]);
  });

  it('a corporate VPN egress abroad used by everybody is not travel', () => {
    const events = officeLife({ tenant: 'vpn.example', users: 30, days: 5, seed: 6 });
    for (let u = 0; u < 30; u++) {
      events.push(ev({ tenant: 'vpn.example', user: `user${u}@vpn.example`, srcIp: '185.100.1.1', asn: 64800, geo: { country: 'NL', lat: 52.4, lon: 4.9 }, userAgent: `UA-${u % 7}`, time: T0 + 3 * DAY + 11 * HOUR + u * MIN }));
    }
    const alerts = detect(events);
    expect(alerts.filter((a) => a.kind === 'impossible_travel')).toEqual([]);
  });
});

describe('attacks are found', () => {
  it('brute force on one account is raised within ten minutes', () => {
    const events = officeLife({ tenant: 'bf.example', users: 20, days: 3, seed: 7 });
    const start = T0 + DAY + 3 * HOUR;
    // ~335 attempts per hour over ~200 addresses (the Strontium brute-force mode)
    for (let k = 0; k < 335; k++) events.push(fail({ tenant: 'bf.example', user: 'user3@bf.example', srcIp: ipOf('45.13', k % 200), time: start + Math.floor((k * HOUR) / 335) }));
    const alerts = detect(events);
    const bf = alerts.find((a) => a.kind === 'brute_force');
    expect(bf).toBeDefined();
    expect(bf!.users).toEqual(['user3@bf.example']);
    expect(bf!.technique).toBe('T1110.001');
    expect(bf!.detectedAt! - start).toBeLessThanOrEqual(10 * MIN);
    expect(bf!.evidence.failures).toBe(335);
  });

  it('brute force that ends in a success from the guessing address is a compromise, even from a known address', () => {
    const events = officeLife({ tenant: 'bfc.example', users: 10, days: 3, seed: 30 });
    const office = events.find((e) => e.user === 'user2@bfc.example' && e.outcome === 'success')!.srcIp;
    const t = T0 + 2 * DAY + 20 * HOUR;
    for (let k = 0; k < 147; k++) events.push(fail({ tenant: 'bfc.example', user: 'user2@bfc.example', srcIp: office, time: t + k * 3000 }));
    events.push(ev({ tenant: 'bfc.example', user: 'user2@bfc.example', srcIp: office, time: t + 148 * 3000 }));
    const alerts = detect(events);
    expect(kinds(alerts)).toEqual(['brute_force', 'compromise']);
    const comp = alerts.find((a) => a.kind === 'compromise')!;
    expect(comp.severity).toBe('critical');
    expect(comp.explanation).toMatch(/147 wrong passwords/);
  });

  it('a spray from one address over many accounts', () => {
    const events = officeLife({ tenant: 'ps.example', users: 40, days: 3, seed: 8 });
    for (let u = 0; u < 30; u++) events.push(fail({ tenant: 'ps.example', user: `user${u}@ps.example`, srcIp: '45.14.0.9', time: T0 + DAY + 2 * HOUR + u * 40_000 }));
    const alerts = detect(events);
    expect(kinds(alerts)).toEqual(['password_spray']);
    expect(alerts[0]!.sourceIps).toEqual(['45.14.0.9']);
    expect(alerts[0]!.users).toHaveLength(30);
  });

  it('account-name guessing from one address is credential stuffing', () => {
    const events = officeLife({ tenant: 'cs.example', users: 20, days: 2, seed: 9 });
    for (let u = 0; u < 40; u++) events.push(fail({ tenant: 'cs.example', user: `guess${u}@cs.example`, reason: 'unknown_user', srcIp: '45.15.0.9', time: T0 + DAY + u * 20_000 }));
    const alerts = detect(events);
    expect(kinds(alerts)).toEqual(['credential_stuffing']);
    expect(alerts[0]!.technique).toBe('T1110.004');
  });

  it('a low-and-slow spray rotated over 1,100 addresses, under 5 attempts per hour per account and address, within 2 hours', () => {
    const tenants = Array.from({ length: 8 }, (_, i) => `t${i}.example`);
    const benign = tenants.flatMap((t, i) => officeLife({ tenant: t, users: 50, days: 5, seed: 20 + i }));
    const attack = distributedSpray({ tenants, accountsPerTenant: 2, pool: 1100, perAccountPerHour: 4, hours: 72, seed: 11 });
    const alerts = detect([...benign, ...attack]);
    const spray = alerts.filter((a) => a.kind === 'distributed_spray');
    expect(spray.map((a) => a.tenant).sort()).toEqual(tenants);
    for (const a of spray) {
      expect(a.detectedAt! - (T0 + 2 * DAY)).toBeLessThanOrEqual(2 * HOUR);
      expect(a.users).toHaveLength(2);
    }
    // nothing else: no per-address or per-account rule should see it, and benign life stays quiet
    expect(alerts.filter((a) => a.kind !== "distributed_spray").map((a) => `${a.kind} ${a.tenant} ${a.users.join(",")} ${a.sourceIps.slice(0,3).join(",")} ${a.evidence.failures}`).slice(0, 5)).toEqual([]);
  });

  it('a sprayed account signed into from a spraying address is a critical compromise', () => {
    const tenants = ['c1.example', 'c2.example', 'c3.example'];
    const benign = tenants.flatMap((t, i) => officeLife({ tenant: t, users: 30, days: 6, seed: 40 + i }));
    const attack = distributedSpray({ tenants, accountsPerTenant: 3, pool: 300, perAccountPerHour: 3, hours: 48, seed: 12 });
    const sprayIp = attack.find((e) => e.tenant === 'c2.example' && e.time > T0 + 3 * DAY)!.srcIp;
    const hit = ev({ tenant: 'c2.example', user: 'user3@c2.example', srcIp: sprayIp, time: T0 + 3 * DAY + 5 * HOUR });
    const alerts = detect([...benign, ...attack, hit]);
    const comp = alerts.filter((a) => a.kind === 'compromise');
    expect(comp).toHaveLength(1);
    expect(comp[0]!.severity).toBe('critical');
    expect(comp[0]!.users).toEqual(['user3@c2.example']);
    expect(comp[0]!.sourceIps).toEqual([sprayIp]);
  });

  it('an MFA code 50076-style result from an attacking address counts as a compromise (the password was right)', () => {
    const events = officeLife({ tenant: 'mfa.example', users: 20, days: 3, seed: 13 });
    for (let u = 0; u < 15; u++) events.push(fail({ tenant: 'mfa.example', user: `user${u}@mfa.example`, srcIp: '45.16.0.1', time: T0 + DAY + u * MIN }));
    events.push(ev({ tenant: 'mfa.example', user: 'user16@mfa.example', srcIp: '45.16.0.1', outcome: 'mfa', reason: 'mfa_required', credentialValid: true, code: '50076', time: T0 + DAY + HOUR }));
    const comp = detect(events).filter((a) => a.kind === 'compromise');
    expect(comp).toHaveLength(1);
    expect(comp[0]!.users).toEqual(['user16@mfa.example']);
    expect(comp[0]!.explanation).toMatch(/password itself is known/);
  });

  it('a leaked password that worked at the first try is a compromise once its address is seen stuffing', () => {
    const events = officeLife({ tenant: 'leak.example', users: 20, days: 3, seed: 31 });
    const t = T0 + DAY + 20 * HOUR;
    events.push(ev({ tenant: 'leak.example', user: 'user7@leak.example', srcIp: '109.40.18.237', asn: 3209, time: t }));
    for (let u = 0; u < 12; u++) events.push(fail({ tenant: 'leak.example', user: `gone${u}@leak.example`, reason: 'unknown_user', srcIp: '109.40.18.237', time: t + 2 * HOUR + u * MIN }));
    const alerts = detect(events);
    const comp = alerts.filter((a) => a.kind === 'compromise');
    expect(comp.map((a) => a.users)).toEqual([['user7@leak.example']]);
    expect(comp[0]!.firstSeen).toBe(t);
    expect(comp[0]!.detectedAt).toBeGreaterThan(t + 2 * HOUR);
    expect(comp[0]!.explanation).toMatch(/found attacking accounts afterwards/);
  });

  it('a phished password used from a foreign hosting network with a new device is a compromise; a commuter is not', () => {
    const events: AuthEvent[] = officeLife({ tenant: 'ph.example', users: 15, days: 6, seed: 32 });
    // a server of the organization in a data centre: one account, does not make that provider "the org's network"
    for (let k = 0; k < 20; k++) events.push(ev({ tenant: 'ph.example', user: 'svc@ph.example', srcIp: '95.216.1.1', asn: 24940, anonymizer: 'hosting', geo: { country: 'FI' }, time: T0 + k * HOUR }));
    const t = T0 + 5 * DAY + 19 * HOUR;
    events.push(ev({ tenant: 'ph.example', user: 'user3@ph.example', srcIp: '95.216.166.80', asn: 24940, anonymizer: 'hosting', geo: { country: 'FI' }, userAgent: 'Mozilla/5.0 (Windows NT 10.0)', time: t }));
    // a colleague on a new home ISP in the same country with their usual device: nothing to say
    events.push(ev({ tenant: 'ph.example', user: 'user4@ph.example', srcIp: '198.51.100.200', asn: 64999, geo: { country: 'US' }, userAgent: 'UA-4', time: t + HOUR }));
    const alerts = detect(events);
    expect(alerts.map((a) => `${a.kind} ${a.users.join(',')}`)).toEqual(['compromise user3@ph.example']);
    expect(alerts[0]!.explanation).toMatch(/phished/);
  });

  it('MFA push bombing, then an accepted prompt', () => {
    const events = officeLife({ tenant: 'push.example', users: 10, days: 3, seed: 14 });
    const t = T0 + DAY + 22 * HOUR;
    for (let k = 0; k < 8; k++) events.push(ev({ tenant: 'push.example', user: 'user2@push.example', srcIp: '45.17.0.1', outcome: 'mfa', reason: 'mfa_denied', credentialValid: true, time: t + k * MIN }));
    events.push(ev({ tenant: 'push.example', user: 'user2@push.example', srcIp: '45.17.0.1', time: t + 9 * MIN }));
    const alerts = detect(events);
    expect(kinds(alerts)).toEqual(['compromise', 'mfa_fatigue']);
    expect(alerts.find((a) => a.kind === 'compromise')!.severity).toBe('critical');
  });

  it('impossible travel between two distant countries half an hour apart', () => {
    const events = officeLife({ tenant: 'it.example', users: 10, days: 5, seed: 15 });
    events.push(ev({ tenant: 'it.example', user: 'user4@it.example', srcIp: '198.51.100.9', asn: 64501, geo: { country: 'US' }, time: T0 + 4 * DAY + 12 * HOUR }));
    events.push(ev({ tenant: 'it.example', user: 'user4@it.example', srcIp: '95.1.1.1', asn: 64999, geo: { country: 'RU' }, time: T0 + 4 * DAY + 12 * HOUR + 30 * MIN }));
    const alerts = detect(events);
    expect(kinds(alerts)).toEqual(['impossible_travel']);
  });

  it('a legacy IMAP sign-in on an account under brute force', () => {
    const events = officeLife({ tenant: 'leg.example', users: 10, days: 3, seed: 16 });
    for (let k = 0; k < 30; k++) events.push(fail({ tenant: 'leg.example', user: 'user5@leg.example', srcIp: '45.18.0.1', time: T0 + DAY + k * 20_000 }));
    events.push(ev({ tenant: 'leg.example', user: 'user5@leg.example', srcIp: '192.0.2.6', legacyAuth: true, protocol: 'imap', time: T0 + DAY + 2 * HOUR }));
    expect(kinds(detect(events))).toEqual(['brute_force', 'legacy_auth']);
  });

  it('a Tor sign-in is reported', () => {
    const events = officeLife({ tenant: 'tor.example', users: 10, days: 3, seed: 17 });
    events.push(ev({ tenant: 'tor.example', user: 'user1@tor.example', srcIp: '185.220.101.4', anonymizer: 'tor', time: T0 + 2 * DAY }));
    expect(kinds(detect(events))).toEqual(['anonymizer_signin']);
  });

  it('same input, same alert ids', () => {
    const make = () => [
      ...officeLife({ tenant: 'id.example', users: 10, days: 2, seed: 18 }),
      ...Array.from({ length: 25 }, (_, k) => fail({ tenant: 'id.example', user: 'user1@id.example', srcIp: '45.19.0.1', time: T0 + DAY + k * 10_000, ref: `r${k}` })),
    ];
    const a = detect(make()).map((x) => x.id);
    const b = detect(make()).map((x) => x.id);
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});
