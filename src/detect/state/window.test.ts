import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DistinctWindow, MultiDistinctWindow, SlidingWindow } from './window.js';

describe('sliding windows', () => {
  it('a full window drops its oldest item and tells the caller, so distinct counts never leak', () => {
    const d = new DistinctWindow(1_000_000, 3);
    for (const k of ['a', 'b', 'c', 'd', 'e']) d.add(1, k);
    expect(d.distinct).toBe(3);
    expect(d.total).toBe(3);
    const w = new SlidingWindow<string>(10, 2);
    const dropped: string[] = [];
    w.push(1, 'x', (v) => dropped.push(v));
    w.push(2, 'y', (v) => dropped.push(v));
    w.push(3, 'z', (v) => dropped.push(v));
    expect(dropped).toEqual(['x']);
    expect([...w.values()]).toEqual(['y', 'z']);
  });

  it('MultiDistinctWindow counts exactly what one DistinctWindow per width counts', () => {
    const widths = [10, 60, 240];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(30), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g')), { maxLength: 300 }), (steps) => {
        const multi = new MultiDistinctWindow(widths, 1_000_000);
        const singles = widths.map((w) => new DistinctWindow(w, 1_000_000));
        let t = 0;
        for (const [dt, key] of steps) {
          t += dt;
          multi.add(t, key);
          multi.evict(t);
          singles.forEach((s, i) => {
            s.add(t, key);
            s.evict(t);
            expect(multi.distinct(i)).toBe(s.distinct);
            expect(multi.total(i)).toBe(s.total);
          });
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('MultiDistinctWindow stays bounded by maxItems and keeps counts consistent', () => {
    const m = new MultiDistinctWindow([100, 1000], 50);
    for (let i = 0; i < 10_000; i++) {
      m.add(i, `k${i % 80}`);
      m.evict(i);
      expect(m.total(1)).toBeLessThanOrEqual(50);
      expect(m.distinct(1)).toBeLessThanOrEqual(50);
      expect(m.distinct(0)).toBeLessThanOrEqual(m.distinct(1));
    }
  });
});
