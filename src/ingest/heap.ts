/**
 * Binary min-heap ordered by a numeric key, then a numeric tie-breaker.
 *
 * Items, keys and ties live in three parallel arrays so that push/pop allocate nothing per call
 * and compare plain numbers instead of calling a comparator: this sits on the per-event path of
 * the reorder buffer and the k-way merges.
 */
export class KeyedMinHeap<T> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];
  private readonly ties: number[] = [];

  get size(): number {
    return this.items.length;
  }

  /** key of the smallest item; undefined when empty */
  peekKey(): number | undefined {
    return this.keys[0];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T, key: number, tie: number): void {
    const items = this.items;
    const keys = this.keys;
    const ties = this.ties;
    let i = items.length;
    items.push(item);
    keys.push(key);
    ties.push(tie);
    // sift up: move parents down until the slot for the new item is found
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] as number;
      if (pk < key || (pk === key && (ties[parent] as number) <= tie)) break;
      items[i] = items[parent] as T;
      keys[i] = pk;
      ties[i] = ties[parent] as number;
      i = parent;
    }
    items[i] = item;
    keys[i] = key;
    ties[i] = tie;
  }

  /** removes and returns the smallest item; undefined when empty */
  pop(): T | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0] as T;
    const lastItem = items.pop() as T;
    const lastKey = this.keys.pop() as number;
    const lastTie = this.ties.pop() as number;
    if (n > 1) this.siftDown(lastItem, lastKey, lastTie);
    return top;
  }

  private siftDown(item: T, key: number, tie: number): void {
    const items = this.items;
    const keys = this.keys;
    const ties = this.ties;
    const n = items.length;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child] as number;
      let ct = ties[child] as number;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right] as number;
        const rt = ties[right] as number;
        if (rk < ck || (rk === ck && rt < ct)) {
          child = right;
          ck = rk;
          ct = rt;
        }
      }
      if (key < ck || (key === ck && tie <= ct)) break;
      items[i] = items[child] as T;
      keys[i] = ck;
      ties[i] = ct;
      i = child;
    }
    items[i] = item;
    keys[i] = key;
    ties[i] = tie;
  }
}
