import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { dateFromFileName, loadTorFile, TorIndex } from './tor.js';

const FIX = (name: string): string => new URL(`../../test/fixtures/enrich/${name}`, import.meta.url).pathname;
const SHARED = '/work/shared/datasets/tor-exit-nodes-snapshots';
const tmp = mkdtempSync(join(tmpdir(), 'vigil-tor-'));
const at = (iso: string): number => Date.parse(iso);

function isTor(idx: TorIndex, ip: string, t: number): boolean {
  const s = idx.sightings(ip);
  return s !== undefined && idx.isExitAt(s, t);
}

describe('bulk exit list (real snapshot excerpt)', () => {
  it('loads IPv4 and IPv6 lines, dates the list from its name, canonicalizes addresses', async () => {
    const idx = new TorIndex();
    const snap = await loadTorFile(idx, FIX('tor-exit-nodes_2024-02-27.lst'));
    expect(snap).toMatchObject({ format: 'bulk', addresses: 250, from: at('2024-02-27T00:00:00Z') });
    // first line of the file, and a full-form IPv6 line ("2001:0470:0001:0908:0000:0000:0000:9001")
    expect(isTor(idx, '101.99.92.179', at('2024-02-27T10:00:00Z'))).toBe(true);
    expect(isTor(idx, '2001:470:1:908::9001', at('2024-02-27T10:00:00Z'))).toBe(true);
    expect(idx.sightings('8.8.8.8')).toBeUndefined();
  });

  it('a list applies within ±30 days of its date; when no list is near, the nearest one decides', async () => {
    const idx = new TorIndex();
    await loadTorFile(idx, FIX('tor-exit-nodes_2024-02-27.lst'));
    const s = idx.sightings('101.99.92.179')!;
    expect(idx.isExitAt(s, at('2024-03-25T00:00:00Z'))).toBe(true);
    // only one list loaded: it is the nearest for any time, so old and new logs are still judged
    expect(idx.isExitAt(s, at('2021-01-01T00:00:00Z'))).toBe(true);

    // add an older list that does NOT contain the address: events near it are judged by it
    idx.addBulk('198.51.100.1\n', 'tor-exit-nodes_2023-09-13.lst', at('2023-09-13T00:00:00Z'));
    expect(idx.isExitAt(s, at('2023-09-20T00:00:00Z'))).toBe(false);
    expect(idx.isExitAt(s, at('2023-01-01T00:00:00Z'))).toBe(false); // nearest is 2023-09-13
    expect(idx.isExitAt(s, at('2024-01-15T00:00:00Z'))).toBe(true); // nearest is 2024-02-27
    expect(idx.isExitAt(s, at('2024-02-10T00:00:00Z'))).toBe(true); // within 30 days
  });

  it('takes the mtime when the name has no date, and strips comments', async () => {
    const f = join(tmp, 'torbulkexitlist');
    writeFileSync(f, '# Generated 2019\n\n192.0.2.10 # relay a\n192.0.2.11\n');
    utimesSync(f, new Date('2019-05-01T00:00:00Z'), new Date('2019-05-01T00:00:00Z'));
    const idx = new TorIndex();
    const snap = await loadTorFile(idx, f);
    expect(snap.from).toBe(at('2019-05-01T00:00:00Z'));
    expect(snap.addresses).toBe(2);
    expect(isTor(idx, '192.0.2.10', at('2019-05-03T00:00:00Z'))).toBe(true);
  });

  it('reports a malformed line with file:line', async () => {
    const f = join(tmp, 'bad-2024-01-01.lst');
    writeFileSync(f, '192.0.2.10\n192.0.2.300\n');
    const err = (await loadTorFile(new TorIndex(), f).catch((e: unknown) => e)) as VigilError;
    expect(err).toBeInstanceOf(VigilError);
    expect(err.code).toBe('CONFIG');
    expect(err.location).toMatch(/bad-2024-01-01\.lst:2: /);
    const missing = (await loadTorFile(new TorIndex(), join(tmp, 'none.lst')).catch((e: unknown) => e)) as VigilError;
    expect(missing.code).toBe('INPUT_UNREADABLE');
  });

  it('dateFromFileName rejects impossible dates', () => {
    expect(dateFromFileName('/x/tor-2024-02-27.lst')).toBe(at('2024-02-27T00:00:00Z'));
    expect(dateFromFileName('tor-2024-13-45.lst')).toBeUndefined();
    expect(dateFromFileName('torbulkexitlist')).toBeUndefined();
  });
});

