import type { Alert, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import { DetectContext, type ContextLimits } from './context.js';
import { accountKey, isCredentialSuccess, isGuessFailure } from './classify.js';
import { defaultDetectors } from './registry.js';

export interface EngineOptions {
  /** how long a failure waits for a success of the same account before it counts as unresolved */
  resolveDelayMs?: number;
  detectors?: Detector[];
  limits?: Partial<ContextLimits>;
}

const MINUTE = 60_000;

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

  /** end of input: judge what is still pending and return every alert */
  finish(): Alert[] {
    this.releasePending(Number.POSITIVE_INFINITY);
    this.tick(this.ctx.now);
    return this.ctx.alerts.all();
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
