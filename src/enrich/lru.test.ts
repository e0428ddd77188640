import { describe, expect, it } from 'vitest';
import { TwoGenerationCache } from './lru.js';

describe('TwoGenerationCache', () => {
  it('stays bounded and keeps recently used entries', () => {
    const c = new TwoGenerationCache<string, number>(100);
    c.set('hot', -1);
    for (let i = 0; i < 10_000; i++) {
      c.set(`k${i}`, i);
      expect(c.get('hot')).toBe(-1); // touched every time: promoted, never evicted
    }
    expect(c.size).toBeLessThanOrEqual(200);
    expect(c.get('k9999')).toBe(9999);
    expect(c.get('k0')).toBeUndefined();
  });

  it('rejects a size below one', () => {
    expect(() => new TwoGenerationCache(0)).toThrow(RangeError);
  });
});
