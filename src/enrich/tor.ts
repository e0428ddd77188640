/**
 * Tor exit lists (`--tor-exits FILE`, repeatable), judged by time: an address is a Tor exit for an
 * event only when a list from around the event's time says so. Exit relays come and go within
 * days, so a list from today says little about a log from last year.
 *
 * Policy (docs/enrichment.md):
 * - TorDNSEL `exit-addresses` files carry per-address observation times (`ExitAddress ip ts`):
 *   an address counts for events within ±48 h of one of its observations.
 * - Bulk lists (one address per line) are a snapshot at one date: the YYYY-MM-DD in the file name,
 *   else the file's mtime. A snapshot counts for events within ±30 days of its date.
 * - When no loaded file is near an event (no bulk list within 30 days, no exit-addresses file
 *   whose observation span ±48 h covers it), the nearest file is used alone, so old exports are
 *   still judged, and with the list of their day whenever one is loaded.
 */
import { basename } from 'node:path';
import { VigilError } from '../core/errors.js';
import { canonicalIp } from '../core/normalize.js';
import { contentLines, mtimeOf, readText } from './files.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const EXIT_OBSERVATION_WINDOW_MS = 48 * HOUR;
export const BULK_LIST_WINDOW_MS = 30 * DAY;

export interface TorSnapshot {
  file: string;
  format: 'bulk' | 'exit-addresses';
  /** span of the data: a bulk list's date (from = to), or first..last ExitAddress observation */
  from: number;
  to: number;
  addresses: number;
}

/** What the loaded lists know about one address; cached per IP by the enrichment. */
export interface TorSightings {
  /** indexes of the snapshots (files) that list the address */
  snapshots: number[];
  /** ExitAddress observation times, sorted */
  observed: number[];
}

/** "2024-02-27 09:03:25" (UTC, TorDNSEL) → epoch ms, or NaN */
function parseTorTime(date: string, time: string): number {
  if (date.length !== 10 || time.length !== 8) return NaN;
  const t = Date.parse(`${date}T${time}Z`);
  return Number.isFinite(t) ? t : NaN;
}

/** YYYY-MM-DD somewhere in a file name → 00:00 UTC that day, or undefined. */
export function dateFromFileName(file: string): number | undefined {
  const m = /(\d{4})-(\d{2})-(\d{2})/.exec(basename(file));
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // reject 2024-13-45 and friends: Date.UTC would roll them over
  const d = new Date(t);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return t;
}

export class TorIndex {
  private readonly snapshots: TorSnapshot[] = [];
  private readonly byIp = new Map<string, TorSightings>();

  get files(): readonly TorSnapshot[] {
    return this.snapshots;
  }

  get size(): number {
    return this.byIp.size;
  }

  private entry(ip: string): TorSightings {
    let e = this.byIp.get(ip);
    if (!e) {
      e = { snapshots: [], observed: [] };
      this.byIp.set(ip, e);
    }
    return e;
  }

  private static bad(file: string, line: number, what: string): VigilError {
    return new VigilError('CONFIG', `not a Tor exit list line: ${what}`, file, line);
  }

  /** Parse a list's text; the format is told by its first content line. */
  add(text: string, file: string, fallbackDate: number): TorSnapshot {
    const first = contentLines(text).next();
    const isExitAddresses = !first.done && first.value[0].startsWith('ExitNode');
    return isExitAddresses ? this.addExitAddresses(text, file) : this.addBulk(text, file, dateFromFileName(file) ?? fallbackDate);
  }

  addBulk(text: string, file: string, date: number): TorSnapshot {
    const idx = this.snapshots.length;
    const seen = new Set<string>();
    for (const [line, lineNo] of contentLines(text)) {
      // older TorBulkExitList output: "1.2.3.4 # comment"
      const hash = line.indexOf('#');
      const field = (hash >= 0 ? line.slice(0, hash) : line).trim();
      const ip = canonicalIp(field);
      if (ip === '' || field.includes(' ')) throw TorIndex.bad(file, lineNo, `expected one IP address, got ${JSON.stringify(line.slice(0, 60))}`);
      if (seen.has(ip)) continue;
      seen.add(ip);
      this.entry(ip).snapshots.push(idx);
    }
    if (seen.size === 0) throw new VigilError('CONFIG', 'no addresses in Tor exit list', file);
    const snap: TorSnapshot = { file, format: 'bulk', from: date, to: date, addresses: seen.size };
    this.snapshots.push(snap);
    return snap;
  }

