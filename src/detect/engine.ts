import type { Alert, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import { DetectContext, type ContextLimits, type ContextSnapshot } from './context.js';
import { accountKey, isCredentialSuccess, isGuessFailure } from './classify.js';
import { defaultDetectors } from './registry.js';
import { SnapshotError, expectSame, expectSameList } from './state/snapshot-error.js';

export interface EngineOptions {
  /** how long a failure waits for a success of the same account before it counts as unresolved */
  resolveDelayMs?: number;
  detectors?: Detector[];
  limits?: Partial<ContextLimits>;
}

const MINUTE = 60_000;

/** Everything an engine knows, as plain data (src/detect/snapshot.ts turns it into bytes). */
export interface EngineSnapshot {
  resolveDelayMs: number;
  limits: ContextLimits;
  /** the detectors, in order; each one's own state (undefined for those that keep none) */
  detectorIds: string[];
  detectorStates: unknown[];
  /** failures waiting for resolution, oldest first; the same objects as in `pendingByAccount` */
  pending: AuthEvent[];
  /** 1 where the pending failure was resolved by a later success */
  resolvedPending: Uint8Array;
  pendingByAccount: Map<string, AuthEvent[]>;
  lastTick: number;
  events: number;
  lateEvents: number;
  ctx: ContextSnapshot;
}

/**
 * Runs the detectors over events in event-time order. Owns the clock, the shared context and the
 * queue of failures waiting to be resolved by a success (a typo) or not (a guess).
 */
export class DetectionEngine {
  readonly ctx: DetectContext;
  private readonly detectors: Detector[];
  private readonly resolveDelayMs: number;
  /** failures waiting for resolution, oldest first */
  private pending: AuthEvent[] = [];
  private pendingHead = 0;
  /** failures resolved by a later success */
  private readonly resolved = new WeakSet<AuthEvent>();
  private readonly pendingByAccount = new Map<string, AuthEvent[]>();
  private lastTick = 0;
  events = 0;
  lateEvents = 0;

  constructor(opts: EngineOptions = {}) {
    this.ctx = new DetectContext(opts.limits);
    this.detectors = opts.detectors ?? defaultDetectors();
    this.resolveDelayMs = opts.resolveDelayMs ?? 15 * MINUTE;
  }

  process(e: AuthEvent): void {
    this.events++;
    const ctx = this.ctx;
    if (e.time < ctx.now) this.lateEvents++;
    else ctx.now = e.time;
    this.releasePending(ctx.now - this.resolveDelayMs);
    if (ctx.now - this.lastTick >= MINUTE) this.tick(ctx.now);

    for (const d of this.detectors) d.onEvent?.(e, ctx);
    ctx.learn(e);

    const key = accountKey(e);
    if (isGuessFailure(e)) {
      this.pending.push(e);
      let list = this.pendingByAccount.get(key);
      if (!list) this.pendingByAccount.set(key, (list = []));
      list.push(e);
    } else if (isCredentialSuccess(e)) {
      const list = this.pendingByAccount.get(key);
      if (list) {
        for (const f of list) this.resolved.add(f);
        this.pendingByAccount.delete(key);
      }
    }
  }

  /**
   * Move the event clock forward with no event: a live feed that has gone quiet. Failures older
   * than the resolve delay are judged and windows expire, as if an event at `time` had arrived.
   */
  advanceTo(time: number): void {
    if (!(time > this.ctx.now)) return;
    this.ctx.now = time;
    this.releasePending(time - this.resolveDelayMs);
    if (time - this.lastTick >= MINUTE) this.tick(time);
  }

  /** end of input: judge what is still pending and return every alert */
  finish(): Alert[] {
    this.releasePending(Number.POSITIVE_INFINITY);
    this.tick(this.ctx.now);
    return this.ctx.alerts.all();
  }

  /** failures waiting to be judged typo or guess */
  get pendingFailures(): number {
    return this.pending.length - this.pendingHead;
  }

  /**
   * Everything the engine knows, as plain data sharing objects with the live state: serialize it
   * before the engine processes another event. Reading it changes nothing.
   */
  toSnapshot(): EngineSnapshot {
    const pending = this.pending.slice(this.pendingHead);
    const resolvedPending = new Uint8Array(pending.length);
    pending.forEach((f, i) => {
      if (this.resolved.has(f)) resolvedPending[i] = 1;
    });
    return {
      resolveDelayMs: this.resolveDelayMs,
      limits: this.ctx.limits,
      detectorIds: this.detectors.map((d) => d.id),
      detectorStates: this.detectors.map((d) => d.saveState?.()),
      pending,
      resolvedPending,
      pendingByAccount: this.pendingByAccount,
      lastTick: this.lastTick,
      events: this.events,
      lateEvents: this.lateEvents,
      ctx: this.ctx.toSnapshot(),
    };
  }

  /**
   * An engine made with `opts` that goes on exactly where the engine that wrote `s` stopped.
   * Throws SnapshotError when the options or the detectors differ from the snapshot's.
   */
  static restore(s: EngineSnapshot, opts: EngineOptions = {}): DetectionEngine {
    const engine = new DetectionEngine(opts);
    expectSame('failure resolution delay', s.resolveDelayMs, engine.resolveDelayMs);
    expectSame('address limit', s.limits.maxIps, engine.ctx.limits.maxIps);
    expectSame('account limit', s.limits.maxAccounts, engine.ctx.limits.maxAccounts);
    expectSameList('detectors', s.detectorIds, engine.detectors.map((d) => d.id));
    if (s.resolvedPending.length !== s.pending.length) throw new SnapshotError('pending failures and their marks differ in length');
    engine.detectors.forEach((d, i) => {
      const state = s.detectorStates[i];
      if (state === undefined && !d.loadState) return;
      if (state === undefined || !d.loadState) throw new SnapshotError(`detector ${d.id} keeps state in one version and none in the other`);
      d.loadState(state);
    });
    engine.ctx.restoreFrom(s.ctx);
    engine.pending = s.pending;
    s.pending.forEach((f, i) => {
      if (s.resolvedPending[i] === 1) engine.resolved.add(f);
    });
    for (const [key, list] of s.pendingByAccount) engine.pendingByAccount.set(key, list);
    engine.lastTick = s.lastTick;
    engine.events = s.events;
    engine.lateEvents = s.lateEvents;
    return engine;
  }

  /** alerts raised or extended since the last call (for streaming consumers) */
  drainChanged(): Alert[] {
    return this.ctx.alerts.drainChanged();
  }

  private tick(now: number): void {
    this.lastTick = now;
    for (const d of this.detectors) d.onTick?.(now, this.ctx);
    this.ctx.expire(now);
  }

  private releasePending(limit: number): void {
    const q = this.pending;
    while (this.pendingHead < q.length && q[this.pendingHead]!.time <= limit) {
      const f = q[this.pendingHead++]!;
      const key = accountKey(f);
      const list = this.pendingByAccount.get(key);
      if (list && list[0] === f) {
        list.shift();
        if (list.length === 0) this.pendingByAccount.delete(key);
      }
      if (this.resolved.has(f)) continue;
      for (const d of this.detectors) d.onUnresolvedFailure?.(f, this.ctx);
    }
    if (this.pendingHead > 4096 && this.pendingHead * 2 > q.length) {
      this.pending = q.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }
}
