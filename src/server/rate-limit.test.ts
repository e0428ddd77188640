import { describe, expect, it } from 'vitest';
import { openServerDb } from './db.js';
import { ingestApp } from './http.js';
import { Journal } from './journal.js';
import { RateLimiter } from './rate-limit.js';
import { TokenStore } from './tokens.js';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, and tells how long to wait', () => {
    const r = new RateLimiter(2, 3);
    const t = 1_000_000;
    expect([r.take('a', t), r.take('a', t), r.take('a', t)]).toEqual([0, 0, 0]);
    expect(r.take('a', t)).toBe(1);
    expect(r.take('b', t)).toBe(0); // another token has its own bucket
    expect(r.take('a', t + 500)).toBe(0); // half a second refills one request at 2/s
    expect(r.take('a', t + 500)).toBeGreaterThan(0);
  });
});

describe('ingest and API routes', () => {
  it('answer 429 with Retry-After to a token over its rate, while other tokens and /v1/health go on', async () => {
    const db = openServerDb(':memory:');
    try {
      const tokens = new TokenStore(db);
      const a = tokens.create('a.example', 'analyst').token;
      const b = tokens.create('b.example', 'analyst').token;
      const app = ingestApp({ journal: new Journal(db), tokens, rate: { perSecond: 0.01, burst: 2 } });
      const get = (token?: string) => app.request('/v1/journal', { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await get(a)).status).toBe(200);
      expect((await get(a)).status).toBe(200);
      const limited = await get(a);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await get(b)).status).toBe(200);
      expect((await app.request('/v1/health')).status).toBe(200);
      expect((await get()).status).toBe(401); // no token: refused before any bucket
    } finally {
      db.close();
    }
  });
});
