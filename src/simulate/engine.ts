/**
 * Runs the world hour by hour: every source (one per organization, one per campaign) adds that
 * hour's events to a min-heap; everything earlier than the hour's end leaves in time order.
 * Memory holds about one hour of events, however long the simulation.
 */
import { buildCampaign, type Campaign } from './attacks/index.js';
import { BenignOrg } from './benign.js';
import { MinHeap } from './heap.js';
import type { Org, SimEvent, SimFormat } from './model.js';
import { HOUR } from './model.js';
import { CgnatPools } from './networks.js';
import { buildOrgs } from './orgs.js';
import { Rng } from './rng.js';
import type { Scenario } from './scenario.js';

export interface SimOptions {
  seed: string;
  /** epoch ms; rounded down to the hour */
  start: number;
  days: number;
  orgs: number;
  usersMin: number;
  usersMax: number;
  format?: SimFormat;
  /** per-organization formats, in order (overrides rotation) */
  formats?: SimFormat[];
  scenario: Scenario;
  /** stop after this many events */
  maxEvents?: number;
}

export class Simulation {
  readonly orgs: Org[];
  readonly benign: BenignOrg[];
  readonly campaigns: Campaign[];
  readonly start: number;
  readonly end: number;
  emitted = 0;

  constructor(readonly opts: SimOptions) {
    const rng = new Rng(opts.seed);
    this.start = Math.floor(opts.start / HOUR) * HOUR;
    this.end = this.start + Math.round(opts.days * 24) * HOUR;
    const cgnat = new CgnatPools(rng.fork('cgnat'));
    const orgOpts = { count: opts.orgs, usersMin: opts.usersMin, usersMax: opts.usersMax, start: this.start, days: opts.days, ...(opts.format ? { format: opts.format } : {}), ...(opts.formats ? { formats: opts.formats } : {}) };
    this.orgs = buildOrgs(orgOpts, rng.fork('orgs'), cgnat);
    const b = opts.scenario.benign;
    const stuck = b.expiredServiceAccounts;
    const expiredSvc = new Set(
      (typeof stuck === 'number' ? rng.fork('svc').sample(this.orgs, stuck) : this.orgs.filter((o) => stuck.includes(o.name))).map((o) => o.index),
    );
    this.benign = this.orgs.map((org) => {
      const r = rng.fork(`benign/${org.index}`);
      const expiryDay = b.passwordExpiryMorning && org.users.length >= 10 && opts.days >= 2 ? r.int(1, Math.max(1, Math.floor(opts.days) - 1)) : undefined;
      return new BenignOrg(org, r, {
        start: this.start,
        days: opts.days,
        expiredServiceAccount: expiredSvc.has(org.index),
        ...(expiryDay !== undefined ? { expiryDay } : {}),
        legacyIntervalMinutes: b.legacyIntervalMinutes,
        legacyUsers: b.legacyUsers,
        activity: b.activity,
        lockoutRate: b.lockoutRate,
      });
    });
    this.campaigns = opts.scenario.campaigns.map((spec, i) => buildCampaign(spec, i, this.orgs, this.start, rng.fork('campaigns')));
  }

  *events(): Generator<SimEvent> {
    const heap = new MinHeap<SimEvent>((e) => e.time);
    const max = this.opts.maxEvents ?? Infinity;
    const push = (e: SimEvent): void => heap.push(e);
    for (let h = this.start; h < this.end; h += HOUR) {
      for (const s of this.benign) s.step(h, push);
      for (const c of this.campaigns) c.step(h, push);
      const until = h + HOUR;
      while (heap.size > 0 && (heap.peekKey() ?? Infinity) < until) {
        if (this.emitted >= max) return;
        const e = heap.pop()!;
        e.seq = this.emitted++;
        yield e;
      }
    }
    // follow-ups scheduled past the end (a typo's success at 23:59) still belong to the log
    while (heap.size > 0 && this.emitted < max) {
      const e = heap.pop()!;
      e.seq = this.emitted++;
      yield e;
    }
  }
}
