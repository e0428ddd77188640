/**
 * Ordinary life in one organization, including the traps that fool naive detectors: office NAT,
 * carrier-grade NAT, VPN, travellers, typos, lockouts, password-expiry mornings, a service account
 * retrying an expired password, and mail clients still on IMAP.
 */
import { MOBILE_UA } from './orgs.js';
import type { EventSource, NetInfo, Org, Protocol, SimEvent, SimUser } from './model.js';
import { DAY, HOUR, LEGACY_FORMATS, MINUTE } from './model.js';
import type { Rng } from './rng.js';

/** sign-in sessions per user per local hour on a weekday (sums to ~4.5 a day) */
const WEEKDAY_RATE = [0.01, 0.005, 0.005, 0.005, 0.01, 0.02, 0.08, 0.25, 0.6, 0.55, 0.4, 0.3, 0.35, 0.4, 0.35, 0.3, 0.25, 0.15, 0.1, 0.08, 0.07, 0.05, 0.03, 0.02];
const WEEKEND_FACTOR = 0.12;

export interface BenignOptions {
  start: number;
  days: number;
  /** this org's service account keeps retrying an expired password every 5 minutes */
  expiredServiceAccount: boolean;
  /** UTC day index of the password-expiry morning, if any */
  expiryDay?: number;
  /** minutes between a legacy mail client's IMAP logins */
  legacyIntervalMinutes: number;
  legacyUsers: number;
  /** overall scale of interactive sessions (1 = ~4.5 per user per weekday) */
  activity: number;
  lockoutRate: number;
}

/** What the truth file reports about benign traffic. */
export interface BenignStats {
  tenant: string;
  format: string;
  users: number;
  userDays: number;
  events: number;
  failures: number;
  serviceAccount: string;
  serviceAccountExpired: boolean;
  legacyMailUsers: string[];
  travellers: { user: string; from: string; to: string; departAt: string; arriveAt: string }[];
  lockouts: string[];
  expiryMorning?: string;
}

interface Scheduled {
  t: number;
  kind: 'lockout' | 'expiry';
  user: SimUser;
}

export class BenignOrg implements EventSource {
  readonly stats: BenignStats;
  readonly serviceAccount: SimUser;
  private readonly legacy: SimUser[];
  private readonly legacyNext = new Map<SimUser, number>();
  private scheduled: Scheduled[] = [];
  private activeToday = new Set<SimUser>();
  private day = -1;
  private readonly protocolScale: number;

