/**
 * A Map bounded in size and in (event) time. Entries expire `ttlMs` after their last touch; when
 * full, the entry that has gone longest without being moved goes (approximately the least recently
 * touched). A touch only records the time: entries are moved to the back lazily, when expiry reaches
 * them still alive ("second chance"), so a hot key costs no Map mutation per access.
 */
export class TtlMap<K, V> {
  /** t: last touch; pos: time the entry was (re)inserted, which orders the Map */
  private readonly map = new Map<K, { v: V; t: number; pos: number }>();

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
    if (now > e.t) e.t = now;
    return e.v;
  }

  /** value for key, created with `make` when absent; refreshed at `now` */
  upsert(key: K, now: number, make: () => V): V {
    const e = this.map.get(key);
    if (e) {
      if (now > e.t) e.t = now;
      return e.v;
    }
    const v = make();
    this.map.set(key, { v, t: now, pos: now });
    if (this.map.size > this.maxEntries) this.evictOldest();
    return v;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** drop entries not touched since `now - ttlMs`; give touched ones a new place at the back */
  expire(now: number): void {
    const limit = now - this.ttlMs;
    for (const [k, e] of this.map) {
      if (e.pos >= limit) break;
      this.map.delete(k);
      if (e.t < limit) this.onEvict?.(k, e.v);
      else {
        e.pos = e.t;
        this.map.set(k, e);
      }
    }
  }

  entries(): IterableIterator<[K, V]> {
    const it = this.map.entries();
    return (function* () {
      for (const [k, e] of it) yield [k, e.v] as [K, V];
    })();
  }

  private evictOldest(): void {
    // the first entries may have been touched since they were placed: move those back once
    for (let tries = 0; tries < 8; tries++) {
      const first = this.map.entries().next();
      if (first.done) return;
      const [k, e] = first.value;
      this.map.delete(k);
      if (e.t > e.pos && tries < 7) {
        e.pos = e.t;
        this.map.set(k, e);
        continue;
      }
      this.onEvict?.(k, e.v);
      return;
    }
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
