/**
 * End to end, in process: `vigil intel add` stores a partner's STIX bundle naming part of a
 * simulated 40-organization spray's infrastructure as APT28's; `vigil scan --json` then carries the
 * campaign and the actor on every alert of that spray, and the store keeps them. Without the bundle,
 * behaviour alone gives at most a low-confidence lead. Benign alerts are never attributed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerScanCommand } from '../../src/cli/scan-command.js';
import { registerIntelCommand } from '../../src/cli/intel-command.js';
import { registerAlertsCommand } from '../../src/cli/alerts-command.js';
import { runSimulation, type Truth } from '../../src/simulate/index.js';
import { sprayWorldOptions } from '../../src/correlate/sim-fixture.js';

interface JsonAlert {
  id: string;
  kind: string;
  tenant: string;
  sourceIps: string[];
  explanation: string;
  campaignId?: string;
  actor?: { name: string; aliases: string[]; attackId?: string; confidence: number; reasons: string[] };
}

/** `vigil …` on a fresh command tree (commander keeps option values between parses) */
async function vigil(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
  const program = new Command().exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerScanCommand(program, io);
  registerIntelCommand(program, io);
  registerAlertsCommand(program, io);
  const exitCode = process.exitCode;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.exitCode = exitCode;
  }
  return { out, err };
}

const lines = (text: string): JsonAlert[] => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonAlert);

const APT28_SET = 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c';

