/**
 * A Map bounded in size and in (event) time. Entries expire `ttlMs` after their last touch; when
 * full, the least recently touched entry goes. Map keeps insertion order, so re-inserting on touch
 * makes the first key the oldest: eviction and expiry are O(1) amortized.
 */
export class TtlMap<K, V> {
  private readonly map = new Map<K, { v: V; t: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** value without refreshing it */
  peek(key: K): V | undefined {
    return this.map.get(key)?.v;
  }

  /** value, refreshed as most recent at time `now` */
  touch(key: K, now: number): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    e.t = Math.max(e.t, now);
    this.map.set(key, e);
    return e.v;
  }

  /** value for key, created with `make` when absent; refreshed at `now` */
  upsert(key: K, now: number, make: () => V): V {
    const e = this.map.get(key);
    if (e) {
      this.map.delete(key);
      e.t = Math.max(e.t, now);
      this.map.set(key, e);
      return e.v;
    }
    const v = make();
    this.map.set(key, { v, t: now });
    if (this.map.size > this.maxEntries) this.evictOldest();
    return v;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** drop entries not touched since `now - ttlMs` */
  expire(now: number): void {
    const limit = now - this.ttlMs;
    for (const [k, e] of this.map) {
      if (e.t >= limit) break;
      this.map.delete(k);
      this.onEvict?.(k, e.v);
    }
  }

  entries(): IterableIterator<[K, V]> {
    const it = this.map.entries();
    return (function* () {
      for (const [k, e] of it) yield [k, e.v] as [K, V];
    })();
  }

  private evictOldest(): void {
    const first = this.map.keys().next();
    if (first.done) return;
    const e = this.map.get(first.value)!;
    this.map.delete(first.value);
    this.onEvict?.(first.value, e.v);
  }
}

/**
 * A set that stops growing at `cap` but keeps counting how many distinct values it was offered.
 * The Set itself is made on the first add: most addresses and accounts never need one.
 */
export class CappedSet<T> {
  private set: Set<T> | undefined;
  overflow = 0;

  constructor(readonly cap: number) {}

  get values(): ReadonlySet<T> {
    return this.set ?? EMPTY;
  }

  add(v: T): boolean {
    const set = (this.set ??= new Set<T>());
    if (set.has(v)) return false;
    if (set.size >= this.cap) {
      this.overflow++;
      return false;
    }
    set.add(v);
    return true;
  }

  has(v: T): boolean {
    return this.set?.has(v) ?? false;
  }

  /** distinct values seen (exact below the cap, a lower bound above it) */
  get count(): number {
    return (this.set?.size ?? 0) + this.overflow;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
