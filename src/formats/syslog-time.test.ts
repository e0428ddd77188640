import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { inferYear, read3164Stamp, syslogTimeToUtc, wallToUtc } from './syslog-time.js';
import type { ParseContext } from './types.js';

function ctx(extra: Partial<ParseContext> = {}, state: Record<string, unknown> = {}): ParseContext {
  return { file: 'auth.log', line: 1, state, ...extra };
}

describe('read3164Stamp', () => {
  it('reads space-padded, unpadded and zero-padded days', () => {
    expect(read3164Stamp('Jan  5 01:31:41 www', 0)?.wall).toEqual({ month: 0, day: 5, hour: 1, minute: 31, second: 41, ms: 0 });
    expect(read3164Stamp('Feb 7 16:01:07 linux', 0)?.wall).toMatchObject({ month: 1, day: 7, hour: 16 });
    expect(read3164Stamp('Jul 05 18:22:44 mercury', 0)?.wall).toMatchObject({ month: 6, day: 5, second: 44 });
  });

  it('keeps milliseconds of journalctl -o short-precise stamps and ends after the fraction', () => {
    const r = read3164Stamp('Sep 10 05:26:00.123456 host', 0);
    expect(r?.wall.ms).toBe(123);
    expect(r?.end).toBe(22);
  });

  it('rejects text that is not a stamp', () => {
    expect(read3164Stamp('Foo 12 14:10:21 host', 0)).toBeUndefined();
    expect(read3164Stamp('Feb 12 1410:21 host', 0)).toBeUndefined();
    expect(read3164Stamp('Feb', 0)).toBeUndefined();
  });
});

describe('wallToUtc', () => {
  it('applies New York daylight time in summer and standard time in winter', () => {
    expect(new Date(wallToUtc(2023, 6, 10, 10, 0, 0, 0, 'America/New_York')).toISOString()).toBe('2023-07-10T14:00:00.000Z');
    expect(new Date(wallToUtc(2023, 0, 10, 10, 0, 0, 0, 'America/New_York')).toISOString()).toBe('2023-01-10T15:00:00.000Z');
  });

  it('switches offset on the DST night (2023-03-12 in New York) within the same day', () => {
    expect(new Date(wallToUtc(2023, 2, 12, 1, 59, 0, 0, 'America/New_York')).toISOString()).toBe('2023-03-12T06:59:00.000Z');
    expect(new Date(wallToUtc(2023, 2, 12, 3, 0, 0, 0, 'America/New_York')).toISOString()).toBe('2023-03-12T07:00:00.000Z');
  });

  it('takes the first (daylight) occurrence of the repeated fall-back hour', () => {
    expect(new Date(wallToUtc(2023, 10, 5, 1, 30, 0, 0, 'America/New_York')).toISOString()).toBe('2023-11-05T05:30:00.000Z');
  });

  it('handles zones east of UTC (Berlin summer +2)', () => {
    expect(new Date(wallToUtc(2023, 7, 1, 12, 0, 0, 0, 'Europe/Berlin')).toISOString()).toBe('2023-08-01T10:00:00.000Z');
  });
});

describe('inferYear', () => {
  it('uses ctx.year when given', () => {
    expect(inferYear(11, ctx({ year: 2015 }, { fileMtimeMs: Date.UTC(2024, 0, 3) }))).toBe(2015);
  });

  it("takes the mtime's year, minus one when the first month is later than the mtime's month", () => {
    expect(inferYear(2, ctx({}, { fileMtimeMs: Date.UTC(2017, 5, 1) }))).toBe(2017);
    expect(inferYear(11, ctx({}, { fileMtimeMs: Date.UTC(2024, 0, 3) }))).toBe(2023);
  });

  it('rolls the year over when the log goes from December to January', () => {
    const c = ctx({}, { fileMtimeMs: Date.UTC(2024, 0, 3) });
    expect(inferYear(11, c)).toBe(2023);
    expect(inferYear(11, c)).toBe(2023);
    expect(inferYear(0, c)).toBe(2024);
    expect(inferYear(0, c)).toBe(2024);
  });

  it('does not roll over for a line one month out of order', () => {
    const c = ctx({}, { fileMtimeMs: Date.UTC(2023, 11, 1) });
    expect(inferYear(4, c)).toBe(2023);
    expect(inferYear(3, c)).toBe(2023);
    expect(inferYear(5, c)).toBe(2023);
  });
});

describe('syslogTimeToUtc', () => {
  it('converts in UTC by default', () => {
    const w = read3164Stamp('Feb 12 14:10:21 h', 0)!.wall;
    expect(new Date(syslogTimeToUtc(w, ctx({ year: 2026 }))).toISOString()).toBe('2026-02-12T14:10:21.000Z');
  });

  it('rejects a day that does not exist in the inferred year', () => {
    const w = read3164Stamp('Feb 29 00:00:00 h', 0)!.wall;
    expect(() => syslogTimeToUtc(w, ctx({ year: 2023 }))).toThrow(RecordError);
    expect(() => syslogTimeToUtc(w, ctx({ year: 2023 }))).toThrow(/^timestamp:/);
    expect(new Date(syslogTimeToUtc(w, ctx({ year: 2024 }))).toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('rejects out-of-range clock fields and unknown zones with a timestamp error', () => {
    const bad = read3164Stamp('Feb 12 25:10:21 h', 0)!.wall;
    expect(() => syslogTimeToUtc(bad, ctx({ year: 2024 }))).toThrow(/^timestamp:/);
    const ok = read3164Stamp('Feb 12 14:10:21 h', 0)!.wall;
    expect(() => syslogTimeToUtc(ok, ctx({ year: 2024, timeZone: 'Mars/Olympus' }))).toThrow(/^timestamp: unknown time zone/);
  });
});
