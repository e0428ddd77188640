import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intelTextKind, splitIntelInputs } from './inputs.js';

describe('intelTextKind', () => {
  it('JSON is STIX or MISP, a CSV header naming an address column is intel, the rest is an IP list', () => {
    expect(intelTextKind('{"type":"bundle","objects":[]}')).toBe('json');
    expect(intelTextKind('\uFEFF  [{"Event":{}}]')).toBe('json');
    expect(intelTextKind('# partner list\nip,actor,source\n198.51.100.7,APT28,isac\n')).toBe('csv');
    expect(intelTextKind('"Indicator","Group"\n198.51.100.7,APT28\n')).toBe('csv');
    expect(intelTextKind('# blocklist\n\n198.51.100.7\n203.0.113.0/24 scanners\n')).toBe('list');
    expect(intelTextKind('198.51.100.7,APT28,isac\n')).toBe('list');
    expect(intelTextKind('')).toBe('list');
    expect(intelTextKind('#'.repeat(200_000))).toBe('list');
  });
});

describe('splitIntelInputs', () => {
  it('keeps plain lists for the enrichment and parses the others into indicators with actors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-in-'));
    const list = join(dir, 'block.txt');
    const csv = join(dir, 'isac.csv');
    writeFileSync(list, '198.51.100.1\n192.0.2.0/24,scanners\n');
    writeFileSync(csv, 'ip,actor,source\n198.51.100.7,APT28,isac-2024\nnot-an-ip,APT28,isac\n');
    const r = await splitIntelInputs([list, csv]);
    expect(r.lists).toEqual([list]);
    expect(r.indicators).toEqual([{ kind: 'ip', value: '198.51.100.7', actors: [{ name: 'APT28' }], source: 'isac-2024', ref: 'isac.csv:2' }]);
    expect(r.problems).toEqual(['isac.csv:3: not an address or network: not-an-ip']);
  });

  it('a missing file is an error naming it', async () => {
    await expect(splitIntelInputs(['/nonexistent/intel.json'])).rejects.toMatchObject({ code: 'INPUT_UNREADABLE', file: '/nonexistent/intel.json' });
  });
});
