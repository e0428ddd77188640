import { SnapshotError, expectSame, expectSameList } from './snapshot-error.js';

/** A SlidingWindow as plain data: the items still inside, oldest first. */
export interface SlidingWindowSnapshot<T> {
  widthMs: number;
  maxItems: number;
  times: Float64Array;
  values: T[];
}

/** Many SlidingWindows of one width and size as flat lists: `ends[i]` is where window i's items end. */
export interface PackedWindows<T> {
  widthMs: number;
  maxItems: number;
  times: Float64Array;
  values: T[];
  ends: Uint32Array;
}

export interface DistinctWindowSnapshot {
  window: SlidingWindowSnapshot<string>;
  counts: Map<string, number>;
}

export interface MultiDistinctWindowSnapshot {
  widthsMs: number[];
  maxItems: number;
  /** items from the oldest stored one */
  times: Float64Array;
  keys: string[];
  /** sequence number of the first item */
  baseSeq: number;
  /** per window: its oldest item, as an index into `times` */
  heads: number[];
  counts: number[];
  latest: Map<string, number>;
}

/**
 * Sliding event-time window of timestamped items, oldest first. Items are appended in
 * (approximately) increasing time; `evict(now)` drops what fell out of the window, and the oldest
 * items go when more than `maxItems` are held. Times and values live in two parallel arrays so a
 * push allocates nothing per item (this is on the per-event path of several detectors).
 */
export class SlidingWindow<T> {
  private times: number[] = [];
  private vals: T[] = [];
  private head = 0;

  constructor(
    readonly widthMs: number,
    readonly maxItems: number,
  ) {}

  /** add an item; `onDrop` hears about the oldest one if the window is full */
  push(t: number, v: T, onDrop?: (v: T) => void): void {
    this.times.push(t);
    this.vals.push(v);
    if (this.times.length - this.head > this.maxItems) this.dropOldest(onDrop);
    this.compact();
  }

  evict(now: number, onDrop?: (v: T) => void): void {
    const limit = now - this.widthMs;
    while (this.head < this.times.length && this.times[this.head]! < limit) this.dropOldest(onDrop);
    this.compact();
  }

  get length(): number {
    return this.times.length - this.head;
  }

  get oldestTime(): number | undefined {
    return this.head < this.times.length ? this.times[this.head] : undefined;
  }

  *values(): IterableIterator<T> {
    for (let i = this.head; i < this.vals.length; i++) yield this.vals[i]!;
  }

  toSnapshot(): SlidingWindowSnapshot<T> {
    return { widthMs: this.widthMs, maxItems: this.maxItems, times: Float64Array.from(this.times.slice(this.head)), values: this.vals.slice(this.head) };
  }

  /** Windows made alike (same width and size), as a few flat lists instead of objects per window. */
  static pack<T>(windows: readonly SlidingWindow<T>[], widthMs: number, maxItems: number): PackedWindows<T> {
    const times: number[] = [];
    const values: T[] = [];
    const ends = new Uint32Array(windows.length);
    windows.forEach((w, i) => {
      expectSame('window width', w.widthMs, widthMs);
      expectSame('window size limit', w.maxItems, maxItems);
      for (let j = w.head; j < w.times.length; j++) {
        times.push(w.times[j]!);
        values.push(w.vals[j]!);
      }
      ends[i] = values.length;
    });
    return { widthMs, maxItems, times: Float64Array.from(times), values, ends };
  }

