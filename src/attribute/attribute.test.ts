import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { correlate, type CorrelateResult } from '../correlate/correlate.js';
import { scanSimWorld, type SimWorld } from '../correlate/sim-fixture.js';
import type { IpInfo } from '../correlate/types.js';
import { IndicatorMatcher, parseIntelFile } from '../intel/index.js';
import { attribute, LEAD_MAX } from './attribute.js';
import { loadCatalog } from './catalog.js';

const catalog = loadCatalog();
const APT28_SET = 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c';

/** a STIX bundle that names `ips` as APT28's (intrusion set by its STIX id and G-id) */
function apt28Bundle(ips: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-attr-'));
  const file = join(dir, 'partner-apt28.json');
  const t = '2024-01-01T00:00:00.000Z';
  const objects: unknown[] = [
    { type: 'intrusion-set', spec_version: '2.1', id: APT28_SET, created: t, modified: t, name: 'Forest Blizzard', external_references: [{ source_name: 'mitre-attack', external_id: 'G0007' }] },
  ];
  ips.forEach((ip, i) => {
    const n = String(i).padStart(12, '0');
    objects.push({ type: 'indicator', spec_version: '2.1', id: `indicator--00000000-0000-4000-8000-${n}`, created: t, modified: t, pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: t });
    objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--00000000-0000-4000-9000-${n}`, created: t, modified: t, relationship_type: 'indicates', source_ref: `indicator--00000000-0000-4000-8000-${n}`, target_ref: APT28_SET });
  });
  writeFileSync(file, JSON.stringify({ type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000000', objects }));
  return file;
}

describe('attribution rules', () => {
  const info: IpInfo = new Map([['185.220.101.1', { anonymizer: 'tor' }]]);
  const r = correlate(
    [
      makeAlert({ id: 'a', tenant: 'x', sourceIps: ['198.51.100.9', '185.220.101.1'] }),
      makeAlert({ id: 'b', tenant: 'y', sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'c', kind: 'impossible_travel', tenant: 'z', sourceIps: ['185.220.101.1'] }),
    ],
    info,
  );

  it('an indicator on a non-exit address attributes the campaign and every alert in it', () => {
    const out = attribute(r, { catalog, ipInfo: info, indicators: new IndicatorMatcher([{ kind: 'ip', value: '198.51.100.9', actors: [{ name: 'STRONTIUM' }], source: 'isac.csv' }]) });
    const a = out.alerts.find((x) => x.id === 'a')!;
    expect(a.actor).toMatchObject({ name: 'APT28', attackId: 'G0007' });
    expect(a.actor!.aliases).toContain('Forest Blizzard');
    expect(a.actor!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(a.actor!.reasons[0]).toBe("1 of the campaign's 2 source addresses are APT28 infrastructure according to isac.csv (which calls it STRONTIUM), valid at the time");
    expect(out.alerts.find((x) => x.id === 'b')!.actor?.name).toBe('APT28');
    expect(out.alerts.find((x) => x.id === 'c')!.actor).toBeUndefined();
  });

  it('a Tor exit listed as an actor’s is at most a low-confidence lead', () => {
    const out = attribute(r, { catalog, ipInfo: info, indicators: new IndicatorMatcher([{ kind: 'ip', value: '185.220.101.1', actors: [{ name: 'APT28' }], source: 'feed' }]) });
    const actor = out.campaigns.find((c) => c.alertIds.includes('a'))!.actor;
    if (actor) {
      expect(actor.confidence).toBeLessThanOrEqual(LEAD_MAX);
      expect(actor.reasons[0]).toMatch(/^low-confidence lead: only 1 Tor\/VPN\/proxy exit/);
    }
    // the travel alert on the same exit alone is never attributed
    expect(out.alerts.find((x) => x.id === 'c')!.actor).toBeUndefined();
  });

  it('an indicator outside its validity window does not count', () => {
    const out = attribute(r, { catalog, indicators: new IndicatorMatcher([{ kind: 'ip', value: '198.51.100.9', actors: [{ name: 'APT28' }], source: 'old', validUntil: Date.UTC(2019, 0, 1) }]) });
    expect(out.alerts.find((x) => x.id === 'a')!.actor).toBeUndefined();
  });
});

describe('simulated APT28-like spray on 40 organizations', () => {
  let world: SimWorld;
  let corr: CorrelateResult;
  beforeAll(async () => {
    world = await scanSimWorld();
    corr = correlate(world.alerts, world.info);
  });
  const sprayCampaign = (r: CorrelateResult) => r.campaigns.find((c) => c.kinds.includes('distributed_spray'))!;

  it('with a partner STIX bundle naming 25 of its hosting addresses, the campaign is APT28 with reasons', () => {
    const truth = world.truth.campaigns.find((c) => c.id === 'apt28')!;
    const hosting = truth.attackerIps.filter((ip) => world.info.get(ip)?.anonymizer === 'hosting').slice(0, 25);
    expect(hosting).toHaveLength(25);
    const indicators = new IndicatorMatcher(parseIntelFile(apt28Bundle(hosting)));
    const out = attribute(corr, { catalog, indicators, ipInfo: world.info });
    const c = sprayCampaign(out);
    expect(c.actor?.name).toBe('APT28');
    expect(c.actor!.attackId).toBe('G0007');
    expect(c.actor!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(c.actor!.reasons[0]).toMatch(/^25 of the campaign's \d+ source addresses are APT28 infrastructure according to partner-apt28\.json \(which calls it Forest Blizzard\)/);
    expect(c.actor!.reasons.join(' ')).toContain('behaviour agrees');
    for (const a of out.alerts.filter((x) => x.campaignId === c.id)) expect(a.actor?.name).toBe('APT28');
    console.log('with bundle:', JSON.stringify(c.actor));
    // nothing else is attributed: the brute force, the MFA flood and the benign alerts
    for (const other of out.campaigns.filter((x) => x.id !== c.id)) expect(other.actor, other.name).toBeUndefined();
  });

  it('without intelligence, behaviour alone gives APT28 as a low-confidence lead and nothing else is attributed', () => {
    const out = attribute(corr, { catalog, ipInfo: world.info });
    const c = sprayCampaign(out);
    expect(c.actor?.name).toBe('APT28');
    expect(c.actor!.confidence).toBeLessThanOrEqual(LEAD_MAX);
    expect(c.actor!.reasons[0]).toMatch(/^low-confidence lead: behaviour resembles APT28's profile \(.*Tor \d+% of addresses vs 70%.*\); no indicator$/);
    console.log('without bundle:', JSON.stringify(c.actor));
    for (const other of out.campaigns.filter((x) => x.id !== c.id)) expect(other.actor, other.name).toBeUndefined();
  });
});
