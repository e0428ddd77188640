import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { registerIntelCommand } from './intel-command.js';

let dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-intel-cmd-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const NOW = Date.UTC(2024, 4, 1, 12, 30);

async function intel(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  registerIntelCommand(program, { out: (s) => void (out += s), err: (s) => void (err += s), now: () => NOW });
  await program.parseAsync(['intel', ...args], { from: 'user' });
  return { out, err };
}

async function failure(args: string[]): Promise<VigilError> {
  try {
    await intel(args);
  } catch (e) {
    if (e instanceof VigilError) return e;
    throw e;
  }
  throw new Error('expected a VigilError');
}

const SET = 'intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542';
function stix(ips: string[]): string {
  const t = '2024-01-01T00:00:00.000Z';
  const objects: unknown[] = [{ type: 'intrusion-set', spec_version: '2.1', id: SET, created: t, modified: t, name: 'APT29', aliases: ['Midnight Blizzard'], external_references: [{ source_name: 'mitre-attack', external_id: 'G0016' }] }];
  ips.forEach((ip, i) => {
    const id = `indicator--20000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    objects.push({ type: 'indicator', spec_version: '2.1', id, created: t, modified: t, pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: t, valid_until: '2025-01-01T00:00:00.000Z' });
    objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--20000000-0000-4000-9000-${String(i).padStart(12, '0')}`, created: t, modified: t, relationship_type: 'indicates', source_ref: id, target_ref: SET });
  });
  return JSON.stringify({ type: 'bundle', id: 'bundle--20000000-0000-4000-8000-000000000000', objects });
}

describe('vigil intel', () => {
  it('add stores a STIX bundle and a CSV; list shows them by file with actor, ATT&CK id and validity', async () => {
    const d = tempDir();
    const db = join(d, 'v.db');
    writeFileSync(join(d, 'apt29.json'), stix(['198.51.100.1', '198.51.100.2']));
    writeFileSync(join(d, 'isac.csv'), 'ip,actor,source\n203.0.113.0/24,Kimsuky,isac-2024\n');
    const added = await intel(['add', join(d, 'apt29.json'), join(d, 'isac.csv'), '--db', db]);
    expect(added.out).toBe(`apt29.json: 2 indicator(s) stored, naming APT29\nisac.csv: 1 indicator(s) stored, naming Kimsuky\nin ${db}\n`);
    const list = await intel(['list', '--db', db]);
    expect(list.out).toContain('apt29.json: 2 indicator(s), added 2024-05-01 12:30 UTC; actors: APT29');
    expect(list.out).toMatch(/#\d+ ip 198\.51\.100\.1 → APT29 \(G0016\) valid 2024-01-01 to 2025-01-01/);
    expect(list.out).toMatch(/#\d+ cidr 203\.0\.113\.0\/24 → Kimsuky/);
    expect(list.out).toContain('3 indicator(s) from 2 file(s)');
    const json = (await intel(['list', '--db', db, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toHaveLength(3);
    expect(json[0]).toMatchObject({ file: 'apt29.json', kind: 'ip', value: '198.51.100.1', source: 'apt29.json', validFrom: '2024-01-01T00:00:00.000Z', validUntil: '2025-01-01T00:00:00.000Z', addedAt: '2024-05-01T12:30:00.000Z' });
    expect(json[0]!['actors']).toEqual([{ name: 'APT29', aliases: ['Midnight Blizzard'], attackId: 'G0016', stixId: SET }]);
  });

  it('adding a file again replaces its indicators instead of duplicating them', async () => {
    const d = tempDir();
    const db = join(d, 'v.db');
    const f = join(d, 'apt29.json');
    writeFileSync(f, stix(['198.51.100.1', '198.51.100.2']));
    await intel(['add', f, '--db', db]);
    writeFileSync(f, stix(['198.51.100.3']));
    const again = await intel(['add', f, '--db', db]);
    expect(again.out).toContain('apt29.json: 1 indicator(s) stored, naming APT29 (replaced the 2 added earlier)');
    const values = (await intel(['list', '--db', db, '--json'])).out.trim().split('\n').map((l) => (JSON.parse(l) as { value: string }).value);
    expect(values).toEqual(['198.51.100.3']);
  });

  it('remove takes a file name or an #id; nothing matching is a usage error', async () => {
    const d = tempDir();
    const db = join(d, 'v.db');
    writeFileSync(join(d, 'a.json'), stix(['198.51.100.1', '198.51.100.2']));
    writeFileSync(join(d, 'b.csv'), 'ip,actor\n192.0.2.1,APT31\n');
    await intel(['add', join(d, 'a.json'), join(d, 'b.csv'), '--db', db]);
    const ids = (await intel(['list', '--db', db, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l) as { id: number; value: string });
    const second = ids.find((i) => i.value === '198.51.100.2')!.id;
    expect((await intel(['remove', `#${second}`, '--db', db])).out).toBe('removed 1 indicator(s)\n');
    expect((await intel(['remove', 'b.csv', '--db', db])).out).toBe('removed 1 indicator(s)\n');
    const left = (await intel(['list', '--db', db, '--json'])).out.trim().split('\n').map((l) => (JSON.parse(l) as { value: string }).value);
    expect(left).toEqual(['198.51.100.1']);
    const e = await failure(['remove', 'b.csv', '--db', db]);
    expect(e.code).toBe('USAGE');
    expect(e.message).toContain('nothing stored matches b.csv');
  });

  it('a file without usable indicators is refused and the database keeps what it had', async () => {
    const d = tempDir();
    const db = join(d, 'v.db');
    writeFileSync(join(d, 'good.csv'), 'ip,actor\n192.0.2.1,APT31\n');
    writeFileSync(join(d, 'empty.json'), '{"type":"bundle","objects":[]}');
    writeFileSync(join(d, 'broken.json'), '{"type":"bundle",');
    await intel(['add', join(d, 'good.csv'), '--db', db]);
    const empty = await failure(['add', join(d, 'empty.json'), '--db', db]);
    expect(empty.location).toMatch(/empty\.json: no usable address or network indicator/);
    const broken = await failure(['add', join(d, 'broken.json'), '--db', db]);
    expect(broken.location).toMatch(/broken\.json: not valid JSON/);
    expect(await failure(['add', join(d, 'missing.json'), '--db', db])).toMatchObject({ code: 'INPUT_UNREADABLE' });
    expect((await intel(['list', '--db', db, '--json'])).out.trim().split('\n')).toHaveLength(1);
  });

  it('list on a database that does not exist says so without creating it', async () => {
    const db = join(tempDir(), 'none.db');
    const r = await intel(['list', '--db', db]);
    expect(r.out).toBe('');
    expect(r.err).toContain('no intelligence stored yet');
    expect(existsSync(db)).toBe(false);
  });
});
