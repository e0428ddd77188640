import { describe, expect, it } from 'vitest';
import { nextLink } from './link-header.js';
import { rateLimitExhausted, retryAfterMs } from './retry-after.js';
import { Redactor } from './secrets.js';
import { SeenIds } from './seen.js';

const NOW = Date.parse('2026-03-02T08:00:00Z');

describe('Retry-After', () => {
  it('reads delta-seconds, an HTTP date, and Okta reset epochs', () => {
    expect(retryAfterMs({ 'retry-after': '120' }, NOW)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 02 Mar 2026 08:00:30 GMT' }, NOW)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 02 Mar 2026 07:00:00 GMT' }, NOW)).toBe(0); // in the past: go now
    expect(retryAfterMs({ 'x-rate-limit-reset': String(NOW / 1000 + 9) }, NOW)).toBe(9000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(rateLimitExhausted({ 'x-rate-limit-remaining': '0' })).toBe(true);
    expect(rateLimitExhausted({ 'x-rate-limit-remaining': '3' })).toBe(false);
  });
});

describe('Link header', () => {
  it('finds rel="next" among several links and headers', () => {
    expect(nextLink('<https://a.okta.com/api/v1/logs?x=1>; rel="self", <https://a.okta.com/api/v1/logs?after=2>; rel="next"')).toBe('https://a.okta.com/api/v1/logs?after=2');
    expect(nextLink(['<https://a/self>; rel="self"', '<https://a/next>; rel=next'])).toBe('https://a/next');
    expect(nextLink('<https://a/self>; rel="self"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});

describe('Redactor', () => {
  it('removes configured secrets, PEM lines and recent tokens', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const r = new Redactor(['client-secret-value', pem]);
    for (let i = 0; i < 12; i++) r.addRotating(`access-token-${i}`);
    expect(r.redact('x client-secret-value y')).toBe('x [redacted] y');
    expect(r.redact('key MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe('key [redacted]');
    expect(r.redact('access-token-11')).toBe('[redacted]');
    // the configured secret stays redacted however many tokens rotate through
    expect(r.redact('client-secret-value')).toBe('[redacted]');
  });
});

describe('SeenIds', () => {
  it('keeps ids from the logs as data, prunes by time, and bounds its size', () => {
    const s = new SeenIds([], 3);
    s.add('__proto__', 10);
    s.add('constructor', 20);
    expect(s.has('__proto__')).toBe(true);
    expect(s.has('toString')).toBe(false);
    s.prune(15);
    expect(s.has('__proto__')).toBe(false);
    s.add('a', 30);
    s.add('b', 40);
    s.add('c', 50);
    expect(s.size).toBe(3);
    expect(s.has('constructor')).toBe(false); // the oldest went first
    const long = 'x'.repeat(5000);
    s.add(long, 60);
    expect(s.has(long)).toBe(true);
    expect(JSON.stringify(s.entries()).length).toBeLessThan(400);
  });
});
