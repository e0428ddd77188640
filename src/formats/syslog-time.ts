import { RecordError } from '../core/errors.js';
import type { ParseContext } from './types.js';

/**
 * RFC 3164 syslog stamps ("Feb 12 14:10:21") carry neither year nor zone. This module turns them
 * into epoch ms: the zone comes from ctx.timeZone (IANA, default UTC), the year from ctx.year or,
 * when absent, from a small per-file inference kept in ctx.state (see inferYear).
 */

/** A wall-clock stamp as read from a line; month is 0-based. */
export interface WallTime {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** Month index of a 3-letter English abbreviation at s[i..i+3], or -1. Case-sensitive like syslog. */
export function monthAt(s: string, i: number): number {
  // one number from three char codes: no substring allocation on the per-line path
  const k = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
  const m = MONTH_KEYS.get(k);
  return m === undefined ? -1 : m;
}

const MONTH_KEYS: ReadonlyMap<number, number> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((name, idx) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    idx,
  ]),
);

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * Read "Mmm dd HH:MM:SS[.ffffff]" at s[start..] by hand (no regex: this runs on every line).
 * The day may be space-padded ("Jan  5"), unpadded ("Feb 7") or zero-padded ("Jul 05").
 * Returns the stamp and the index just after it, or undefined when the text is not this shape.
 * Values are checked for range by the caller (a shape with "99:99:99" is a bad stamp, not another format).
 */
export function read3164Stamp(s: string, start: number): { wall: WallTime; end: number } | undefined {
  const month = monthAt(s, start);
  if (month < 0 || s.charCodeAt(start + 3) !== 32) return undefined;
  let i = start + 4;
  if (s.charCodeAt(i) === 32) i++; // space padding of a one-digit day
  const d1 = digit(s, i);
  if (d1 < 0) return undefined;
  let day = d1;
  i++;
  const d2 = digit(s, i);
  if (d2 >= 0) {
    day = d1 * 10 + d2;
    i++;
  }
  if (s.charCodeAt(i) !== 32) return undefined;
  i++;
  const hour = twoDigits(s, i);
  const minute = twoDigits(s, i + 3);
  const second = twoDigits(s, i + 6);
  if (hour < 0 || minute < 0 || second < 0 || s[i + 2] !== ':' || s[i + 5] !== ':') return undefined;
  i += 8;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    // fractional seconds (journalctl -o short-precise): keep ms, skip the rest (bounded)
    i++;
    let scale = 100;
    const stop = i + 9;
    while (i < stop && digit(s, i) >= 0) {
      ms += digit(s, i) * scale;
      scale /= 10;
      i++;
    }
    ms = Math.floor(ms);
  }
  return { wall: { month, day, hour, minute, second, ms }, end: i };
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 1 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS[month] ?? 31;
}

/** Per-file year inference state, kept in ctx.state under this key. */
const YEAR_KEY = 'syslogYear';

interface YearState {
  year: number;
  lastMonth: number;
}

/**
 * The year of a stamp without one.
 * - ctx.year wins when given.
 * - First stamp of a file: the year of the file's mtime (ctx.state.fileMtimeMs, else now); if the
 *   stamp's month is later than the mtime's month, the line was written the year before (a log
 *   spanning Dec → Jan, read in January).
 * - Later stamps: logs are chronological, so a month that goes back by 6 or more (Dec → Jan) starts
 *   the next year. A smaller step back is an out-of-order line and keeps the year.
 * Limits: a file spanning more than a year, or a gap of more than ~6 months, or a file copied
 * (mtime reset) long after it was written, is misdated: pass --year then.
 */
export function inferYear(month: number, ctx: ParseContext): number {
  if (ctx.year !== undefined) return ctx.year;
  const prev = ctx.state[YEAR_KEY] as YearState | undefined;
  if (prev === undefined) {
    const mt = ctx.state['fileMtimeMs'];
    const ref = new Date(typeof mt === 'number' && Number.isFinite(mt) ? mt : Date.now());
    let year = ref.getUTCFullYear();
    if (month > ref.getUTCMonth()) year -= 1;
    ctx.state[YEAR_KEY] = { year, lastMonth: month } satisfies YearState;
    return year;
  }
  if (prev.lastMonth - month >= 6) {
    prev.year += 1;
    prev.lastMonth = month;
  } else if (month > prev.lastMonth) {
    prev.lastMonth = month;
  }
  return prev.year;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RecordError(`timestamp: unknown time zone ${JSON.stringify(timeZone.slice(0, 64))}`);
    }
    if (formatters.size > 64) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `utcMs`, in ms (New York in winter: -5 h). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wallAsUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Offsets by zone and local wall hour: DST changes happen on hour boundaries, so one lookup per hour. */
const offsetCache = new Map<string, number>();

/**
 * UTC epoch ms of a local wall time in an IANA zone. Both DST edge cases resolve to the daylight
 * offset: the hour that does not exist (spring forward, 02:30 in New York) reads as daylight time,
 * and the hour that happens twice (fall back) is taken as its first occurrence — syslog text cannot
 * say which one it was.
 */
export function wallToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  timeZone: string,
): number {
  const guess = Date.UTC(year, month, day, hour, minute, second, ms);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return guess;
  const hourKey = `${timeZone}|${Date.UTC(year, month, day, hour)}`;
  let offset = offsetCache.get(hourKey);
  if (offset === undefined) {
    const hourStart = Date.UTC(year, month, day, hour);
    // fixed point of t = wall - offset(t); two passes settle DST edges
    const o1 = zoneOffsetMs(timeZone, hourStart - zoneOffsetMs(timeZone, hourStart));
    const o2 = zoneOffsetMs(timeZone, hourStart - o1);
    // in the fall-back overlap both offsets map back to this wall hour: prefer the larger (DST) one
    offset = o1 === o2 ? o1 : Math.max(o1, o2);
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(hourKey, offset);
  }
  return guess - offset;
}

/**
 * Epoch ms of an RFC 3164 wall stamp read from a line of this file. Throws
 * RecordError("timestamp: ...") for out-of-range fields (month 13, 25:00, Feb 30).
 */
export function syslogTimeToUtc(wall: WallTime, ctx: ParseContext): number {
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 60 || wall.day < 1 || wall.day > 31) {
    throw new RecordError('timestamp: field out of range');
  }
  const year = inferYear(wall.month, ctx);
  if (wall.day > daysInMonth(year, wall.month)) {
    throw new RecordError(`timestamp: day ${wall.day} does not exist in month ${wall.month + 1} of ${year}`);
  }
  const second = Math.min(wall.second, 59); // a leap second folds onto :59
  return wallToUtc(year, wall.month, wall.day, wall.hour, wall.minute, second, wall.ms, ctx.timeZone ?? 'UTC');
}
