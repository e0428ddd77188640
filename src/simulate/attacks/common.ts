/** What every campaign shares: its ground-truth record, target picking, attacker addresses. */
import { randomNet, torNet, TOR_EXITS } from '../networks.js';
import { logName } from '../identity.js';
import type { EventSource, MfaStep, NetInfo, Org, Protocol, SimEvent, SimUser } from '../model.js';
import type { Rng } from '../rng.js';
import type { FailureReason, Outcome } from '../../core/types.js';

export interface CampaignTruth {
  id: string;
  kind: string;
  technique: string;
  actor?: string;
  tenants: string[];
  attackerIps: string[];
  targetedUsers: string[];
  compromisedUsers: string[];
  start?: string;
  end?: string;
  events: number;
  /** alert kinds a good detector should raise */
  expectedAlerts: string[];
  /** why a campaign produced nothing (no suitable organization) */
  skipped?: string;
  notes?: string;
}

/** guessed names sprayers try when they enumerate accounts */
export const GUESSED_NAMES = ['admin', 'info', 'office', 'press', 'contact', 'hr', 'finance', 'it', 'support', 'test', 'campaign', 'media', 'director', 'volunteer', 'donations', 'jsmith', 'john.smith', 'manager', 'webmaster', 'events'];
/** classic SSH dictionary names */
export const SSH_GUESSES = ['root', 'admin', 'test', 'oracle', 'ubuntu', 'postgres', 'git', 'user', 'ftpuser', 'pi', 'deploy', 'guest'];

export const ATTACK_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36';

export interface Target {
  org: Org;
  login: string;
  user?: SimUser;
}

export abstract class Campaign implements EventSource {
  readonly truth: CampaignTruth;
  private readonly ips = new Set<string>();
  private readonly targeted = new Set<string>();
  private readonly compromised = new Set<string>();
  private readonly tenants = new Set<string>();
  private first = Infinity;
  private last = -Infinity;

  constructor(
    protected readonly rng: Rng,
    id: string,
    kind: string,
    technique: string,
    expectedAlerts: string[],
    actor?: string,
  ) {
    this.truth = { id, kind, technique, tenants: [], attackerIps: [], targetedUsers: [], compromisedUsers: [], events: 0, expectedAlerts };
    if (actor) this.truth.actor = actor;
  }

  abstract step(start: number, emit: (e: SimEvent) => void): void;

  protected attempt(
    emit: (e: SimEvent) => void,
    time: number,
    target: Target,
    net: NetInfo,
    outcome: Outcome,
    protocol: Protocol,
    userAgent: string,
    reason?: FailureReason,
    mfa?: MfaStep,
  ): void {
    const e: SimEvent = { time, org: target.org, login: target.login, net, port: this.rng.int(1024, 65535), outcome, protocol, userAgent, campaign: this.truth.id, seq: 0 };
    if (target.user) e.user = target.user;
    if (reason) e.reason = reason;
    if (mfa) e.mfa = mfa;
    this.ips.add(net.ip);
    const name = `${logName(target.org, target.login, target.user)}`;
    this.targeted.add(`${target.org.domain}|${name}`);
    this.tenants.add(target.org.domain);
    if (outcome === 'success') this.compromised.add(`${target.org.domain}|${name}`);
    this.first = Math.min(this.first, time);
    this.last = Math.max(this.last, time);
    this.truth.events++;
    emit(e);
  }

  /** the finished truth record (sorted lists, ISO times) */
  finish(): CampaignTruth {
    const t = this.truth;
    t.tenants = [...this.tenants].sort();
    t.attackerIps = [...this.ips].sort();
    // "tenant|name" keeps same-named accounts in different organizations apart
    t.targetedUsers = [...this.targeted].sort();
    t.compromisedUsers = [...this.compromised].sort();
    if (Number.isFinite(this.first)) {
      t.start = new Date(this.first).toISOString();
      t.end = new Date(this.last).toISOString();
    }
    return t;
  }
}

export function protocolFor(org: Org): Protocol {
  if (org.format === 'sshd') return 'ssh';
  if (org.format === 'windows') return 'rdp';
  return 'browser';
}

/** guessed account names for an org, in the form its log would show */
export function guessedTarget(org: Org, rng: Rng): Target {
  const name = org.format === 'sshd' ? rng.pick(SSH_GUESSES) : rng.pick(GUESSED_NAMES);
  const exists = org.users.find((u) => u.email === `${name}@${org.domain}` || u.login === name);
  return exists ? { org, login: exists.email, user: exists } : { org, login: `${name}@${org.domain}` };
}

/** pick organizations by count / 'all' / names, keeping only those the predicate accepts */
export function pickOrgs(all: Org[], pick: 'all' | number | string[], rng: Rng, ok: (o: Org) => boolean = () => true): Org[] {
  const usable = all.filter(ok);
  if (pick === 'all') return usable;
  if (typeof pick === 'number') return rng.sample(usable, pick).sort((a, b) => a.index - b.index);
  return usable.filter((o) => pick.includes(o.name) || pick.includes(o.domain));
}

export function pickOrg(all: Org[], name: string | undefined, rng: Rng, ok: (o: Org) => boolean = () => true): Org | undefined {
  const usable = all.filter(ok);
  if (name) return usable.find((o) => o.name === name || o.domain === name);
  return usable.length > 0 ? rng.pick(usable) : undefined;
}

export function pickUser(org: Org, name: string | undefined, rng: Rng): SimUser | undefined {
  if (name) return org.users.find((u) => u.email === name || u.login === name || u.email.startsWith(`${name}@`));
  return org.users.length > 0 ? rng.pick(org.users) : undefined;
}

/** distinct attacker addresses: Tor exits first (up to torFraction), the rest from hosting ranges */
export function attackerPool(size: number, torFraction: number, rng: Rng): NetInfo[] {
  const torCount = Math.min(TOR_EXITS.length, Math.round(size * torFraction));
  const pool = rng.sample(TOR_EXITS, torCount).map(torNet);
  const seen = new Set(pool.map((n) => n.ip));
  while (pool.length < size) {
    const n = randomNet('hosting', rng);
    if (seen.has(n.ip)) continue;
    seen.add(n.ip);
    pool.push(n);
  }
  return pool;
}
