import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { CappedSet, TtlMap } from './ttl-map.js';
import { DistinctWindow, MultiDistinctWindow, SlidingWindow } from './window.js';
import { SnapshotError } from './snapshot-error.js';

/** through bytes, as an engine snapshot goes */
const roundTrip = <T>(v: T): T => deserialize(serialize(v)) as T;

function rand(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('state classes restored from a snapshot behave like the originals', () => {
  it('a full TtlMap evicts and expires the same keys, in the same order, after a restore', () => {
    const evictedA: string[] = [];
    const evictedB: string[] = [];
    const a = new TtlMap<string, { n: number }>(1000, 50, (k) => evictedA.push(k));
    const b = new TtlMap<string, { n: number }>(1000, 50, (k) => evictedB.push(k));
    // step i: a pseudo-random key touched, created or counted; now and then expiry and a delete
    const step = (m: TtlMap<string, { n: number }>, i: number): void => {
      const k = `k${(i * 7919 + ((i * i) % 13)) % 120}`;
      const t = i * 3;
      if (i % 3 === 0) m.touch(k, t);
      else m.upsert(k, t, () => ({ n: i })).n++;
      if (i % 17 === 0) m.expire(t);
      if (i % 29 === 0) m.delete(`k${i % 120}`);
    };
    for (let i = 0; i < 2000; i++) step(a, i);
    b.restoreFrom(roundTrip(a.toSnapshot((v) => v)), (v) => v);
    evictedA.length = 0;
    for (let i = 2000; i < 5000; i++) {
      step(a, i);
      step(b, i);
    }
    expect(evictedA.length).toBeGreaterThan(100);
    expect(evictedB).toEqual(evictedA);
    expect([...b.entries()]).toEqual([...a.entries()]);
  });

  it('a restored TtlMap refuses a snapshot taken with another size limit', () => {
    const a = new TtlMap<string, number>(1000, 50);
    a.upsert('x', 1, () => 1);
    expect(() => new TtlMap<string, number>(1000, 60).restoreFrom(a.toSnapshot((v) => v), (v) => v)).toThrow(SnapshotError);
  });

  it('a CappedSet keeps its values and its count above the cap', () => {
    const s = new CappedSet<string>(3);
    for (const v of ['a', 'b', 'c', 'd', 'e', 'a']) s.add(v);
    const c = CappedSet.fromSnapshot(roundTrip(s.toSnapshot()), 3);
    expect([...c.values]).toEqual(['a', 'b', 'c']);
    expect(c.count).toBe(5);
    expect(() => CappedSet.fromSnapshot(s.toSnapshot(), 4)).toThrow(/set size limit differs/);
  });

  it('sliding and distinct windows count the same after a restore, as items come and go', () => {
    const r = rand(7);
    const sw = new SlidingWindow<string>(600, 40);
    const dw = new DistinctWindow(600, 40);
    const mw = new MultiDistinctWindow([100, 300, 600], 40);
    let t = 0;
    const feed = (s: SlidingWindow<string>, d: DistinctWindow, m: MultiDistinctWindow, key: string): void => {
      s.push(t, key);
      s.evict(t);
      d.add(t, key);
      d.evict(t);
      m.add(t, key);
      m.evict(t);
    };
    for (let i = 0; i < 3000; i++, t += Math.floor(r() * 10)) feed(sw, dw, mw, `u${Math.floor(r() * 30)}`);
    const sw2 = new SlidingWindow<string>(600, 40);
    sw2.restoreFrom(roundTrip(sw.toSnapshot()));
    const dw2 = new DistinctWindow(600, 40);
    dw2.restoreFrom(roundTrip(dw.toSnapshot()));
    const mw2 = new MultiDistinctWindow([100, 300, 600], 40);
    mw2.restoreFrom(roundTrip(mw.toSnapshot()));
    for (let i = 0; i < 3000; i++, t += Math.floor(r() * 10)) {
      const key = `u${Math.floor(r() * 30)}`;
      feed(sw, dw, mw, key);
      feed(sw2, dw2, mw2, key);
      expect([sw2.length, sw2.oldestTime, dw2.distinct, dw2.total]).toEqual([sw.length, sw.oldestTime, dw.distinct, dw.total]);
      expect([0, 1, 2].map((w) => [mw2.distinct(w), mw2.total(w)])).toEqual([0, 1, 2].map((w) => [mw.distinct(w), mw.total(w)]));
    }
    expect([...sw2.values()]).toEqual([...sw.values()]);
    expect(() => new MultiDistinctWindow([100, 200, 600], 40).restoreFrom(mw.toSnapshot())).toThrow(/window widths differs/);
  });
});
