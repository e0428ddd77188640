import type { Alert, AuthEvent } from '../core/types.js';
import { AlertBook } from './alert-book.js';
import { CappedSet, TtlMap, type TtlMapSnapshot } from './state/ttl-map.js';
import type { AlertBookSnapshot } from './alert-book.js';
import {
  decodeAccounts,
  decodeIps,
  decodeMarks,
  encodeAccounts,
  encodeIps,
  encodeMarks,
  type AccountColumns,
  type IpColumns,
  type MarkColumns,
} from './context-snapshot.js';
import { accountKey, accountKeyOf, isCredentialSuccess, isGuessFailure } from './classify.js';

/**
 * Enterprise VPN and secure-web-gateway operators: a sign-in through them is located at the
 * provider's data centre, not where the person is. Matched on the AS organization's name, because
 * each runs many ASNs (Zscaler alone: AS22616, AS53813, AS62044, ...).
 */
const LOCATION_HIDING_OPERATORS = ['zscaler', 'netskope', 'palo alto networks', 'opendns', 'cisco umbrella', 'forcepoint', 'iboss', 'menlo security', 'cloudflare'];

/**
 * Their best-known ASNs, for records that carry an ASN but no AS name (Entra gives the number only,
 * and offline data may name another of the operator's ASNs for the same address).
 */
const LOCATION_HIDING_ASNS: ReadonlySet<number> = new Set([22616, 53813, 62044, 55256, 36692]);

