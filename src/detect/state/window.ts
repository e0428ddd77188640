/**
 * Sliding event-time window of timestamped items, oldest first. Items are appended in
 * (approximately) increasing time; `evict(now)` drops what fell out of the window.
 */
export class SlidingWindow<T> {
  private items: Array<{ t: number; v: T }> = [];
  private head = 0;

  constructor(
    readonly widthMs: number,
    readonly maxItems: number,
  ) {}

  push(t: number, v: T): void {
    this.items.push({ t, v });
    if (this.items.length - this.head > this.maxItems) this.head++;
    this.compact();
  }

  evict(now: number, onDrop?: (v: T, t: number) => void): void {
    const limit = now - this.widthMs;
    while (this.head < this.items.length && this.items[this.head]!.t < limit) {
      const it = this.items[this.head++]!;
      onDrop?.(it.v, it.t);
    }
    this.compact();
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get oldestTime(): number | undefined {
    return this.items[this.head]?.t;
  }

  *values(): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!.v;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Count of distinct keys in a sliding window, with per-key reference counts. */
export class DistinctWindow {
  private readonly window: SlidingWindow<string>;
  private readonly counts = new Map<string, number>();

  constructor(widthMs: number, maxItems: number) {
    this.window = new SlidingWindow<string>(widthMs, maxItems);
  }

  add(t: number, key: string): void {
    this.window.push(t, key);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  evict(now: number): void {
    this.window.evict(now, (k) => {
      const c = (this.counts.get(k) ?? 1) - 1;
      if (c <= 0) this.counts.delete(k);
      else this.counts.set(k, c);
    });
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