  constructor(
    private readonly org: Org,
    private readonly rng: Rng,
    private readonly opts: BenignOptions,
  ) {
    this.serviceAccount = {
      email: `svc-backup@${org.domain}`,
      login: 'svc_backup',
      displayName: 'Backup Service',
      id: `00u${rng.hex(17)}`,
      home: org.server,
      mobile: org.server,
      userAgent: 'BackupAgent/4.2 (Windows NT 10.0)',
      activity: 0,
    };
    this.legacy = LEGACY_FORMATS.includes(org.format) ? rng.sample(org.users, Math.min(opts.legacyUsers, Math.floor(org.users.length / 4))) : [];
    for (const u of this.legacy) this.legacyNext.set(u, opts.start + rng.int(0, opts.legacyIntervalMinutes) * MINUTE);
    // engineers on SSH sign in less often than people on a web portal
    this.protocolScale = org.format === 'sshd' ? 0.3 : 1;
    this.stats = {
      tenant: org.domain,
      format: org.format,
      users: org.users.length,
      userDays: 0,
      events: 0,
      failures: 0,
      serviceAccount: org.format === 'sshd' || org.format === 'windows' ? this.serviceAccount.login : this.serviceAccount.email,
      serviceAccountExpired: opts.expiredServiceAccount,
      legacyMailUsers: this.legacy.map((u) => u.email),
      travellers: org.users
        .filter((u) => u.travel)
        .map((u) => ({
          user: u.email,
          from: u.travel!.from,
          to: u.travel!.to,
          departAt: new Date(u.travel!.departAt).toISOString(),
          arriveAt: new Date(u.travel!.arriveAt).toISOString(),
        })),
      lockouts: [],
    };
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    const out = (e: SimEvent): void => {
      this.stats.events++;
      if (e.outcome !== 'success') this.stats.failures++;
      if (e.user && e.user !== this.serviceAccount && !this.activeToday.has(e.user)) {
        this.activeToday.add(e.user);
        this.stats.userDays++;
      }
      emit(e);
    };
    const dayIndex = Math.floor((start - this.opts.start) / DAY);
    if (dayIndex !== this.day) this.newDay(dayIndex, start);
    const r = this.rng;
    const org = this.org;
    const local = new Date(start + org.utcOffset * HOUR);
    const localHour = local.getUTCHours();
    const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
    const rate = (WEEKDAY_RATE[localHour] ?? 0) * (weekend ? WEEKEND_FACTOR : 1) * this.opts.activity * this.protocolScale;

    const sessions = r.poisson(org.users.length * rate);
    for (let i = 0; i < sessions; i++) {
      const user = r.pick(org.users);
      if (!r.chance(user.activity / 1.5)) continue;
      const t = start + Math.floor(r.next() * HOUR);
      const net = this.whereIs(user, t, localHour, weekend);
      if (!net) continue; // in the air
      const protocol = this.protocolFor(net);
      const ua = net.role === 'mobile' ? MOBILE_UA : user.userAgent;
      const port = r.int(49152, 65535);
      if (r.chance(0.04)) {
        // a typo: wrong password, then the right one a little later from the same place
        out(this.ev(t, user, net, port, protocol, ua, 'failure', 'bad_password'));
        out(this.ev(t + r.int(15, 180) * 1000, user, net, r.int(49152, 65535), protocol, ua, 'success'));
      } else {
        out(this.ev(t, user, net, port, protocol, ua, 'success'));
      }
    }

    for (const s of this.scheduled) {
      if (s.t < start || s.t >= start + HOUR) continue;
      if (s.kind === 'lockout') this.lockout(s, out);
      else this.expiry(s, out);
    }
    this.serviceAccountHour(start, out);
    this.legacyHour(start, out);
  }

  private newDay(dayIndex: number, dayStart: number): void {
    this.day = dayIndex;
    this.activeToday.clear();
    const r = this.rng;
    const org = this.org;
    this.scheduled = [];
    const local = new Date(dayStart + org.utcOffset * HOUR);
    const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
    // lockouts: by default roughly one a day per 300 people, on working days
    const lockouts = weekend ? 0 : r.poisson(org.users.length * this.opts.lockoutRate);
    for (let i = 0; i < lockouts; i++) {
      const user = r.pick(org.users);
      this.scheduled.push({ t: dayStart + (r.int(8, 16) - org.utcOffset) * HOUR + r.int(0, 59) * MINUTE, kind: 'lockout', user });
      this.stats.lockouts.push(org.format === 'sshd' || org.format === 'windows' ? user.login : user.email);
    }
    if (this.opts.expiryDay === dayIndex) {
      // a quarter of the org hits "password expired" between 8 and 10 local time, then changes it
      for (const user of org.users) {
        if (!r.chance(0.25)) continue;
        this.scheduled.push({ t: dayStart + (8 - org.utcOffset) * HOUR + r.int(0, 119) * MINUTE + r.int(0, 59) * 1000, kind: 'expiry', user });
      }
      this.stats.expiryMorning = new Date(dayStart + (8 - org.utcOffset) * HOUR).toISOString();
    }
    this.scheduled = this.scheduled.map((s) => ({ ...s, t: ((s.t - dayStart + DAY) % DAY) + dayStart }));
  }

  /** ten wrong passwords in a few minutes, locked, then the help desk resets it */
  private lockout(s: Scheduled, out: (e: SimEvent) => void): void {
    const r = this.rng;
    const net = this.whereIs(s.user, s.t, 10, false) ?? s.user.home;
    const protocol = this.protocolFor(net);
    let t = s.t;
    for (let i = 0; i < 10; i++) {
      out(this.ev(t, s.user, net, r.int(49152, 65535), protocol, s.user.userAgent, 'failure', 'bad_password'));
      t += r.int(10, 60) * 1000;
    }
    out(this.ev(t, s.user, net, r.int(49152, 65535), protocol, s.user.userAgent, 'failure', 'locked'));
    out(this.ev(t + r.int(25, 90) * MINUTE, s.user, net, r.int(49152, 65535), protocol, s.user.userAgent, 'success'));
  }

