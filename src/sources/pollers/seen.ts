import { createHash } from 'node:crypto';

/** Longer ids are kept as a hash: the checkpoint stays small whatever a record carries. */
const MAX_ID = 200;

/**
 * Record ids a poller has already committed, with their event time, for the overlap window: a
 * record seen again when the last minutes are re-queried is not handed to the journal twice (the
 * journal dedupes sign-ins by vendor id, but not records its parser ignores). A Map, not an
 * object, because ids come from the logs ("__proto__").
 */
export class SeenIds {
  private readonly ids = new Map<string, number>();

  constructor(
    entries: readonly (readonly [string, number])[] = [],
    private readonly max = 200_000,
  ) {
    for (const [id, t] of entries) this.ids.set(id, t);
  }

  private static key(id: string): string {
    return id.length <= MAX_ID ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;
  }

  has(id: string): boolean {
    return this.ids.has(SeenIds.key(id));
  }

  add(id: string, timeMs: number): void {
    const k = SeenIds.key(id);
    this.ids.delete(k); // re-insert: Map order is insertion order, so the oldest entry is first
    this.ids.set(k, timeMs);
    if (this.ids.size > this.max) {
      const first = this.ids.keys().next();
      if (first.done !== true) this.ids.delete(first.value);
    }
  }

  /** Forget ids of records older than `beforeMs`: a re-query can no longer return them. */
  prune(beforeMs: number): void {
    for (const [k, t] of this.ids) if (t < beforeMs) this.ids.delete(k);
  }

  get size(): number {
    return this.ids.size;
  }

  entries(): [string, number][] {
    return [...this.ids];
  }
}
