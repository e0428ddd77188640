import type { AuthEvent } from '../core/types.js';
import type { DetectContext } from './context.js';

/**
 * A streaming detector. The engine calls it in event-time order. It reads the shared context
 * (what is known about addresses, accounts and attacks so far, not yet including this event) and
 * raises or extends alerts through `ctx.alerts`.
 */
export interface Detector {
  readonly id: string;
  /** every event, before the context learns from it */
  onEvent?(e: AuthEvent, ctx: DetectContext): void;
  /**
   * a guessing failure that was not followed by a success of the same account within the
   * resolution delay: what typos are not (typos resolve within minutes)
   */
  onUnresolvedFailure?(e: AuthEvent, ctx: DetectContext): void;
  /** called as event time advances (at most once per simulated minute) to expire state */
  onTick?(now: number, ctx: DetectContext): void;
  /**
   * A detector that keeps state of its own returns it as plain data for an engine snapshot
   * (Maps, Sets, arrays, typed arrays; events as the same objects the engine holds).
   */
  saveState?(): unknown;
  /** loads what `saveState` returned into a detector fresh from its factory */
  loadState?(state: unknown): void;
}
