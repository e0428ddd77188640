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
    for (let w = 0; w < this.heads.length; w++) {
      if (prev === undefined || this.indexOf(prev) < this.heads[w]!) this.counts[w]!++;
    }
    this.latest.set(key, this.seqOf(index));
    this.times.push(t);
    this.keys.push(key);
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

  private seqOf(index: number): number {
    return this.baseSeq + (index - this.base);
  }

  private indexOf(seq: number): number {
    return this.base + (seq - this.baseSeq);
  }

  /** the oldest item of window w leaves it */
  private leave(w: number): void {
    const i = this.heads[w]!;
    if (this.latest.get(this.keys[i]!) === this.seqOf(i)) this.counts[w]!--;
    this.heads[w] = i + 1;
  }

  /** the oldest stored item leaves every window that still holds it, then the store */
  private dropOldest(): void {
    for (let w = 0; w < this.heads.length; w++) if (this.heads[w] === this.base) this.leave(w);
    this.forget();
  }

  private forget(): void {
    const key = this.keys[this.base]!;
    if (this.latest.get(key) === this.baseSeq) this.latest.delete(key);
    this.base++;
    this.baseSeq++;
  }

  private compact(): void {
    if (this.base > 4096 && this.base * 2 > this.times.length) {
      const shift = this.base;
      this.times = this.times.slice(shift);
      this.keys = this.keys.slice(shift);
      for (let w = 0; w < this.heads.length; w++) this.heads[w]! -= shift;
      this.base = 0;
    }
  }
}
