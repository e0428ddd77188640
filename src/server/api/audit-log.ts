import type { ServerDb } from '../db.js';

/** One administrative action: who (token id; null = the local CLI), when, what, on what. */
export interface AuditEntry {
  id: number;
  /** epoch ms */
  at: number;
  tokenId: string | null;
  /** 'token.create', 'token.revoke', 'intel.add', 'intel.remove' */
  action: string;
  tenant: string | null;
  target: string | null;
  /** facts about the action; never a secret */
  detail: Record<string, unknown>;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

interface AuditRow {
  id: number;
  at: number;
  token_id: string | null;
  action: string;
  tenant: string | null;
  target: string | null;
  detail: string;
}

/** The audit_log table of the server database (migration 2). Append-only. */
export class AuditLog {
  constructor(private readonly db: ServerDb) {}

  record(e: AuditInput): void {
    this.db
      .prepare('INSERT INTO audit_log (at, token_id, action, tenant, target, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at ?? Date.now(), e.tokenId, e.action, e.tenant, e.target, JSON.stringify(e.detail));
  }

  /** Newest first. */
  list(filter: { action?: string; since?: number; limit: number }): AuditEntry[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.action !== undefined) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      params.push(Math.trunc(filter.since));
    }
    params.push(Math.max(0, Math.trunc(filter.limit)));
    const rows = this.db
      .prepare(`SELECT * FROM audit_log${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params) as AuditRow[];
    return rows.map((r) => ({ id: r.id, at: r.at, tokenId: r.token_id, action: r.action, tenant: r.tenant, target: r.target, detail: parseDetail(r.detail) }));
  }
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
