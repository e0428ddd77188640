/** Binary min-heap ordered by a key function with insertion order as tie-break (stable, deterministic). */
export class MinHeap<T> {
  private items: { v: T; k: number; s: number }[] = [];
  private seq = 0;

  constructor(private readonly key: (v: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peekKey(): number | undefined {
    return this.items[0]?.k;
  }

  push(v: T): void {
    const node = { v, k: this.key(v), s: this.seq++ };
    const a = this.items;
    a.push(node);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!less(node, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = node;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    if (!top) return undefined;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mNode = last;
        if (l < a.length && less(a[l]!, mNode)) {
          m = l;
          mNode = a[l]!;
        }
        if (r < a.length && less(a[r]!, mNode)) {
          m = r;
          mNode = a[r]!;
        }
        if (m === i) break;
        a[i] = mNode;
        i = m;
      }
      a[i] = last;
    }
    return top.v;
  }
}

function less(x: { k: number; s: number }, y: { k: number; s: number }): boolean {
  return x.k < y.k || (x.k === y.k && x.s < y.s);
}
