import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MultiDistinctWindow } from './window.js';

/**
 * The distinct-count windows the spray detectors threshold on, checked against a brute-force count
 * over long streams: long enough for a full window to drop items and for its store to be compacted.
 */
describe('MultiDistinctWindow over long streams', () => {
  it('counts the distinct keys of the last items inside each width, as a brute-force count does', () => {
    const widths = [50, 400, 2000];
    const maxItems = 64;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(20), fc.nat(40)), { minLength: 5000, maxLength: 9000 }), (steps) => {
        const w = new MultiDistinctWindow(widths, maxItems);
        const times: number[] = [];
        const keys: string[] = [];
        let t = 0;
        steps.forEach(([dt, k], n) => {
          t += dt;
          const key = `k${k}`;
          times.push(t);
          keys.push(key);
          w.add(t, key);
          w.evict(t);
          if (n % 97 !== 0 && n !== steps.length - 1) return;
          const from = Math.max(0, times.length - maxItems);
          widths.forEach((width, i) => {
            const inside = new Set<string>();
            let total = 0;
            for (let j = from; j < times.length; j++) {
              if (times[j]! < t - width) continue;
              inside.add(keys[j]!);
              total++;
            }
            expect(w.distinct(i)).toBe(inside.size);
            expect(w.total(i)).toBe(total);
          });
        });
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('a snapshot taken after compaction restores the same counts, and both go on alike', () => {
    const a = new MultiDistinctWindow([10, 100], 32);
    for (let i = 0; i < 12_000; i++) {
      a.add(i, `k${(i * 7) % 45}`);
      a.evict(i);
    }
    const b = new MultiDistinctWindow([10, 100], 32);
    b.restoreFrom(a.toSnapshot());
    for (let i = 12_000; i < 12_500; i++) {
      for (const m of [a, b]) {
        m.add(i, `k${(i * 11) % 37}`);
        m.evict(i);
      }
      expect(b.distinct(0)).toBe(a.distinct(0));
      expect(b.distinct(1)).toBe(a.distinct(1));
    }
  });
});
