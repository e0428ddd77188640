import { SnapshotError, expectSame } from './snapshot-error.js';
import { CappedSet } from './ttl-map.js';

/**
 * Many short lists as one flat list and where each ends. A snapshot of 150,000 addresses then holds
 * a few arrays instead of several small objects per address, which is what makes v8.serialize and
 * v8.deserialize (and the garbage collector after them) slow.
 */
export interface PackedLists<T> {
  values: T[];
  ends: Uint32Array;
}

export function packLists<T>(lists: ReadonlyArray<Iterable<T>>): PackedLists<T> {
  const values: T[] = [];
  const ends = new Uint32Array(lists.length);
  lists.forEach((list, i) => {
    for (const v of list) values.push(v);
    ends[i] = values.length;
  });
  return { values, ends };
}

/** Unpacks every list, checking there are `count` of them. */
export function unpackLists<T>(p: PackedLists<T>, count: number): T[][] {
  if (!(p.ends instanceof Uint32Array) || p.ends.length !== count || (count > 0 && p.ends[count - 1] !== p.values.length)) {
    throw new SnapshotError('packed lists do not match their count');
  }
  const out: T[][] = new Array<T[]>(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = p.ends[i]!;
    out[i] = p.values.slice(start, end);
    start = end;
  }
  return out;
}

/** CappedSets of one size limit, packed. */
export interface PackedSets<T> {
  cap: number;
  overflow: Float64Array;
  lists: PackedLists<T>;
}

export function packSets<T>(sets: ReadonlyArray<CappedSet<T>>, cap: number): PackedSets<T> {
  const overflow = new Float64Array(sets.length);
  sets.forEach((s, i) => {
    overflow[i] = s.overflow;
  });
  return { cap, overflow, lists: packLists(sets.map((s) => s.values)) };
}

export function unpackSets<T>(p: PackedSets<T>, cap: number, count: number): CappedSet<T>[] {
  expectSame('set size limit', p.cap, cap);
  if (p.overflow.length !== count) throw new SnapshotError('packed sets do not match their count');
  return unpackLists(p.lists, count).map((values, i) => CappedSet.fromSnapshot(values.length > 0 ? { cap, overflow: p.overflow[i]!, values } : { cap, overflow: p.overflow[i]! }, cap));
}

/** One number per item. */
export function numbers<V>(items: readonly V[], pick: (v: V) => number): Float64Array {
  const out = new Float64Array(items.length);
  items.forEach((v, i) => {
    out[i] = pick(v);
  });
  return out;
}

/** A column read back: `count` numbers. */
export function column(c: Float64Array, count: number): Float64Array {
  if (!(c instanceof Float64Array) || c.length !== count) throw new SnapshotError('a packed column does not match its count');
  return c;
}
