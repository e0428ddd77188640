import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedMinHeap } from './heap.js';

describe('KeyedMinHeap', () => {
  it('pops by key, then by tie, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 3 })), { maxLength: 200 }), (pairs) => {
        const heap = new KeyedMinHeap<number>();
        pairs.forEach(([k, t], i) => heap.push(i, k, t));
        const out: [number, number][] = [];
        while (heap.size > 0) {
          const i = heap.pop() as number;
          out.push(pairs[i] as [number, number]);
        }
        const expected = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(expected);
      }),
    );
  });

  it('interleaves pushes and pops correctly and reports the smallest key', () => {
    const heap = new KeyedMinHeap<string>();
    expect(heap.pop()).toBeUndefined();
    heap.push('c', 30, 0);
    heap.push('a', 10, 0);
    expect(heap.peekKey()).toBe(10);
    expect(heap.pop()).toBe('a');
    heap.push('b', 20, 1);
    heap.push('b0', 20, 0);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.size]).toEqual(['b0', 'b', 'c', 0]);
  });
});
