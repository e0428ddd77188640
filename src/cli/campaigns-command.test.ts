import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALERT_T0, makeAlert } from '../../test/support/alerts.js';
import { correlate } from '../correlate/correlate.js';
import { runSimulation } from '../simulate/index.js';
import { parseScenario } from '../simulate/scenario.js';
import { registerCampaignsCommand, renderCampaigns } from './campaigns-command.js';

afterEach(() => vi.restoreAllMocks());

describe('renderCampaigns', () => {
  it('shows targets by organization, infrastructure, timeline and "unattributed"; hides lone alerts unless asked', () => {
    const r = correlate([
      makeAlert({ id: 'a', tenant: 'one.example', users: ['u1@one.example', 'u2@one.example'], sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'b', tenant: 'two.example', users: ['v@two.example'], sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'c', tenant: 'three.example', sourceIps: ['192.0.2.1'] }),
    ]);
    const text = renderCampaigns(r.campaigns);
    expect(text).toContain('2 campaigns from 3 alerts');
    expect(text).toContain('targets: 2 organization(s), 3 account(s)');
    expect(text).toContain('    one.example: 2 account(s)');
    expect(text).toContain(`timeline: ${new Date(ALERT_T0).toISOString().slice(0, 16).replace('T', ' ')}`);
    expect(text).toContain('attribution: unattributed');
    expect(text).toContain('grouped because: 1 same source address against one.example and two.example');
    expect(text).toContain('1 single-alert campaign(s) not shown');
    expect(renderCampaigns(r.campaigns, { all: true })).toContain('three.example');
  });
});

describe('vigil campaigns', () => {
  it('scans simulated logs, attributes with a CSV intel file, writes STIX, ECS and OCSF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-campaigns-'));
    const { truth } = runSimulation(
      {
        seed: 'cli',
        start: Date.parse('2024-03-04T00:00:00Z'),
        days: 1,
        orgs: 6,
        usersMin: 20,
        usersMax: 30,
        scenario: parseScenario({ campaigns: [{ id: 'apt28', kind: 'distributed_spray', startHour: 1, durationHours: 20, poolSize: 200, actor: 'APT28' }] }),
      },
      join(dir, 'logs'),
    );
    const named = truth.campaigns[0]!.attackerIps.slice(0, 40);
    writeFileSync(join(dir, 'intel.csv'), `ip,actor,source\n${named.map((ip) => `${ip},Fancy Bear,partner`).join('\n')}\n`);
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    const program = new Command().exitOverride();
    registerCampaignsCommand(program);
    await program.parseAsync(
      ['campaigns', join(dir, 'logs'), '--tor-exits', join(dir, 'logs', 'tor-exits.txt'), '--intel', join(dir, 'intel.csv'), '--stix', join(dir, 'b.json'), '--ecs', join(dir, 'ecs.ndjson'), '--ocsf', join(dir, 'ocsf.ndjson')],
      { from: 'user' },
    );
    expect(out).toMatch(/Distributed password spray against \d+ organizations/);
    expect(out).toMatch(/attribution: APT28 \(G0007\), confidence 0\.\d+/);
    expect(out).toContain('(which calls it Fancy Bear)');
    const bundle = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as { objects: Array<{ type: string; name?: string }> };
    expect(bundle.objects.find((o) => o.type === 'intrusion-set')?.name).toBe('APT28');
    const ecs = readFileSync(join(dir, 'ecs.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { threat: { group?: { name: string } } });
    expect(ecs.some((d) => d.threat.group?.name === 'APT28')).toBe(true);
    const ocsf = readFileSync(join(dir, 'ocsf.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { class_uid: number });
    expect(ocsf.length).toBe(ecs.length);
    expect(ocsf.every((f) => f.class_uid === 2004)).toBe(true);
  });
});
