import type { AuthEvent } from '../core/types.js';
import type { AttemptKind } from './sshd-message.js';

/**
 * One event per attempt. sshd logs an attempt on several lines of the same process (pid):
 *   Invalid user x from IP            ┐
 *   pam_unix(sshd:auth): auth failure │ one password attempt
 *   Failed password for invalid user x┘
 *   Failed password for invalid user x   second attempt
 *   error: maximum authentication attempts exceeded ...   (repeats the last one)
 *   PAM 1 more authentication failures                    (repeats the second one)
 * Rules, per connection (host + pid):
 * - Accepted / Failed <method> always count, except that the first Failed line after a counted
 *   provisional line (Invalid user, ...) is that same attempt and is absorbed.
 * - "Invalid user" always counts: sshd logs it once, when a connection makes its first request.
 * - Provisional lines (preauth disconnect, MaxAuthTries, AllowUsers, PAM errors)
 *   count only for a connection that has had no Failed/Accepted line and has not already been
 *   counted for the same user (a key-only server shows attacks only this way).
 * - A pam_unix "authentication failure" is held back: a Failed/Accepted line of the connection
 *   drops it (PAM + Failed = one attempt; PAM failed but another module accepted = no failure);
 *   any other line of the connection, 120 s of log time (sshd's LoginGraceTime) or the end of the
 *   file releases it as a failure (logs with PAM lines only, e.g. old RHEL /var/log/messages).
 * - "PAM N more authentication failures" counts once (code pam_more) unless Failed lines counted them.
 * Lines without a pid cannot be grouped and each counts on its own. Connections are looked up by
 * pid and checked against the host, so two hosts of a central log that share a pid only lose the
 * dedupe between them.
 */

interface Conn {
  pid: string;
  host: string;
  lastSeen: number;
  /** a provisional line was counted; the next Failed line is that attempt */
  credit: boolean;
  /** the connection had an Accepted/Failed line: provisional lines repeat what was counted */
  settled: boolean;
  user: string;
  pending?: AuthEvent;
}

/** Release held PAM events after this much log time (sshd LoginGraceTime default). */
const HOLD_MS = 120_000;
/** A pid silent this long is a new connection when it reappears (pids are reused). */
const IDLE_MS = 300_000;
const MAX_CONNS = 5000;

export class ConnTracker {
  /** by pid, in creation order */
  private readonly conns = new Map<string, Conn>();
  /**
   * Creation order again, as a queue read from `head`: finding the oldest through
   * conns.keys().next() walks over every deleted slot V8 keeps at the front of the Map, which made
   * each eviction O(MAX_CONNS) on busy logs. Entries whose connection was replaced are skipped.
   */
  private order: Conn[] = [];
  private head = 0;
  /** held PAM events by connection, in arrival order (≈ time order) */
  private readonly held = new Map<Conn, AuthEvent>();

  /** Decide what a classified line emits, appending to `out`. */
  handle(kind: AttemptKind, host: string, pid: string, ev: AuthEvent, repeat: number, out: AuthEvent[]): void {
    this.release(ev.time, out);
    if (pid === '') {
      for (let i = 0; i < repeat; i++) out.push(ev);
      return;
    }
    const conn = this.conn(host, pid, ev.time);
    for (let i = 0; i < repeat; i++) this.step(kind, conn, ev, out);
  }

  /** A non-attempt line of a connection: it shows no Failed line is coming for a held PAM event. */
  touch(host: string, pid: string, time: number, pamChatter: boolean, out: AuthEvent[]): void {
    this.release(time, out);
    if (pid === '' || pamChatter || this.held.size === 0) return;
    const conn = this.conns.get(pid);
    if (conn?.pending !== undefined && conn.host === host) this.emitPending(conn, out);
  }

  /** End of file: everything held counts. */
  drain(out: AuthEvent[]): void {
    for (const [conn, ev] of this.held) {
      out.push(ev);
      conn.pending = undefined;
    }
    this.held.clear();
  }

  private step(kind: AttemptKind, conn: Conn, ev: AuthEvent, out: AuthEvent[]): void {
    switch (kind) {
      case 'success':
        this.dropPending(conn);
        conn.credit = false;
        conn.settled = true;
        out.push(ev);
        return;
      case 'failure':
        this.dropPending(conn);
        conn.settled = true;
        if (conn.credit) {
          conn.credit = false;
          return;
        }
        out.push(ev);
        return;
      case 'start':
        // sshd logs "Invalid user" once, on the first request of a connection: a new attempt
        if (conn.pending !== undefined) this.emitPending(conn, out);
        conn.settled = false;
        conn.credit = true;
        conn.user = ev.user;
        out.push(ev);
        return;
      case 'provisional':
        if (conn.settled) return;
        if (conn.pending !== undefined) {
          this.emitPending(conn, out);
          return;
        }
        if (conn.credit && (ev.user === '' || conn.user === '' || ev.user === conn.user)) return;
        conn.credit = true;
        conn.user = ev.user;
        out.push(ev);
        return;
      case 'pam_more':
        if (conn.settled) return;
        if (conn.pending !== undefined) this.emitPending(conn, out);
        conn.credit = true;
        out.push(ev);
        return;
      case 'pam':
        if (conn.settled || conn.credit) return;
        if (conn.pending !== undefined) this.emitPending(conn, out);
        conn.pending = ev;
        conn.credit = false;
        this.held.set(conn, ev);
        return;
    }
  }

  private emitPending(conn: Conn, out: AuthEvent[]): void {
    if (conn.pending === undefined) return;
    out.push(conn.pending);
    conn.credit = true;
    conn.user = conn.pending.user;
    conn.pending = undefined;
    this.held.delete(conn);
  }

  private dropPending(conn: Conn): void {
    if (conn.pending === undefined) return;
    conn.pending = undefined;
    this.held.delete(conn);
  }

  private conn(host: string, pid: string, time: number): Conn {
    let c = this.conns.get(pid);
    if (c !== undefined && (c.host !== host || (time - c.lastSeen > IDLE_MS && c.pending === undefined))) {
      this.conns.delete(pid);
      c = undefined;
    }
    if (c === undefined) {
      c = { pid, host, lastSeen: time, credit: false, settled: false, user: '' };
      if (this.conns.size >= MAX_CONNS) this.evictOldest();
      this.conns.set(pid, c);
      this.order.push(c);
      if (this.order.length - this.head > 2 * MAX_CONNS) this.compactOrder();
    }
    // insertion order is creation order; connections are short, so the oldest is the stalest
    if (time > c.lastSeen) c.lastSeen = time;
    return c;
  }

  /** Forget queue entries of connections that were replaced (pid reused) or evicted. */
  private compactOrder(): void {
    this.order = this.order.slice(this.head).filter((c) => this.conns.get(c.pid) === c);
    this.head = 0;
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const oldest = this.order[this.head++] as Conn;
      if (this.conns.get(oldest.pid) !== oldest) continue; // replaced or already gone
      // a held PAM event of an evicted connection stays in `held` and is released by time
      this.conns.delete(oldest.pid);
      break;
    }
    // drop the consumed front now and then so the queue stays about as long as the Map
    if (this.head > MAX_CONNS && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** Release held PAM events older than HOLD_MS before `now`. */
  private release(now: number, out: AuthEvent[]): void {
    if (this.held.size === 0) return;
    for (const [conn, ev] of this.held) {
      if (now - ev.time <= HOLD_MS) break;
      out.push(ev);
      this.held.delete(conn);
      conn.pending = undefined;
      conn.credit = true;
    }
  }
}