  /** `count` windows back from `pack`, each made by `make` (which gives the width and size). */
  static unpack<T>(p: PackedWindows<T>, count: number, make: () => SlidingWindow<T>): SlidingWindow<T>[] {
    if (!(p.ends instanceof Uint32Array) || p.ends.length !== count || p.times.length !== p.values.length || (count > 0 && p.ends[count - 1] !== p.values.length)) {
      throw new SnapshotError('packed windows do not match their count');
    }
    const out: SlidingWindow<T>[] = new Array<SlidingWindow<T>>(count);
    let start = 0;
    for (let i = 0; i < count; i++) {
      const w = make();
      expectSame('window width', p.widthMs, w.widthMs);
      expectSame('window size limit', p.maxItems, w.maxItems);
      const end = p.ends[i]!;
      w.times = Array.from(p.times.subarray(start, end));
      w.vals = p.values.slice(start, end);
      out[i] = w;
      start = end;
    }
    return out;
  }

  /** Load a snapshot into this (empty) window, made with the same width and size. */
  restoreFrom(s: SlidingWindowSnapshot<T>): void {
    if (this.length > 0) throw new SnapshotError('restoring into a window that is not empty');
    expectSame('window width', s.widthMs, this.widthMs);
    expectSame('window size limit', s.maxItems, this.maxItems);
    if (s.times.length !== s.values.length) throw new SnapshotError('window snapshot lists differ in length');
    this.times = Array.from(s.times);
    this.vals = s.values.slice();
    this.head = 0;
  }

  private dropOldest(onDrop?: (v: T) => void): void {
    const v = this.vals[this.head]!;
    this.vals[this.head] = undefined as T; // let the dropped value be collected before compaction
    this.head++;
    onDrop?.(v);
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.vals = this.vals.slice(this.head);
      this.head = 0;
    }
  }
}

/** Count of distinct keys in a sliding window, with per-key reference counts. */
export class DistinctWindow {
  private readonly window: SlidingWindow<string>;
  private readonly counts = new Map<string, number>();
  /** one bound function, not a closure per call */
  private readonly release = (k: string): void => {
    const c = (this.counts.get(k) ?? 1) - 1;
    if (c <= 0) this.counts.delete(k);
    else this.counts.set(k, c);
  };

  constructor(widthMs: number, maxItems: number) {
    this.window = new SlidingWindow<string>(widthMs, maxItems);
  }