/** The sign-in's geolocation says nothing about where the person is (anonymizer or corporate gateway). */
export function hidesLocation(e: { anonymizer?: string; asOrg?: string; asn?: number }): boolean {
  if (e.anonymizer !== undefined) return true;
  if (e.asn !== undefined && LOCATION_HIDING_ASNS.has(e.asn)) return true;
  const org = e.asOrg?.toLowerCase();
  return org !== undefined && LOCATION_HIDING_OPERATORS.some((o) => org.includes(o));
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What is known about one source address, across organizations. */
export interface IpState {
  successes: number;
  /** the last few successful sign-ins from here, judged again if the address turns out to attack */
  recentSuccesses: AuthEvent[];
  /** accounts (tenant\0user) that signed in successfully from here */
  successAccounts: CappedSet<string>;
  guessFailures: number;
  /** accounts that failed a password guess from here */
  guessAccounts: CappedSet<string>;
  /** organizations this address failed against */
  guessTenants: CappedSet<string>;
  firstSeen: number;
  lastSeen: number;
}

/** Sign-in habits of one account, for "new network / new country" judgments. */
export interface AccountState {
  successes: number;
  asns: number[];
  countries: string[];
  ips: string[];
  userAgents: string[];
  /** distinct UTC days with a success */
  successDays: number;
  lastSuccessDay: number;
  lastSuccess?: { time: number; ip: string; lat?: number; lon?: number; country?: string; shared: boolean; locationHidden: boolean };
}

/** Why an address or account counts as under attack, and since when. */
export interface AttackMark {
  since: number;
  alertIds: Set<string>;
}

/** Everything the context knows, as plain data (the big maps as columns, see context-snapshot.ts). */
export interface ContextSnapshot {
  now: number;
  alerts: AlertBookSnapshot;
  ips: TtlMapSnapshot<string, IpColumns>;
  accounts: TtlMapSnapshot<string, AccountColumns>;
  attackIps: TtlMapSnapshot<string, MarkColumns>;
  attackedAccounts: TtlMapSnapshot<string, MarkColumns>;
  tenantAsns: Map<string, Map<number, number>>;
  newlyHostile: string[];
}

const SUCCESS_ACCOUNTS_CAP = 64;
const GUESS_ACCOUNTS_CAP = 256;
const GUESS_TENANTS_CAP = 64;
const IP_SET_CAPS = { successAccounts: SUCCESS_ACCOUNTS_CAP, guessAccounts: GUESS_ACCOUNTS_CAP, guessTenants: GUESS_TENANTS_CAP };

export interface ContextLimits {
  maxIps: number;
  maxAccounts: number;
}

// sized for ~1 GB at 200k accounts and millions of addresses: busy addresses stay (least recently seen go first)
const DEFAULT_LIMITS: ContextLimits = { maxIps: 150_000, maxAccounts: 250_000 };

function pushBounded<T>(list: T[], v: T, max: number): void {
  if (list.includes(v)) return;
  list.push(v);
  if (list.length > max) list.shift();
}

/**
 * Shared knowledge of the detectors: addresses, accounts and attacks seen so far, bounded in size
 * (least recently seen entries go first) and in event time.
 */
export class DetectContext {
  now = 0;
  readonly alerts = new AlertBook();
  readonly ips: TtlMap<string, IpState>;
  readonly accounts: TtlMap<string, AccountState>;
  /** addresses that took part in a detected attack */
  readonly attackIps = new TtlMap<string, AttackMark>(14 * DAY, 200_000);
  /** accounts (tenant\0user) targeted by a detected attack */
  readonly attackedAccounts = new TtlMap<string, AttackMark>(14 * DAY, 200_000);
  /** ASNs from which each organization's accounts sign in successfully, with how many accounts do */
  readonly tenantAsns = new Map<string, Map<number, number>>();

  constructor(limits: Partial<ContextLimits> = {}) {
    const l = { ...DEFAULT_LIMITS, ...limits };
    this.ips = new TtlMap(30 * DAY, l.maxIps);
    this.accounts = new TtlMap(90 * DAY, l.maxAccounts);
  }

  ip(ip: string): IpState | undefined {
    return this.ips.peek(ip);
  }

  account(tenant: string, user: string): AccountState | undefined {
    return this.accounts.peek(accountKeyOf(tenant, user));
  }

  /** An address used by several accounts successfully: an office NAT, a VPN egress, a carrier CGNAT. */
  isSharedEgress(ip: string): boolean {
    const s = this.ips.peek(ip);
    return s !== undefined && s.successAccounts.count >= 3;
  }

  /**
   * The address has signed people in more than once: an office, a home, a carrier. One lone success
   * is no history — it may be the attacker's own first try with a leaked password.
   */
  hasHonestHistory(ip: string): boolean {
    const s = this.ips.peek(ip);
    return s !== undefined && (s.successAccounts.count >= 2 || s.successes >= 2);
  }

  /**
   * How many accounts of this organization sign in from this ASN. Counting accounts, not sign-ins,
   * keeps one server or service account in a data centre from making that provider "the org's network".
   */
  tenantAsnCount(tenant: string, asn: number | undefined): number {
    if (asn === undefined) return 0;
    return this.tenantAsns.get(tenant)?.get(asn) ?? 0;
  }

  markAttack(alert: Alert | { id: string }, accounts: Iterable<string>, ips: Iterable<string>): void {
    const now = this.now;
    // touch first: an open attack marks the same accounts and addresses on every event, and the
    // closure that creates a mark is then never needed
    for (const k of accounts) {
      const m = this.attackedAccounts.touch(k, now) ?? this.attackedAccounts.upsert(k, now, () => ({ since: now, alertIds: new Set() }));
      m.alertIds.add(alert.id);
    }
    for (const ip of ips) {
      if (!ip) continue;
      // an address with a history of honest sign-ins (an office, the victim's home mistyping during the
      // attack) is not attack infrastructure: marking it would turn its owners into "compromises".
      // One lone success is no such history: it may be the attacker's own, judged again below.
      const s = this.ips.peek(ip);
      if (s !== undefined && (s.successAccounts.count >= 2 || s.successes >= 2)) continue; // hasHonestHistory
      let m = this.attackIps.touch(ip, now);
      if (m === undefined) {
        m = this.attackIps.upsert(ip, now, () => ({ since: now, alertIds: new Set() }));
        if (s && s.recentSuccesses.length > 0) this.newlyHostile.push(ip);
      }
      m.alertIds.add(alert.id);
    }
  }

  /**
   * Addresses just found to be attacking that had signed someone in before: the compromise detector
   * judges those sign-ins again (a leaked password that worked at the first try, before the rest failed).
   */
  readonly newlyHostile: string[] = [];

  /** learn from an event, after the detectors have judged it */
  learn(e: AuthEvent): void {
    const key = accountKey(e);
    if (e.srcIp) {
      const s = this.ips.upsert(e.srcIp, e.time, () => ({
        successes: 0,
        successAccounts: new CappedSet<string>(SUCCESS_ACCOUNTS_CAP),
        recentSuccesses: [],
        guessFailures: 0,
        guessAccounts: new CappedSet<string>(GUESS_ACCOUNTS_CAP),
        guessTenants: new CappedSet<string>(GUESS_TENANTS_CAP),
        firstSeen: e.time,
        lastSeen: e.time,
      }));
      s.lastSeen = Math.max(s.lastSeen, e.time);
      if (e.outcome === 'success') {
        s.successes++;
        s.successAccounts.add(key);
        // re-judging only matters while the address has no honest history (one success): keep
        // that one sign-in, and nothing once a second one shows the address is someone's
        if (s.successes === 1) s.recentSuccesses.push(e);
        else if (s.recentSuccesses.length > 0) s.recentSuccesses = [];
      } else if (isGuessFailure(e)) {
        s.guessFailures++;
        s.guessAccounts.add(key);
        s.guessTenants.add(e.tenant);
      }
    }
    if (e.outcome !== 'success' || !e.user) return;
    // habits are learned from successes only, and not from addresses known to attack
    if (e.srcIp && this.attackIps.peek(e.srcIp)) return;
    const a = this.accounts.upsert(key, e.time, () => ({
      successes: 0,
      asns: [],
      countries: [],
      ips: [],
      userAgents: [],
      successDays: 0,
      lastSuccessDay: -1,
    }));
    a.successes++;
    const day = Math.floor(e.time / DAY);
    if (day !== a.lastSuccessDay) {
      a.successDays++;
      a.lastSuccessDay = day;
    }
    const newAsnForAccount = e.asn !== undefined && !a.asns.includes(e.asn);
    if (e.asn !== undefined) pushBounded(a.asns, e.asn, 12);
    // a gateway's or anonymizer's country is not where the person is: it is not a habit
    if (e.geo?.country && !hidesLocation(e)) pushBounded(a.countries, e.geo.country, 8);
    if (e.srcIp) pushBounded(a.ips, e.srcIp, 16);
    if (e.userAgent) pushBounded(a.userAgents, e.userAgent, 6);
    if (!e.privateIp) {
      a.lastSuccess = {
        time: e.time,
        ip: e.srcIp,
        lat: e.geo?.lat,
        lon: e.geo?.lon,
        country: e.geo?.country,
        shared: e.srcIp ? this.isSharedEgress(e.srcIp) : false,
        locationHidden: hidesLocation(e),
      };
    }
    if (e.asn !== undefined && newAsnForAccount) {
      let m = this.tenantAsns.get(e.tenant);
      if (!m) this.tenantAsns.set(e.tenant, (m = new Map()));
      if (m.size < 20_000 || m.has(e.asn)) m.set(e.asn, (m.get(e.asn) ?? 0) + 1);
    }
  }

  /** the size limits this context was made with */
  get limits(): ContextLimits {
    return { maxIps: this.ips.maxEntries, maxAccounts: this.accounts.maxEntries };
  }

  /**
   * Everything the context knows, as plain data; what is plain already (the organizations' ASNs,
   * newly hostile addresses) goes in as it is: the snapshot is serialized at once, before the
   * engine sees another event.
   */
  toSnapshot(): ContextSnapshot {
    return {
      now: this.now,
      alerts: this.alerts.toSnapshot(),
      ips: this.ips.toSnapshot((v) => encodeIps(v, IP_SET_CAPS)),
      accounts: this.accounts.toSnapshot(encodeAccounts),
      attackIps: this.attackIps.toSnapshot(encodeMarks),
      attackedAccounts: this.attackedAccounts.toSnapshot(encodeMarks),
      tenantAsns: this.tenantAsns,
      newlyHostile: this.newlyHostile,
    };
  }

  /** Load a snapshot into this (fresh) context, made with the same limits. */
  restoreFrom(s: ContextSnapshot): void {
    this.now = s.now;
    this.alerts.restoreFrom(s.alerts);
    this.ips.restoreFrom(s.ips, (c, n) => decodeIps(c, n, IP_SET_CAPS));
    this.accounts.restoreFrom(s.accounts, decodeAccounts);
    this.attackIps.restoreFrom(s.attackIps, decodeMarks);
    this.attackedAccounts.restoreFrom(s.attackedAccounts, decodeMarks);
    for (const [tenant, asns] of s.tenantAsns) this.tenantAsns.set(tenant, asns);
    this.newlyHostile.push(...s.newlyHostile);
  }

  expire(now: number): void {
    this.ips.expire(now);
    this.accounts.expire(now);
    this.attackIps.expire(now);
    this.attackedAccounts.expire(now);
  }
}

export { HOUR, DAY, isCredentialSuccess };