  private expiry(s: Scheduled, out: (e: SimEvent) => void): void {
    const r = this.rng;
    const net = this.whereIs(s.user, s.t, 9, false) ?? s.user.home;
    const protocol = this.protocolFor(net);
    out(this.ev(s.t, s.user, net, r.int(49152, 65535), protocol, s.user.userAgent, 'failure', 'expired'));
    out(this.ev(s.t + r.int(60, 300) * 1000, s.user, net, r.int(49152, 65535), protocol, s.user.userAgent, 'success'));
  }

  /** a scheduled job: hourly success, or (broken) a retry every 5 minutes with an expired password */
  private serviceAccountHour(start: number, out: (e: SimEvent) => void): void {
    const svc = this.serviceAccount;
    const protocol: Protocol = this.org.format === 'sshd' ? 'ssh' : 'network';
    if (this.opts.expiredServiceAccount) {
      for (let m = 0; m < 60; m += 5) {
        out(this.ev(start + m * MINUTE + this.rng.int(0, 2000), svc, this.org.server, this.rng.int(49152, 65535), protocol, svc.userAgent, 'failure', 'expired'));
      }
    } else {
      out(this.ev(start + 17 * MINUTE + this.rng.int(0, 2000), svc, this.org.server, this.rng.int(49152, 65535), protocol, svc.userAgent, 'success'));
    }
  }

  /** mail clients on IMAP basic auth log in every few minutes, day and night */
  private legacyHour(start: number, out: (e: SimEvent) => void): void {
    const every = this.opts.legacyIntervalMinutes * MINUTE;
    for (const user of this.legacy) {
      let t = this.legacyNext.get(user) ?? start;
      while (t < start + HOUR) {
        if (t >= start) {
          const net = this.whereIs(user, t, 20, false) ?? user.home;
          out(this.ev(t, user, net, this.rng.int(49152, 65535), 'imap', 'Microsoft Outlook 16.0', 'success'));
        }
        t += every + this.rng.int(-60, 60) * 1000;
      }
      this.legacyNext.set(user, t);
    }
  }

  /** where a person is when signing in; undefined while flying */
  private whereIs(user: SimUser, t: number, localHour: number, weekend: boolean): NetInfo | undefined {
    const r = this.rng;
    const tr = user.travel;
    if (tr && t >= tr.departAt) {
      if (t < tr.arriveAt + HOUR) return undefined;
      return r.chance(0.6) ? tr.abroad : tr.abroadMobile;
    }
    const working = !weekend && localHour >= 8 && localHour < 18;
    const place = working
      ? r.weighted<'office' | 'home' | 'mobile' | 'vpn'>([['office', 0.6], ['home', 0.2], ['mobile', 0.15], ['vpn', 0.05]])
      : r.weighted<'office' | 'home' | 'mobile' | 'vpn'>([['home', 0.6], ['mobile', 0.35], ['vpn', 0.05]]);
    const onPremises = this.org.format === 'sshd' || this.org.format === 'windows';
    if (place === 'office') return onPremises ? this.workstation(user) : this.org.office;
    if (place === 'vpn') return this.org.vpn;
    if (place === 'mobile' && !onPremises) return user.mobile;
    return user.home;
  }

  /** inside the office, Windows and SSH see the private workstation address */
  private workstation(user: SimUser): NetInfo {
    const i = this.org.users.indexOf(user);
    return { ip: `10.${(this.org.index % 250) + 1}.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`, role: 'internal' };
  }

  private protocolFor(net: NetInfo): Protocol {
    if (this.org.format === 'sshd') return 'ssh';
    if (this.org.format === 'windows') return net.role === 'internal' ? 'network' : 'rdp';
    return net.role === 'mobile' ? 'mobile' : 'browser';
  }

  private ev(time: number, user: SimUser, net: NetInfo, port: number, protocol: Protocol, userAgent: string, outcome: 'success' | 'failure', reason?: 'bad_password' | 'locked' | 'expired'): SimEvent {
    const e: SimEvent = { time, org: this.org, login: user.email, user, net, port, outcome, protocol, userAgent, seq: 0 };
    if (reason) e.reason = reason;
    return e;
  }
}
