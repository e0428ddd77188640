import { SnapshotError, expectSame } from './snapshot-error.js';

/** A TtlMap as plain data: entries in Map order and the age queue from its head. */
export interface TtlMapSnapshot<K, B> {
  ttlMs: number;
  maxEntries: number;
  keys: K[];
  /** the values, in key order, encoded as one block (see `toSnapshot`) */
  values: B;
  /** last touch of each entry */
  touched: Float64Array;
  /** the queue position each entry is live at */
  queuedAt: Float64Array;
  queueKeys: K[];
  queuePos: Float64Array;
}

/** A CappedSet as plain data; `values` absent when the set was never made. */
export interface CappedSetSnapshot<T> {
  cap: number;
  overflow: number;
  values?: T[];
}

/**
 * A Map bounded in size and in (event) time. Entries expire `ttlMs` after their last touch; when
 * full, the entry that has gone longest without being looked at again goes (approximately the least
 * recently touched). A touch only records the time; age order lives in a separate queue and entries
 * are re-queued lazily, when expiry or eviction reaches them still alive ("second chance"). Neither a
 * touch nor an eviction mutates the Map's order — V8 Maps slow down badly when the front is churned.
 */
export class TtlMap<K, V> {
  private readonly map = new Map<K, { v: V; t: number; pos: number }>();
  /** queue of (key, pos) in the order entries were (re)queued; stale pairs are skipped */
  private qKeys: K[] = [];
  private qPos: number[] = [];
  private qHead = 0;

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
    this.enqueue(key, now);
    if (this.map.size > this.maxEntries) this.evictOldest();
    return v;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** drop entries not touched since `now - ttlMs`; give touched ones a new place in the queue */
  expire(now: number): void {
    const limit = now - this.ttlMs;
    while (this.qHead < this.qKeys.length && this.qPos[this.qHead]! < limit) {
      const key = this.qKeys[this.qHead]!;
      const pos = this.qPos[this.qHead]!;
      this.qHead++;
      const e = this.map.get(key);
      if (!e || e.pos !== pos) continue; // deleted, or queued again later
      if (e.t < limit) {
        this.map.delete(key);
        this.onEvict?.(key, e.v);
      } else {
        e.pos = e.t;
        this.enqueue(key, e.t);
      }
    }
    this.compact();
  }

  entries(): IterableIterator<[K, V]> {
    const it = this.map.entries();
    return (function* () {
      for (const [k, e] of it) yield [k, e.v] as [K, V];
    })();
  }

  /**
   * The whole state as plain data, all values (in key order) encoded at once by `encode` — one
   * object per value, or columns. The age queue is kept as it is, stale pairs included: a stale
   * pair can come alive again when its key is re-created at the same time, so dropping them could
   * change which entry is evicted next.
   */
  toSnapshot<B>(encode: (values: V[]) => B): TtlMapSnapshot<K, B> {
    const keys: K[] = [];
    const values: V[] = [];
    const touched = new Float64Array(this.map.size);
    const queuedAt = new Float64Array(this.map.size);
    let i = 0;
    for (const [k, e] of this.map) {
      keys.push(k);
      values.push(e.v);
      touched[i] = e.t;
      queuedAt[i++] = e.pos;
    }
    return {
      ttlMs: this.ttlMs,
      maxEntries: this.maxEntries,
      keys,
      values: encode(values),
      touched,
      queuedAt,
      queueKeys: this.qKeys.slice(this.qHead),
      queuePos: Float64Array.from(this.qPos.slice(this.qHead)),
    };
  }

  /** Load a snapshot into this (empty) map, made with the same ttl and size; `decode` rebuilds the values. */
  restoreFrom<B>(s: TtlMapSnapshot<K, B>, decode: (values: B, count: number) => V[]): void {
    if (this.map.size > 0 || this.qKeys.length > 0) throw new SnapshotError('restoring into a map that is not empty');
    expectSame('map time to live', s.ttlMs, this.ttlMs);
    expectSame('map size limit', s.maxEntries, this.maxEntries);
    const n = s.keys.length;
    const values = decode(s.values, n);
    if (values.length !== n || s.touched.length !== n || s.queuedAt.length !== n || s.queueKeys.length !== s.queuePos.length) {
      throw new SnapshotError('map snapshot lists differ in length');
    }
    for (let i = 0; i < n; i++) this.map.set(s.keys[i]!, { v: values[i]!, t: s.touched[i]!, pos: s.queuedAt[i]! });
    this.qKeys = s.queueKeys.slice();
    this.qPos = Array.from(s.queuePos);
    this.qHead = 0;
  }

  private enqueue(key: K, pos: number): void {
    this.qKeys.push(key);
    this.qPos.push(pos);
  }

  private evictOldest(): void {
    let moved = 0;
    while (this.qHead < this.qKeys.length) {
      const key = this.qKeys[this.qHead]!;
      const pos = this.qPos[this.qHead]!;
      this.qHead++;
      const e = this.map.get(key);
      if (!e || e.pos !== pos) continue;
      // touched since it was queued: one second chance (a few per eviction at most)
      if (e.t > e.pos && moved < 8) {
        moved++;
        e.pos = e.t;
        this.enqueue(key, e.t);
        continue;
      }
      this.map.delete(key);
      this.onEvict?.(key, e.v);
      break;
    }
    this.compact();
  }

  private compact(): void {
    if (this.qHead > 4096 && this.qHead * 2 > this.qKeys.length) {
      this.qKeys = this.qKeys.slice(this.qHead);
      this.qPos = this.qPos.slice(this.qHead);
      this.qHead = 0;
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
    const size = set.size;
    if (size < this.cap) {
      // one hash probe on this hot path: Set.add of a present value changes nothing
      set.add(v);
      return set.size !== size;
    }
    if (set.has(v)) return false;
    this.overflow++;
    return false;
  }

  has(v: T): boolean {
    return this.set?.has(v) ?? false;
  }

  /** distinct values seen (exact below the cap, a lower bound above it) */
  get count(): number {
    return (this.set?.size ?? 0) + this.overflow;
  }

  toSnapshot(): CappedSetSnapshot<T> {
    return this.set ? { cap: this.cap, overflow: this.overflow, values: [...this.set] } : { cap: this.cap, overflow: this.overflow };
  }

  /** the set a snapshot describes; `cap` is what the restoring code creates such sets with */
  static fromSnapshot<T>(s: CappedSetSnapshot<T>, cap: number): CappedSet<T> {
    expectSame('set size limit', s.cap, cap);
    const c = new CappedSet<T>(cap);
    c.overflow = s.overflow;
    if (s.values) c.set = new Set(s.values);
    return c;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