  add(t: number, key: string): void {
    this.window.push(t, key, this.release);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  evict(now: number): void {
    this.window.evict(now, this.release);
  }

  /** distinct keys in the window */
  get distinct(): number {
    return this.counts.size;
  }

  /** items in the window */
  get total(): number {
    return this.window.length;
  }

  keys(): IterableIterator<string> {
    return this.counts.keys();
  }

  countOf(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  toSnapshot(): DistinctWindowSnapshot {
    return { window: this.window.toSnapshot(), counts: new Map(this.counts) };
  }

  /** Load a snapshot into this (empty) window, made with the same width and size. */
  restoreFrom(s: DistinctWindowSnapshot): void {
    this.window.restoreFrom(s.window);
    for (const [k, n] of s.counts) this.counts.set(k, n);
  }
}

/**
 * Distinct keys in several nested windows at once (e.g. 1 h, 6 h, 24 h) over one stream of items:
 * one store of items and one key map instead of one of each per window. A key counts in a window
 * while its latest occurrence is inside it. Items must arrive in non-decreasing time (the engine's).
 */
export class MultiDistinctWindow {
  private times: number[] = [];
  private keys: string[] = [];
  /** index of the oldest stored item */
  private base = 0;
  /** sequence number of the item at `base` (items are numbered consecutively) */
  private baseSeq = 0;
  /** per window, ascending widths: index of its oldest item still inside */
  private readonly heads: number[];
  /** per window: distinct keys inside */
  private readonly counts: number[];
  /** key → sequence number of its latest occurrence */
  private readonly latest = new Map<string, number>();
  /** per stored item: a later item has the same key (so leaving a window needs no Map lookup) */
  private superseded: boolean[] = [];

  constructor(
    readonly widthsMs: readonly number[],
    readonly maxItems: number,
  ) {
    this.heads = widthsMs.map(() => 0);
    this.counts = widthsMs.map(() => 0);
  }

  add(t: number, key: string): void {
    const prev = this.latest.get(key);
    const index = this.times.length;
    if (prev === undefined) {
      for (let w = 0; w < this.heads.length; w++) this.counts[w]!++;
    } else {
      const p = this.indexOf(prev);
      this.superseded[p] = true;
      for (let w = 0; w < this.heads.length; w++) if (p < this.heads[w]!) this.counts[w]!++;
    }
    this.latest.set(key, this.seqOf(index));
    this.times.push(t);
    this.keys.push(key);
    this.superseded.push(false);
    if (this.times.length - this.base > this.maxItems) this.dropOldest();
  }

  evict(now: number): void {
    for (let w = 0; w < this.heads.length; w++) {
      const limit = now - this.widthsMs[w]!;
      while (this.heads[w]! < this.times.length && this.times[this.heads[w]!]! < limit) this.leave(w);
    }
    const oldest = this.heads[this.heads.length - 1]!;
    while (this.base < oldest) this.forget();
    this.compact();
  }

  /** distinct keys in window `w` (index into widthsMs) */
  distinct(w: number): number {
    return this.counts[w]!;
  }

  /** items in window `w` */
  total(w: number): number {
    return this.times.length - this.heads[w]!;
  }

  toSnapshot(): MultiDistinctWindowSnapshot {
    return {
      widthsMs: [...this.widthsMs],
      maxItems: this.maxItems,
      times: Float64Array.from(this.times.slice(this.base)),
      keys: this.keys.slice(this.base),
      baseSeq: this.baseSeq,
      heads: this.heads.map((h) => h - this.base),
      counts: [...this.counts],
      latest: new Map(this.latest),
    };
  }

  /** Load a snapshot into this (empty) window, made with the same widths and size. */
  restoreFrom(s: MultiDistinctWindowSnapshot): void {
    if (this.times.length > 0) throw new SnapshotError('restoring into a window that is not empty');
    expectSameList('window widths', s.widthsMs, this.widthsMs);
    expectSame('window size limit', s.maxItems, this.maxItems);
    if (s.times.length !== s.keys.length || s.heads.length !== this.heads.length || s.counts.length !== this.counts.length) {
      throw new SnapshotError('window snapshot lists differ in length');
    }
    this.times = Array.from(s.times);
    this.keys = s.keys.slice();
    this.base = 0;
    this.baseSeq = s.baseSeq;
    for (let w = 0; w < this.heads.length; w++) {
      this.heads[w] = s.heads[w]!;
      this.counts[w] = s.counts[w]!;
    }
    for (const [k, seq] of s.latest) this.latest.set(k, seq);
    this.superseded = this.keys.map((k, i) => this.latest.get(k) !== this.seqOf(i));
  }

  private seqOf(index: number): number {
    return this.baseSeq + (index - this.base);
  }

  private indexOf(seq: number): number {
    return this.base + (seq - this.baseSeq);
  }

  /** the oldest item of window w leaves it */
  private leave(w: number): void {
    const i = this.heads[w]!;
    if (!this.superseded[i]) this.counts[w]!--;
    this.heads[w] = i + 1;
  }

  /** the oldest stored item leaves every window that still holds it, then the store */
  private dropOldest(): void {
    for (let w = 0; w < this.heads.length; w++) if (this.heads[w] === this.base) this.leave(w);
    this.forget();
  }

  private forget(): void {
    if (!this.superseded[this.base]) this.latest.delete(this.keys[this.base]!);
    this.base++;
    this.baseSeq++;
  }

  private compact(): void {
    if (this.base > 4096 && this.base * 2 > this.times.length) {
      const shift = this.base;
      this.times = this.times.slice(shift);
      this.keys = this.keys.slice(shift);
      this.superseded = this.superseded.slice(shift);
      for (let w = 0; w < this.heads.length; w++) this.heads[w]! -= shift;
      this.base = 0;
    }
  }
}
