import type { ServerDb } from '../server/db.js';

/** Keys kept; older marks are pruned (their alerts are long closed). Matches the notifier's own cap. */
const MAX_MARKS = 200_000;

/**
 * What was notified, on disk in the server database. The notifier reports each message as it is
 * marked sent (`onNotified`) and the mark is committed at once (synchronous=FULL), so after a crash
 * only a message whose receiver answered in the last instant before the kill can go out again;
 * webhooks carry X-Vigil-Delivery for receivers that want to drop even that copy.
 */
export class NotifyLedger {
  constructor(private readonly db: ServerDb) {}

  /** every mark, oldest first, for `NotifierConfig.dedupeState` */
  load(): Record<string, number> {
    const rows = this.db.prepare('SELECT key, rank FROM notify_sent ORDER BY updated_at, key').all() as { key: string; rank: number }[];
    const out: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const r of rows) out[r.key] = r.rank;
    return out;
  }

  /** `NotifierConfig.onNotified` */
  readonly mark = (key: string, rank: number): void => {
    this.db
      .prepare(
        `INSERT INTO notify_sent (key, rank, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET rank = max(rank, excluded.rank), updated_at = excluded.updated_at`,
      )
      .run(key, rank, Date.now());
  };

  /** drop the oldest marks beyond the cap; call now and then */
  prune(max = MAX_MARKS): number {
    const r = this.db
      .prepare('DELETE FROM notify_sent WHERE key IN (SELECT key FROM notify_sent ORDER BY updated_at DESC, key LIMIT -1 OFFSET ?)')
      .run(max);
    return r.changes;
  }
}