describe('TorDNSEL exit-addresses', () => {
  it('an address counts within ±48 h of its own observation', async () => {
    const idx = new TorIndex();
    const snap = await loadTorFile(idx, FIX('exit-addresses.txt'));
    expect(snap).toMatchObject({ format: 'exit-addresses', addresses: 3, from: at('2024-02-20T08:05:11Z'), to: at('2024-02-27T09:03:25Z') });
    // observed 2024-02-27 09:03:25
    expect(isTor(idx, '198.51.100.7', at('2024-02-29T09:00:00Z'))).toBe(true);
    expect(isTor(idx, '198.51.100.7', at('2024-02-25T09:04:00Z'))).toBe(true);
    expect(isTor(idx, '198.51.100.7', at('2024-02-25T09:03:00Z'))).toBe(false);
    // observed 2024-02-20 only: not an exit a week later although the file covers that day
    expect(isTor(idx, '203.0.113.44', at('2024-02-21T08:00:00Z'))).toBe(true);
    expect(isTor(idx, '203.0.113.44', at('2024-02-27T08:00:00Z'))).toBe(false);
    expect(isTor(idx, '2001:db8::44', at('2024-02-27T12:00:00Z'))).toBe(true);
    // far from every file: the nearest file (this one) decides by membership
    expect(isTor(idx, '203.0.113.44', at('2025-06-01T00:00:00Z'))).toBe(true);
  });

  it('reports bad ExitAddress lines and unknown keywords with file:line', () => {
    const idx = new TorIndex();
    expect(() => idx.add('ExitNode AB\nExitAddress 198.51.100.7 yesterday\n', 'ea.txt', 0)).toThrow(/ExitAddress/);
    try {
      idx.add('ExitNode AB\nPublished 2024-02-26 21:36:28\nBogus x\n', 'ea.txt', 0);
    } catch (e) {
      expect((e as VigilError).location).toMatch(/^ea\.txt:3: .*Bogus/);
    }
    expect.assertions(2);
  });
});

describe.skipIf(!existsSync(SHARED))('real snapshots from two dates', () => {
  it('each event is judged by the list of its day', async () => {
    const idx = new TorIndex();
    await loadTorFile(idx, join(SHARED, 'tor-exit-nodes_2023-09-13.lst'));
    await loadTorFile(idx, join(SHARED, 'tor-exit-nodes_2024-02-27.lst'));
    const old = new Set(readFileSync(join(SHARED, 'tor-exit-nodes_2023-09-13.lst'), 'utf8').split('\n').filter((l) => l && !l.includes(':')));
    const recent = readFileSync(join(SHARED, 'tor-exit-nodes_2024-02-27.lst'), 'utf8').split('\n').filter((l) => l && !l.includes(':'));
    const onlyRecent = recent.find((ip) => !old.has(ip))!;
    const both = recent.find((ip) => old.has(ip))!;
    expect(onlyRecent).toBeDefined();
    expect(isTor(idx, onlyRecent, at('2023-09-14T00:00:00Z'))).toBe(false);
    expect(isTor(idx, onlyRecent, at('2024-02-27T12:00:00Z'))).toBe(true);
    expect(isTor(idx, both, at('2023-09-14T00:00:00Z'))).toBe(true);
    expect(isTor(idx, both, at('2024-02-27T12:00:00Z'))).toBe(true);
    expect(idx.size).toBeGreaterThan(2_500);
  });
});