/** a partner's STIX 2.1 bundle: `ips` indicate the intrusion set "Forest Blizzard" (G0007) */
function writeBundle(file: string, ips: string[]): void {
  const t = '2024-01-01T00:00:00.000Z';
  const objects: unknown[] = [
    { type: 'intrusion-set', spec_version: '2.1', id: APT28_SET, created: t, modified: t, name: 'Forest Blizzard', external_references: [{ source_name: 'mitre-attack', external_id: 'G0007' }] },
  ];
  ips.forEach((ip, i) => {
    const n = String(i).padStart(12, '0');
    const ind = `indicator--10000000-0000-4000-8000-${n}`;
    objects.push({ type: 'indicator', spec_version: '2.1', id: ind, created: t, modified: t, pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: t });
    objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--10000000-0000-4000-9000-${n}`, created: t, modified: t, relationship_type: 'indicates', source_ref: ind, target_ref: APT28_SET });
  });
  writeFileSync(file, JSON.stringify({ type: 'bundle', id: 'bundle--10000000-0000-4000-8000-000000000000', objects }));
}

let dir: string;
let logs: string;
let truth: Truth;
let attackerIps: Set<string>;
let listed: string[];
let withIntel: JsonAlert[];
let without: JsonAlert[];
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-intel-e2e-'));
  logs = join(dir, 'logs');
  ({ truth } = runSimulation(
    sprayWorldOptions(),
    logs,
  ));
  attackerIps = new Set(truth.campaigns.flatMap((c) => c.attackerIps));
  // the spray's pool is Tor exits then hosting addresses: the partner knows 25 of the hosting ones
  const tor = new Set(readFileSync(join(logs, truth.torExitsFile), 'utf8').split('\n').map((l) => l.trim()));
  listed = truth.campaigns.find((c) => c.id === 'apt28')!.attackerIps.filter((ip) => !tor.has(ip)).slice(0, 25);
  const bundle = join(dir, 'partner-apt28.json');
  writeBundle(bundle, listed);

  db = join(dir, 'vigil.db');
  const added = await vigil(['intel', 'add', bundle, '--db', db]);
  expect(added.out).toContain('partner-apt28.json: 25 indicator(s) stored, naming Forest Blizzard');
  const common = ['--json', '--fail-on', 'none', '--tor-exits', join(logs, truth.torExitsFile), logs];
  withIntel = lines((await vigil(['scan', '--db', db, ...common])).out);
  without = lines((await vigil(['scan', '--no-db', ...common])).out);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sprayCampaign = (alerts: JsonAlert[]): string => {
  const ids = new Set(alerts.filter((a) => a.kind === 'distributed_spray').map((a) => a.campaignId));
  expect(ids.size).toBe(1);
  return [...ids][0]!;
};
/** alerts with no address of any simulated attack */
const benign = (alerts: JsonAlert[]): JsonAlert[] => alerts.filter((a) => a.sourceIps.length > 0 && !a.sourceIps.some((ip) => attackerIps.has(ip)));

describe('vigil scan with intelligence stored by vigil intel add', () => {
  it('every alert carries a campaign id; the spray is one campaign across the 40 organizations', () => {
    expect(withIntel.length).toBeGreaterThan(40);
    for (const a of withIntel) expect(a.campaignId, a.id).toMatch(/^cp/);
    const spray = sprayCampaign(withIntel);
    const orgs = new Set(withIntel.filter((a) => a.campaignId === spray).map((a) => a.tenant));
    expect(orgs.size).toBeGreaterThanOrEqual(40);
  });

  it('the listed addresses raise intel-match alerts naming the partner file and the actor', () => {
    const hits = withIntel.filter((a) => a.kind === 'intel_match');
    expect(hits.length).toBeGreaterThan(0);
    for (const a of hits) {
      expect(a.sourceIps.every((ip) => listed.includes(ip))).toBe(true);
      expect(a.explanation).toContain('partner-apt28.json: Forest Blizzard');
    }
    expect(without.filter((a) => a.kind === 'intel_match')).toHaveLength(0);
  });

  it('every alert of the spray campaign is attributed to APT28 (G0007) with confidence ≥ 0.8 and reasons', () => {
    const spray = sprayCampaign(withIntel);
    const own = withIntel.filter((a) => a.campaignId === spray);
    expect(own.length).toBeGreaterThan(40);
    for (const a of own) {
      expect(a.actor?.name, a.id).toBe('APT28');
      expect(a.actor!.attackId).toBe('G0007');
      expect(a.actor!.aliases).toContain('Forest Blizzard');
      expect(a.actor!.confidence).toBeGreaterThanOrEqual(0.8);
      expect(a.actor!.reasons[0]).toMatch(/^25 of the campaign's \d+ source addresses are APT28 infrastructure according to partner-apt28\.json/);
    }
    console.log('with the bundle:', JSON.stringify(own[0]!.actor));
  });

  it('nothing outside the spray campaign is attributed; benign alerts carry no actor', () => {
    const spray = sprayCampaign(withIntel);
    for (const a of withIntel.filter((x) => x.campaignId !== spray)) expect(a.actor, `${a.kind} ${a.tenant}`).toBeUndefined();
    expect(benign(withIntel).length).toBeGreaterThan(0);
  });

  it('the store keeps campaign and actor: vigil alerts --json gives them back', async () => {
    const stored = lines((await vigil(['alerts', '--db', db, '--json'])).out);
    expect(stored).toHaveLength(withIntel.length);
    const byId = new Map(stored.map((a) => [a.id, a]));
    for (const a of withIntel) {
      expect(byId.get(a.id)?.campaignId).toBe(a.campaignId);
      expect(byId.get(a.id)?.actor).toEqual(a.actor);
    }
  });
});

describe('vigil scan without the bundle', () => {
  it('the same spray is one campaign with at most a low-confidence lead (< 0.5)', () => {
    const spray = sprayCampaign(without);
    const own = without.filter((a) => a.campaignId === spray);
    expect(own.length).toBeGreaterThan(40);
    for (const a of own) {
      if (a.actor === undefined) continue;
      expect(a.actor.confidence).toBeLessThan(0.5);
      expect(a.actor.reasons[0]).toMatch(/^low-confidence lead/);
    }
    console.log('without the bundle:', JSON.stringify(own[0]!.actor ?? 'unattributed'));
  });

  it('benign alerts carry no actor', () => {
    const b = benign(without);
    expect(b.length).toBeGreaterThan(0);
    for (const a of b) expect(a.actor, `${a.kind} ${a.tenant}`).toBeUndefined();
  });
});

describe('vigil scan --intel on the bundled samples', () => {
  const root = join(import.meta.dirname, '..', '..');
  const samples = [join(root, 'samples', 'logs')];
  const base = ['scan', '--no-db', '--json', '--fail-on', 'none', '--tor-exits', join(root, 'samples', 'tor-exits.txt')];

  it('a plain IP list still labels matches with its own label; a CSV with actors also attributes', async () => {
    const plain = lines((await vigil([...base, ...samples])).out);
    const spray = plain.find((a) => a.kind === 'distributed_spray')!;
    const ip = spray.sourceIps[0]!;
    const d = mkdtempSync(join(tmpdir(), 'vigil-intel-samples-'));
    try {
      writeFileSync(join(d, 'block.txt'), `# our blocklist\n${ip} scanners\n`);
      const listed = lines((await vigil([...base, '--intel', join(d, 'block.txt'), ...samples])).out);
      const hit = listed.filter((a) => a.kind === 'intel_match');
      expect(hit.length).toBeGreaterThan(0);
      expect(hit[0]!.explanation).toContain('listed as hostile in scanners');
      // a plain list names no actor: nothing new is attributed on it
      expect(hit.every((a) => a.actor === undefined || a.actor.confidence < 0.5)).toBe(true);

      writeFileSync(join(d, 'isac.csv'), `ip,actor,source\n${spray.sourceIps.slice(0, 5).map((x) => `${x},STRONTIUM,isac-2024`).join('\n')}\n`);
      const csv = lines((await vigil([...base, '--intel', join(d, 'isac.csv'), ...samples])).out);
      const attributed = csv.find((a) => a.kind === 'distributed_spray' && a.sourceIps.includes(ip))!;
      // the samples' spray comes from Tor exits: listed exits are shared by everyone, only a lead
      expect(attributed.actor?.name).toBe('APT28');
      expect(attributed.actor!.confidence).toBeLessThan(0.3);
      expect(attributed.actor!.reasons[0]).toBe(
        "low-confidence lead: only 5 Tor/VPN/proxy exits listed as APT28's by isac-2024 (which calls it STRONTIUM); exits are shared by everyone",
      );
      expect(csv.filter((a) => a.kind === 'intel_match')[0]!.explanation).toContain('isac-2024: STRONTIUM');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
