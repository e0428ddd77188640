import type { AuthEvent } from '../core/types.js';
import type { AccountState, AttackMark, IpState } from './context.js';
import { column, numbers, packLists, packSets, unpackLists, unpackSets, type PackedLists, type PackedSets } from './state/columns.js';

/**
 * The context's bounded maps as columns (one array per field) for engine snapshots: hundreds of
 * thousands of addresses and accounts become a few dozen arrays instead of millions of small
 * objects, which is what v8.serialize, v8.deserialize and the garbage collector pay for.
 */

export interface IpColumns {
  successes: Float64Array;
  guessFailures: Float64Array;
  firstSeen: Float64Array;
  lastSeen: Float64Array;
  recentSuccesses: PackedLists<AuthEvent>;
  successAccounts: PackedSets<string>;
  guessAccounts: PackedSets<string>;
  guessTenants: PackedSets<string>;
}

export interface IpSetCaps {
  successAccounts: number;
  guessAccounts: number;
  guessTenants: number;
}

export function encodeIps(v: IpState[], caps: IpSetCaps): IpColumns {
  return {
    successes: numbers(v, (s) => s.successes),
    guessFailures: numbers(v, (s) => s.guessFailures),
    firstSeen: numbers(v, (s) => s.firstSeen),
    lastSeen: numbers(v, (s) => s.lastSeen),
    recentSuccesses: packLists(v.map((s) => s.recentSuccesses)),
    successAccounts: packSets(v.map((s) => s.successAccounts), caps.successAccounts),
    guessAccounts: packSets(v.map((s) => s.guessAccounts), caps.guessAccounts),
    guessTenants: packSets(v.map((s) => s.guessTenants), caps.guessTenants),
  };
}

export function decodeIps(c: IpColumns, n: number, caps: IpSetCaps): IpState[] {
  const successes = column(c.successes, n);
  const guessFailures = column(c.guessFailures, n);
  const firstSeen = column(c.firstSeen, n);
  const lastSeen = column(c.lastSeen, n);
  const recent = unpackLists(c.recentSuccesses, n);
  const successAccounts = unpackSets(c.successAccounts, caps.successAccounts, n);
  const guessAccounts = unpackSets(c.guessAccounts, caps.guessAccounts, n);
  const guessTenants = unpackSets(c.guessTenants, caps.guessTenants, n);
  const out: IpState[] = new Array<IpState>(n);
  for (let i = 0; i < n; i++) {
    // the fields in the order DetectContext.learn creates them
    out[i] = {
      successes: successes[i]!,
      successAccounts: successAccounts[i]!,
      recentSuccesses: recent[i]!,
      guessFailures: guessFailures[i]!,
      guessAccounts: guessAccounts[i]!,
      guessTenants: guessTenants[i]!,
      firstSeen: firstSeen[i]!,
      lastSeen: lastSeen[i]!,
    };
  }
  return out;
}

const LAST_SUCCESS = 1;
const LAT = 2;
const LON = 4;
const SHARED = 8;
const LOCATION_HIDDEN = 16;

export interface AccountColumns {
  successes: Float64Array;
  successDays: Float64Array;
  lastSuccessDay: Float64Array;
  asns: PackedLists<number>;
  countries: PackedLists<string>;
  ips: PackedLists<string>;
  userAgents: PackedLists<string>;
  /** the last success: which fields are there (bits above), and their values */
  lastFlags: Uint8Array;
  lastTime: Float64Array;
  lastIp: string[];
  lastLat: Float64Array;
  lastLon: Float64Array;
  lastCountry: Array<string | undefined>;
}

export function encodeAccounts(v: AccountState[]): AccountColumns {
  const lastFlags = new Uint8Array(v.length);
  const lastTime = new Float64Array(v.length);
  const lastLat = new Float64Array(v.length);
  const lastLon = new Float64Array(v.length);
  const lastIp: string[] = [];
  const lastCountry: Array<string | undefined> = [];
  v.forEach((a, i) => {
    const l = a.lastSuccess;
    lastIp.push(l?.ip ?? '');
    lastCountry.push(l?.country);
    if (!l) return;
    lastFlags[i] = LAST_SUCCESS | (l.lat !== undefined ? LAT : 0) | (l.lon !== undefined ? LON : 0) | (l.shared ? SHARED : 0) | (l.locationHidden ? LOCATION_HIDDEN : 0);
    lastTime[i] = l.time;
    lastLat[i] = l.lat ?? 0;
    lastLon[i] = l.lon ?? 0;
  });
  return {
    successes: numbers(v, (a) => a.successes),
    successDays: numbers(v, (a) => a.successDays),
    lastSuccessDay: numbers(v, (a) => a.lastSuccessDay),
    asns: packLists(v.map((a) => a.asns)),
    countries: packLists(v.map((a) => a.countries)),
    ips: packLists(v.map((a) => a.ips)),
    userAgents: packLists(v.map((a) => a.userAgents)),
    lastFlags,
    lastTime,
    lastIp,
    lastLat,
    lastLon,
    lastCountry,
  };
}

export function decodeAccounts(c: AccountColumns, n: number): AccountState[] {
  const successes = column(c.successes, n);
  const successDays = column(c.successDays, n);
  const lastSuccessDay = column(c.lastSuccessDay, n);
  const lastTime = column(c.lastTime, n);
  const lastLat = column(c.lastLat, n);
  const lastLon = column(c.lastLon, n);
  const asns = unpackLists(c.asns, n);
  const countries = unpackLists(c.countries, n);
  const ips = unpackLists(c.ips, n);
  const userAgents = unpackLists(c.userAgents, n);
  const out: AccountState[] = new Array<AccountState>(n);
  for (let i = 0; i < n; i++) {
    // the fields in the order DetectContext.learn creates them
    const a: AccountState = {
      successes: successes[i]!,
      asns: asns[i]!,
      countries: countries[i]!,
      ips: ips[i]!,
      userAgents: userAgents[i]!,
      successDays: successDays[i]!,
      lastSuccessDay: lastSuccessDay[i]!,
    };
    const f = c.lastFlags[i]!;
    if (f & LAST_SUCCESS) {
      a.lastSuccess = {
        time: lastTime[i]!,
        ip: c.lastIp[i]!,
        lat: f & LAT ? lastLat[i] : undefined,
        lon: f & LON ? lastLon[i] : undefined,
        country: c.lastCountry[i],
        shared: (f & SHARED) !== 0,
        locationHidden: (f & LOCATION_HIDDEN) !== 0,
      };
    }
    out[i] = a;
  }
  return out;
}

export interface MarkColumns {
  since: Float64Array;
  alertIds: PackedLists<string>;
}

export function encodeMarks(v: AttackMark[]): MarkColumns {
  return { since: numbers(v, (m) => m.since), alertIds: packLists(v.map((m) => m.alertIds)) };
}

export function decodeMarks(c: MarkColumns, n: number): AttackMark[] {
  const since = column(c.since, n);
  return unpackLists(c.alertIds, n).map((ids, i) => ({ since: since[i]!, alertIds: new Set(ids) }));
}
