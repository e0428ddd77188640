import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Indicator } from '../../src/intel/types.js';
import type { AsyncIntelStore } from '../../src/store/types.js';

/** How the shared intelligence suite reaches one backend (promise-based, like store-suite.ts). */
export interface IntelHarness {
  open(): Promise<AsyncIntelStore & { close(): Promise<void> }>;
  reopen(): Promise<AsyncIntelStore & { close(): Promise<void> }>;
  cleanup(): void | Promise<void>;
}

const APT28 = { name: 'Forest Blizzard', aliases: ['STRONTIUM'], attackId: 'G0007', stixId: 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c' };
const FROM = Date.UTC(2024, 0, 1);
const UNTIL = Date.UTC(2024, 11, 31);

function ind(value: string, extra: Partial<Indicator> = {}): Indicator {
  return { kind: value.includes('/') ? 'cidr' : 'ip', value, actors: [APT28], source: 'partner.json', ...extra };
}

/** The behaviour every IntelStore must have, whatever holds the indicators. */
export function intelStoreSuite(name: string, makeHarness: () => IntelHarness): void {
  describe(`IntelStore contract: ${name}`, () => {
    let h: IntelHarness;
    let s: AsyncIntelStore & { close(): Promise<void> };
    beforeEach(async () => {
      h = makeHarness();
      s = await h.open();
    });
    afterEach(async () => {
      await s.close();
      await h.cleanup();
    });

    it('keeps every field of an indicator, actor link and validity included, across reopening', async () => {
      const kept = await s.replaceIntel('partner.json', [ind('198.51.100.7', { validFrom: FROM, validUntil: UNTIL, ref: 'indicator--1' }), ind('203.0.113.0/24')], 1_700_000_000_000);
      expect(kept).toBe(2);
      await s.close();
      s = await h.reopen();
      const all = await s.listIntel();
      expect(all).toHaveLength(2);
      expect(all[0]).toMatchObject({ file: 'partner.json', kind: 'ip', value: '198.51.100.7', source: 'partner.json', validFrom: FROM, validUntil: UNTIL, ref: 'indicator--1', addedAt: 1_700_000_000_000 });
      expect(all[0]!.actors).toEqual([APT28]);
      expect(all[1]).toMatchObject({ kind: 'cidr', value: '203.0.113.0/24' });
      expect(all[1]!.validFrom).toBeUndefined();
      expect(typeof all[0]!.id).toBe('number');
      expect(all[0]!.id).toBeLessThan(all[1]!.id);
    });

    it('adding the same file again replaces its indicators; other files stay; repeats in one file are kept once', async () => {
      await s.replaceIntel('a.json', [ind('198.51.100.1'), ind('198.51.100.2')]);
      await s.replaceIntel('b.csv', [ind('192.0.2.9', { actors: [], source: 'b.csv' })]);
      expect(await s.replaceIntel('a.json', [ind('198.51.100.2'), ind('198.51.100.3'), ind('198.51.100.3')])).toBe(2);
      expect((await s.listIntel()).map((i) => `${i.file} ${i.value}`)).toEqual(['a.json 198.51.100.2', 'a.json 198.51.100.3', 'b.csv 192.0.2.9']);
    });

    it('removes by file name, or by id when no file has that name', async () => {
      await s.replaceIntel('a.json', [ind('198.51.100.1'), ind('198.51.100.2')]);
      await s.replaceIntel('b.json', [ind('192.0.2.9')]);
      const id = (await s.listIntel()).find((i) => i.value === '198.51.100.2')!.id;
      expect(await s.removeIntel(String(id))).toBe(1);
      expect((await s.listIntel()).map((i) => i.value)).toEqual(['198.51.100.1', '192.0.2.9']);
      expect(await s.removeIntel('b.json')).toBe(1);
      expect(await s.removeIntel('nothing.json')).toBe(0);
      expect(await s.removeIntel('999999999999')).toBe(0);
      expect((await s.listIntel()).map((i) => i.value)).toEqual(['198.51.100.1']);
    });

    it('hostile text is stored as data: quotes, __proto__ names, long values', async () => {
      const evil = "x'); DROP TABLE intel_indicators; --";
      await s.replaceIntel('__proto__', [ind('198.51.100.1', { source: evil, actors: [{ name: '__proto__', aliases: ['constructor'] }] })]);
      await s.replaceIntel(evil, [ind('198.51.100.2', { actors: [{ name: 'y'.repeat(10_000) }] })]);
      const all = await s.listIntel();
      expect(all.map((i) => i.file).sort()).toEqual(['__proto__', evil].sort());
      const proto = all.find((i) => i.file === '__proto__')!;
      expect(proto.source).toBe(evil);
      expect(proto.actors).toEqual([{ name: '__proto__', aliases: ['constructor'] }]);
      expect(all.find((i) => i.file === evil)!.actors[0]!.name.length).toBe(200);
      expect(await s.removeIntel(evil)).toBe(1);
    });

    it('an empty file name is refused; an empty indicator list clears the file', async () => {
      await expect(s.replaceIntel('  ', [ind('198.51.100.1')])).rejects.toThrow(/file name is empty/);
      await s.replaceIntel('a.json', [ind('198.51.100.1')]);
      expect(await s.replaceIntel('a.json', [])).toBe(0);
      expect(await s.listIntel()).toEqual([]);
    });
  });
}
