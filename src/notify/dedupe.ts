/**
 * Remembers what was notified: key alert id + audience + channel (+ person for targets), value the
 * highest severity sent. An alert that grows is sent again only when its severity rises.
 * Bounded: the oldest keys are forgotten first.
 */
import { SEVERITY_RANK, type Severity } from '../core/types.js';
import type { Audience } from './types.js';

export const DEDUPE_MAX = 200_000;

export function dedupeKey(alertId: string, audience: Audience, channel: string, person?: string): string {
  return JSON.stringify(person === undefined ? [alertId, audience, channel] : [alertId, audience, channel, person]);
}

export class DedupeBook {
  private readonly sent = new Map<string, number>();

  constructor(
    initial: Record<string, number> = {},
    private readonly max = DEDUPE_MAX,
    /** told of every mark as it happens, so a server can persist it before the next send */
    private readonly onMark?: (key: string, rank: number) => void,
  ) {
    for (const [k, v] of Object.entries(initial)) if (typeof v === 'number' && Number.isFinite(v)) this.remember(k, v);
  }

  isNew(key: string, severity: Severity): boolean {
    const before = this.sent.get(key);
    return before === undefined || SEVERITY_RANK[severity] > before;
  }

  markSent(key: string, severity: Severity): void {
    const rank = Math.max(this.sent.get(key) ?? 0, SEVERITY_RANK[severity]);
    this.remember(key, rank);
    this.onMark?.(key, rank);
  }

  private remember(key: string, rank: number): void {
    this.sent.delete(key); // re-insert at the young end
    this.sent.set(key, rank);
    if (this.sent.size > this.max) {
      const oldest = this.sent.keys().next();
      if (oldest.done !== true) this.sent.delete(oldest.value);
    }
  }

  /** for persistence across restarts */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [k, v] of this.sent) out[k] = v;
    return out;
  }
}
