import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.js';
import { ALERT_HOUR, ALERT_T0, makeAlert } from '../../test/support/alerts.js';
import { correlate, Correlator } from './correlate.js';
import { networkOf } from './prefix.js';
import { scanSimWorld, type SimWorld } from './sim-fixture.js';
import type { IpInfo } from './types.js';

const TOR = ['185.220.101.1', '185.220.101.2', '185.220.101.3', '185.220.101.4'];
const torInfo: IpInfo = new Map(TOR.map((ip) => [ip, { anonymizer: 'tor' as const }]));

function campaignOf(alerts: Alert[], id: string): string | undefined {
  return alerts.find((a) => a.id === id)?.campaignId;
}

describe('networkOf', () => {
  it('gives the /24 of IPv4 and the /48 of IPv6, nothing for other text', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('')).toBe('');
    expect(networkOf('not an ip')).toBe('');
    expect(networkOf('2001:db8::1')).toBe('2001:db8::/48');
    expect(networkOf('::1')).toBe('::/48');
    expect(networkOf(':'.repeat(100_000))).toBe('');
  });
});

describe('links', () => {
  it('one shared hosting address links sprays on two organizations; the reason names both', () => {
    const a = makeAlert({ id: 'a', tenant: 'one.example', sourceIps: ['198.51.100.9'] });
    const b = makeAlert({ id: 'b', tenant: 'two.example', sourceIps: ['198.51.100.9'], firstSeen: ALERT_T0 + 5 * ALERT_HOUR, lastSeen: ALERT_T0 + 6 * ALERT_HOUR });
    const r = correlate([a, b]);
    expect(r.campaigns).toHaveLength(1);
    expect(r.campaigns[0]!.tenants).toEqual(['one.example', 'two.example']);
    expect(r.campaigns[0]!.links[0]!.reason).toContain('one.example and two.example');
  });

  it('one shared Tor exit is not a link; three are', () => {
    const one = correlate(
      [makeAlert({ id: 'a', tenant: 'x', sourceIps: [TOR[0]!] }), makeAlert({ id: 'b', tenant: 'y', sourceIps: [TOR[0]!, '198.51.100.1'] })],
      torInfo,
    );
    expect(one.campaigns).toHaveLength(2);
    const three = correlate(
      [makeAlert({ id: 'a', tenant: 'x', sourceIps: TOR.slice(0, 3) }), makeAlert({ id: 'b', tenant: 'y', sourceIps: TOR.slice(0, 3) })],
      torInfo,
    );
    expect(three.campaigns).toHaveLength(1);
    expect(three.campaigns[0]!.links[0]!.reason).toContain('3 of them Tor/VPN/proxy exits');
    expect(three.campaigns[0]!.anonymizerShare.tor).toBe(1);
  });

  it('alerts weeks apart do not link, even on the same address', () => {
    const r = correlate([
      makeAlert({ id: 'a', tenant: 'x', sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'b', tenant: 'y', sourceIps: ['198.51.100.9'], firstSeen: ALERT_T0 + 30 * 24 * ALERT_HOUR, lastSeen: ALERT_T0 + 31 * 24 * ALERT_HOUR }),
    ]);
    expect(r.campaigns).toHaveLength(2);
  });

  it("an organization's distributed-spray alert does not swallow another attack on the same organization", () => {
    const ds = makeAlert({ id: 'ds', kind: 'distributed_spray', tenant: 'x', sourceIps: ['198.51.100.1', '198.51.100.2', '203.0.113.5'] });
    const brute = makeAlert({ id: 'bf', kind: 'brute_force', tenant: 'x', sourceIps: ['203.0.113.5'] });
    const r = correlate([ds, brute]);
    expect(campaignOf(r.alerts, 'ds')).not.toBe(campaignOf(r.alerts, 'bf'));
  });

  it('two shared /24 networks link when they are most of the smaller alert, not when they are a few of many', () => {
    const a = makeAlert({ id: 'a', tenant: 'x', sourceIps: ['198.51.100.1', '203.0.113.1'] });
    const b = makeAlert({ id: 'b', tenant: 'y', sourceIps: ['198.51.100.2', '203.0.113.2'] });
    expect(correlate([a, b]).campaigns).toHaveLength(1);
    const many = Array.from({ length: 6 }, (_, i) => `192.0.${i}.1`);
    const c = makeAlert({ id: 'c', tenant: 'y', sourceIps: ['198.51.100.2', '203.0.113.2', ...many] });
    const d = makeAlert({ id: 'd', tenant: 'z', sourceIps: ['198.51.100.3', '203.0.113.3', ...many.map((ip) => ip.replace('192.0', '192.1'))] });
    expect(correlate([c, d]).campaigns).toHaveLength(2);
  });

  it('a compromise sharing addresses with two separate campaigns joins one and does not merge them', () => {
    const s1 = makeAlert({ id: 's1', tenant: 'x', sourceIps: ['198.51.100.1'] });
    const s2 = makeAlert({ id: 's2', tenant: 'y', sourceIps: ['203.0.113.1'] });
    const c = makeAlert({ id: 'c', kind: 'compromise', tenant: 'z', sourceIps: ['198.51.100.1', '203.0.113.1'] });
    const r = correlate([s1, s2, c]);
    expect(r.campaigns).toHaveLength(2);
    expect([campaignOf(r.alerts, 's1'), campaignOf(r.alerts, 's2')]).toContain(campaignOf(r.alerts, 'c'));
  });

  it('batches give the same campaigns as one call, and a grown alert keeps its campaign id', () => {
    const alerts = [
      makeAlert({ id: 'a', tenant: 'x', sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'b', tenant: 'y', sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'c', tenant: 'z', sourceIps: ['203.0.113.3'] }),
    ];
    const once = correlate(alerts);
    const inc = new Correlator();
    inc.add([alerts[0]!]);
    const first = inc.result();
    inc.add([alerts[2]!, alerts[1]!]);
    inc.add([{ ...alerts[2]!, sourceIps: ['203.0.113.3', '198.51.100.9'] }]);
    const after = inc.result();
    expect(after.campaigns).toHaveLength(1);
    expect(once.campaigns.map((c) => c.id)).toContain(first.campaigns[0]!.id);
    expect(after.campaigns[0]!.id).toBe(first.campaigns[0]!.id);
    expect(after.campaigns[0]!.alertIds).toEqual(['a', 'b', 'c']);
  });

  it('hostile input: no addresses, huge lists, __proto__ tenants', () => {
    const ips = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`);
    const r = correlate([
      makeAlert({ id: 'a', tenant: '__proto__', sourceIps: [] }),
      makeAlert({ id: 'b', tenant: '__proto__', sourceIps: ips }),
      makeAlert({ id: 'c', tenant: 'constructor', sourceIps: ips }),
    ]);
    expect(r.campaigns.map((c) => c.alertIds.length).sort()).toEqual([1, 2]);
    expect(Object.keys(r.campaigns.find((c) => c.alertIds.length === 2)!.usersByTenant).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('simulated: one actor sprays 40 organizations from 1,100 addresses', () => {
  let world: SimWorld;
  let result: ReturnType<typeof correlate>;
  beforeAll(async () => {
    world = await scanSimWorld();
    result = correlate(world.alerts, world.info);
  });

  it('one campaign spans all 40 targeted organizations and holds every alert on its addresses only', () => {
    const sprays = result.alerts.filter((a) => a.kind === 'distributed_spray');
    expect(sprays.length).toBeGreaterThanOrEqual(40);
    const ids = new Set(sprays.map((a) => a.campaignId));
    expect(ids.size).toBe(1);
    const campaign = result.campaigns.find((c) => ids.has(c.id))!;
    const orgs = new Set(campaign.tenants.map((t) => world.orgOf(t)));
    expect(orgs.size).toBe(40);
    const own = result.alerts.filter((a) => world.truthOf(a) === 'apt28');
    expect(own.length).toBeGreaterThan(40);
    // an alert whose only address is one Tor exit is not linked on that alone (everyone uses Tor)
    const lone = (a: Alert): boolean => a.sourceIps.length === 1 && world.info.get(a.sourceIps[0]!)?.anonymizer === 'tor';
    for (const a of own) if (!lone(a)) expect(a.campaignId, `${a.kind} ${a.tenant} ${a.sourceIps.slice(0, 3).join()}`).toBe(campaign.id);
    console.log(`apt28 alerts: ${own.length}, in the campaign: ${own.filter((a) => a.campaignId === campaign.id).length}, single Tor exit: ${own.filter(lone).length}; campaigns: ${result.campaigns.length}`);
    expect(campaign.anonymizerShare.tor).toBeGreaterThan(0.6);
    expect(campaign.sourceIps.count).toBeGreaterThan(1000);
    // the simulator's spray tool sends one Chrome 80 user agent (only some formats record it)
    expect(campaign.userAgents[0]!.userAgent).toContain('Chrome/80.0.3987.149');
    expect(campaign.userAgents[0]!.addresses).toBeGreaterThanOrEqual(10);
  });

  it('the separate brute force and the MFA fatigue stay separate campaigns; MFA flood and its compromise are one', () => {
    const spray = result.alerts.find((a) => a.kind === 'distributed_spray')!.campaignId;
    const brute = result.alerts.filter((a) => world.truthOf(a) === 'brute-1');
    const mfa = result.alerts.filter((a) => world.truthOf(a) === 'mfa-1');
    expect(brute.map((a) => a.kind)).toContain('brute_force');
    expect(mfa.map((a) => a.kind).sort()).toEqual(['compromise', 'mfa_fatigue']);
    for (const a of [...brute, ...mfa]) expect(a.campaignId).not.toBe(spray);
    expect(new Set(mfa.map((a) => a.campaignId)).size).toBe(1);
    expect(new Set([brute[0]!.campaignId, mfa[0]!.campaignId]).size).toBe(2);
  });

  it('benign alerts join no attack campaign and never span two organizations', () => {
    const attackCampaigns = new Set(result.alerts.filter((a) => world.truthOf(a) !== undefined).map((a) => a.campaignId));
    const benign = result.alerts.filter((a) => a.sourceIps.length > 0 && world.truth.campaigns.every((c) => !a.sourceIps.some((ip) => c.attackerIps.includes(ip))));
    expect(benign.length).toBeGreaterThan(0);
    for (const a of benign) expect(attackCampaigns.has(a.campaignId), `${a.kind} ${a.tenant}`).toBe(false);
    for (const c of result.campaigns) {
      if (attackCampaigns.has(c.id)) continue;
      expect(new Set(c.tenants.map((t) => world.orgOf(t))).size).toBe(1);
    }
  });
});
