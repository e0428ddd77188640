import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ALERT_T0, ALERT_HOUR, makeAlert } from '../../test/support/alerts.js';
import { attribute } from '../attribute/attribute.js';
import { loadCatalog } from '../attribute/catalog.js';
import { correlate } from '../correlate/correlate.js';
import { IndicatorMatcher } from '../intel/matcher.js';
import { campaignsToStix, type StixObject } from './stix.js';

const SCHEMAS = join(import.meta.dirname, '../../test/fixtures/stix/schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.json') ? [join(dir, n)] : []));
}

/** one validator with every schema file loaded, as the schemas $ref each other */
function validators(): { bundle: ValidateFunction; byType(t: string): ValidateFunction | undefined } {
  const ajv = new Ajv2020({ strict: false, allErrors: false, unicodeRegExp: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  for (const f of files(SCHEMAS)) ajv.addSchema(JSON.parse(readFileSync(f, 'utf8')) as object);
  const get = (rel: string): ValidateFunction | undefined => ajv.getSchema(BASE + rel);
  return {
    bundle: get('common/bundle.json')!,
    byType: (t) => get(`sdos/${t}.json`) ?? get(`sros/${t}.json`) ?? get(`common/${t}.json`),
  };
}

const v = validators();
const NOW = Date.UTC(2024, 2, 10);

function exported(tlp?: 'green') {
  const alerts = [
    makeAlert({ id: 'a1', kind: 'distributed_spray', tenant: 'one.example', sourceIps: ['198.51.100.9', '203.0.113.4', '2001:db8::7'] }),
    makeAlert({ id: 'a2', kind: 'distributed_spray', tenant: 'two.example', sourceIps: ['198.51.100.9', '203.0.113.5'], firstSeen: ALERT_T0 + 2 * ALERT_HOUR, lastSeen: ALERT_T0 + 9 * ALERT_HOUR }),
    makeAlert({ id: 'b1', kind: 'brute_force', technique: 'T1110.001', tenant: 'three.example', sourceIps: ['192.0.2.77'] }),
  ];
  const r = attribute(correlate(alerts), {
    catalog: loadCatalog(),
    indicators: new IndicatorMatcher([{ kind: 'ip', value: '198.51.100.9', actors: [{ name: 'APT28' }], source: 'isac' }]),
  });
  return { r, bundle: campaignsToStix(r.campaigns, r.alerts, { now: NOW, producer: 'Example CERT', ...(tlp ? { tlp } : {}) }) };
}

function ofType(objects: StixObject[], t: string): StixObject[] {
  return objects.filter((o) => o.type === t);
}

describe('STIX 2.1 export', () => {
  it('validates against the OASIS STIX 2.1 schemas, bundle and every object', () => {
    const { bundle } = exported();
    const ok = v.bundle(bundle);
    expect(v.bundle.errors ?? [], JSON.stringify(v.bundle.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    // and the validator does reject: a campaign without its required name
    const campaign = { ...ofType(bundle.objects, 'campaign')[0]! };
    delete campaign.name;
    expect(v.bundle({ ...bundle, objects: [campaign] })).toBe(false);
    for (const o of bundle.objects) {
      const check = v.byType(o.type)!;
      expect(check, o.type).toBeDefined();
      expect(check(o), `${o.id}: ${JSON.stringify(check.errors?.slice(0, 2))}`).toBe(true);
    }
  });

  it('carries the campaign, targets, indicators, sightings, intrusion set and TLP:AMBER by default', () => {
    const { bundle, r } = exported();
    const o = bundle.objects;
    expect(ofType(o, 'campaign')).toHaveLength(2);
    const spray = ofType(o, 'campaign').find((c) => String(c.name).startsWith('Distributed password spray against 2'))!;
    expect(spray.first_seen).toBe(new Date(ALERT_T0).toISOString());
    expect(ofType(o, 'marking-definition')[0]).toMatchObject({ definition: { tlp: 'amber' } });
    for (const x of o.filter((x) => x.type !== 'marking-definition')) expect(x.object_marking_refs).toEqual(['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']);
    const patterns = ofType(o, 'indicator').map((i) => i.pattern).sort();
    expect(patterns).toContain("[ipv6-addr:value = '2001:db8::7']");
    expect(patterns).toContain("[ipv4-addr:value = '198.51.100.9']");
    expect(patterns).toHaveLength(5);
    // the address both organizations saw: one sighting, two places, two alerts
    const ind = ofType(o, 'indicator').find((i) => i.pattern === "[ipv4-addr:value = '198.51.100.9']")!;
    const sighting = ofType(o, 'sighting').find((s) => s.sighting_of_ref === ind.id)!;
    expect(sighting.count).toBe(2);
    const names = (sighting.where_sighted_refs as string[]).map((id) => o.find((x) => x.id === id)!.name).sort();
    expect(names).toEqual(['one.example', 'two.example']);
    const is = ofType(o, 'intrusion-set');
    expect(is).toHaveLength(1);
    expect(is[0]).toMatchObject({ name: 'APT28', external_references: [{ source_name: 'mitre-attack', external_id: 'G0007' }] });
    const rels = ofType(o, 'relationship').map((x) => `${String(x.source_ref).split('--')[0]} ${x.relationship_type} ${String(x.target_ref).split('--')[0]}`);
    expect(new Set(rels)).toEqual(new Set(['campaign targets identity', 'campaign uses attack-pattern', 'campaign attributed-to intrusion-set', 'indicator indicates campaign']));
    const attributed = ofType(o, 'relationship').find((x) => x.relationship_type === 'attributed-to')!;
    expect(attributed.confidence).toBe(Math.round(r.campaigns.find((c) => c.actor)!.actor!.confidence * 100));
    expect(ofType(o, 'identity').find((i) => i.name === 'Example CERT')).toBeDefined();
  });

  it('same input and time, same ids; TLP can be chosen', () => {
    const a = exported().bundle;
    const b = exported().bundle;
    expect(b.objects.map((x) => x.id)).toEqual(a.objects.map((x) => x.id));
    const green = exported('green').bundle;
    expect(ofType(green.objects, 'marking-definition')[0]).toMatchObject({ id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', definition: { tlp: 'green' } });
  });

  it('beyond maxIndicators, indicators are networks (ISSUBSET), still valid', () => {
    const { r } = exported();
    const bundle = campaignsToStix(r.campaigns, r.alerts, { now: NOW, maxIndicators: 1 });
    const patterns = ofType(bundle.objects, 'indicator').map((i) => i.pattern);
    expect(patterns).toContain("[ipv4-addr:value ISSUBSET '198.51.100.0/24']");
    expect(patterns).toContain("[ipv6-addr:value ISSUBSET '2001:db8::/48']");
    expect(v.bundle(bundle), JSON.stringify(v.bundle.errors?.slice(0, 2))).toBe(true);
  });
});