  addExitAddresses(text: string, file: string): TorSnapshot {
    const idx = this.snapshots.length;
    const seen = new Set<string>();
    let from = Infinity;
    let to = -Infinity;
    for (const [line, lineNo] of contentLines(text)) {
      const parts = line.split(' ', 5);
      const key = parts[0];
      if (key === 'ExitNode' || key === 'Published' || key === 'LastStatus') continue;
      if (key !== 'ExitAddress') throw TorIndex.bad(file, lineNo, `unknown keyword ${JSON.stringify((key ?? '').slice(0, 40))}`);
      const ip = canonicalIp(parts[1]);
      if (ip === '') throw TorIndex.bad(file, lineNo, 'ExitAddress: not an IP address');
      const t = parseTorTime(parts[2] ?? '', parts[3] ?? '');
      if (Number.isNaN(t)) throw TorIndex.bad(file, lineNo, 'ExitAddress: not a "YYYY-MM-DD HH:MM:SS" time');
      const e = this.entry(ip);
      e.observed.push(t);
      if (!seen.has(ip)) {
        seen.add(ip);
        e.snapshots.push(idx);
      }
      if (t < from) from = t;
      if (t > to) to = t;
    }
    if (seen.size === 0) throw new VigilError('CONFIG', 'no ExitAddress lines in exit-addresses file', file);
    for (const ip of seen) this.byIp.get(ip)?.observed.sort((a, b) => a - b);
    const snap: TorSnapshot = { file, format: 'exit-addresses', from, to, addresses: seen.size };
    this.snapshots.push(snap);
    return snap;
  }

  /** The address's sightings, or undefined when no list ever named it. */
  sightings(ip: string): TorSightings | undefined {
    return this.byIp.get(ip);
  }

  private near(s: TorSnapshot, t: number): boolean {
    const w = s.format === 'bulk' ? BULK_LIST_WINDOW_MS : EXIT_OBSERVATION_WINDOW_MS;
    return t >= s.from - w && t <= s.to + w;
  }

  /** Index of the file judging an event at `t` when no file is near it; -1 when one is near. */
  private fallbackSnapshot(t: number): number {
    let best = -1;
    let bestDist = Infinity;
    for (let i = 0; i < this.snapshots.length; i++) {
      const s = this.snapshots[i];
      if (!s) continue;
      if (this.near(s, t)) return -1;
      const d = t < s.from ? s.from - t : t - s.to;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    return best;
  }

  /** Was `s`'s address a Tor exit at event time `t` (epoch ms)? */
  isExitAt(s: TorSightings, t: number): boolean {
    if (!Number.isFinite(t)) return s.snapshots.length > 0;
    const obs = s.observed;
    if (obs.length > 0) {
      // nearest observation by binary search
      let lo = 0;
      let hi = obs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((obs[mid] ?? 0) < t) lo = mid + 1;
        else hi = mid;
      }
      const a = obs[lo] ?? Infinity;
      const b = lo > 0 ? (obs[lo - 1] ?? -Infinity) : -Infinity;
      if (Math.abs(a - t) <= EXIT_OBSERVATION_WINDOW_MS || Math.abs(t - b) <= EXIT_OBSERVATION_WINDOW_MS) return true;
    }
    for (const i of s.snapshots) {
      const snap = this.snapshots[i];
      if (snap && snap.format === 'bulk' && Math.abs(snap.from - t) <= BULK_LIST_WINDOW_MS) return true;
    }
    const fb = this.fallbackSnapshot(t);
    return fb >= 0 && s.snapshots.includes(fb);
  }
}

/** Reads one list file into the index (plain or gzip; format detected). */
export async function loadTorFile(index: TorIndex, file: string): Promise<TorSnapshot> {
  const text = await readText(file);
  const mtime = dateFromFileName(file) ?? (await mtimeOf(file));
  return index.add(text, file, mtime);
}
