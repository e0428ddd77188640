import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import { SEVERITY_RANK, type Alert } from '../core/types.js';
import { alertFromJson, alertToJson } from '../export/jsonl.js';
import type { Indicator } from '../intel/types.js';
import { actorsToJson, indicatorFromRow, indicatorKey, type IntelRow } from './intel-rows.js';
import type { AlertFilter, AlertStore, IntelStore, StoredIndicator } from './types.js';

/**
 * Schema changes, oldest first. Each one runs once, inside the same transaction that records its
 * number in schema_version. Never edit a shipped entry: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE alerts (
     id            TEXT PRIMARY KEY,
     kind          TEXT NOT NULL,
     severity      TEXT NOT NULL,
     severity_rank INTEGER NOT NULL,
     tenant        TEXT NOT NULL,
     first_seen    INTEGER NOT NULL,
     last_seen     INTEGER NOT NULL,
     confidence    REAL NOT NULL,
     campaign_id   TEXT,
     json          TEXT NOT NULL
   );
   CREATE INDEX alerts_by_rank ON alerts (severity_rank DESC, last_seen DESC);
   CREATE INDEX alerts_by_tenant ON alerts (tenant, severity_rank DESC, last_seen DESC);
   CREATE INDEX alerts_by_kind ON alerts (kind, last_seen);
   CREATE INDEX alerts_by_last_seen ON alerts (last_seen);
   CREATE INDEX alerts_by_campaign ON alerts (campaign_id) WHERE campaign_id IS NOT NULL;
   CREATE TABLE alert_users (
     user_name TEXT NOT NULL,
     alert_id  TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
     PRIMARY KEY (user_name, alert_id)
   ) WITHOUT ROWID;
   CREATE INDEX alert_users_by_alert ON alert_users (alert_id);
   CREATE TABLE alert_ips (
     ip       TEXT NOT NULL,
     alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
     PRIMARY KEY (ip, alert_id)
   ) WITHOUT ROWID;
   CREATE INDEX alert_ips_by_alert ON alert_ips (alert_id);`,
  // 2: threat-intelligence indicators imported with `vigil intel add` (actors as a JSON array)
  `CREATE TABLE intel_indicators (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     file        TEXT NOT NULL,
     kind        TEXT NOT NULL,
     value       TEXT NOT NULL,
     source      TEXT NOT NULL,
     actors      TEXT NOT NULL,
     valid_from  INTEGER,
     valid_until INTEGER,
     ref         TEXT,
     added_at    INTEGER NOT NULL
   );
   CREATE INDEX intel_by_file ON intel_indicators (file);`,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** an optional epoch-ms time as an INTEGER column value */
const time = (t: number | undefined): number | null => (t !== undefined && Number.isFinite(t) ? Math.trunc(t) : null);

const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

function storeError(file: string, what: string, cause?: unknown): VigilError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new VigilError('STORE', `${file}: ${what}${detail}`, file);
}

/**
 * Make sure the path is either absent (then create it, owner-only) or an SQLite file. Checked
 * before SQLite touches it so a wrong --db never gets overwritten or turned into a database.
 */
function prepareFile(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw storeError(file, 'is not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof VigilError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(file, 'cannot be read', err);
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // the database names the people who were attacked: owner read/write only
      closeSync(openSync(file, 'wx', 0o600));
    } catch (createErr) {
      // EEXIST after ENOENT: a dangling symlink, or another process won the race; do not guess
      if ((createErr as NodeJS.ErrnoException).code === 'EEXIST') throw storeError(file, 'is a broken link or appeared while being created');
      throw storeError(file, 'cannot be created', createErr);
    }
    return;
  }
  if (size === 0) return; // an empty file is an empty SQLite database
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw storeError(file, 'cannot be read', err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) {
    throw storeError(file, 'is not an SQLite database (left untouched; choose another path with --db or $VIGIL_DB)');
  }
}

function currentVersion(db: Database.Database, file: string): number {
  const hasTable = db
    .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`)
    .get() as { n: number };
  if (hasTable.n === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
    if (tables.n > 0) throw storeError(file, 'is an SQLite database of another program, not a Vigil alert store (left untouched)');
    return 0;
  }
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function migrate(db: Database.Database, file: string): void {
  const run = db.transaction(() => {
    const from = currentVersion(db, file);
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    if (from > MIGRATIONS.length) {
      throw storeError(file, `was written by a newer Vigil (schema ${from}, this one knows ${MIGRATIONS.length}); upgrade Vigil`);
    }
    const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
    for (let v = from + 1; v <= MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v - 1] ?? '');
      record.run(v, Date.now());
    }
  });
  // IMMEDIATE: two processes opening a fresh file at once must not both try to create the tables
  run.immediate();
}

interface AlertRow {
  id: string;
  json: string;
}

/** Alerts in an SQLite file (WAL mode, so `vigil alerts` can read while `vigil serve` writes). */
export class SqliteAlertStore implements AlertStore, IntelStore {
  private readonly db: Database.Database;
  private closed = false;

  constructor(readonly file: string) {
    prepareFile(file);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { fileMustExist: true, timeout: 5000 });
      // Read-only checks first: switching to WAL already writes to the file header, so a damaged
      // file or another program's database must be rejected before that.
      currentVersion(db, file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
    } catch (err) {
      db?.close();
      if (err instanceof VigilError) throw err;
      throw storeError(file, 'is damaged or not an SQLite database', err);
    }
    this.db = db;
  }

  saveAlerts(alerts: readonly Alert[]): void {
    this.assertOpen();
    if (alerts.length === 0) return;
    const upsert = this.db.prepare(
      `INSERT INTO alerts (id, kind, severity, severity_rank, tenant, first_seen, last_seen, confidence, campaign_id, json)
       VALUES (@id, @kind, @severity, @rank, @tenant, @firstSeen, @lastSeen, @confidence, @campaignId, @json)
       ON CONFLICT (id) DO UPDATE SET
         kind = excluded.kind, severity = excluded.severity, severity_rank = excluded.severity_rank,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen,
         confidence = excluded.confidence, campaign_id = excluded.campaign_id, json = excluded.json
       WHERE alerts.tenant = excluded.tenant`,
    );
    const clearUsers = this.db.prepare('DELETE FROM alert_users WHERE alert_id = ?');
    const clearIps = this.db.prepare('DELETE FROM alert_ips WHERE alert_id = ?');
    const addUser = this.db.prepare('INSERT OR IGNORE INTO alert_users (user_name, alert_id) VALUES (?, ?)');
    const addIp = this.db.prepare('INSERT OR IGNORE INTO alert_ips (ip, alert_id) VALUES (?, ?)');
    const save = this.db.transaction((batch: readonly Alert[]) => {
      for (const a of batch) {
        const json = alertToJson(a);
        // what cannot be read back must not be written: check it with the reader's own schema
        try {
          alertFromJson(json);
        } catch (err) {
          throw new Error(`alert ${a.id} is invalid: ${err instanceof Error ? err.message : String(err)}`);
        }
        // no change: the id is held by another tenant, whose alert must not be replaced
        const saved = upsert.run({
          id: a.id,
          kind: a.kind,
          severity: a.severity,
          rank: SEVERITY_RANK[a.severity],
          tenant: a.tenant,
          firstSeen: Math.trunc(a.firstSeen),
          lastSeen: Math.trunc(a.lastSeen),
          confidence: a.confidence,
          campaignId: a.campaignId ?? null,
          json: JSON.stringify(json),
        });
        if (saved.changes === 0) throw new Error(`alert ${a.id} already belongs to another tenant; nothing was saved`);
        clearUsers.run(a.id);
        clearIps.run(a.id);
        for (const u of a.users) addUser.run(u, a.id);
        for (const ip of a.sourceIps) addIp.run(ip, a.id);
      }
    });
    try {
      save(alerts);
    } catch (err) {
      throw storeError(this.file, 'could not save alerts', err);
    }
  }

  listAlerts(filter: AlertFilter = {}): Alert[] {
    this.assertOpen();
    // Fixed clauses, values only through parameters.
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.id !== undefined) {
      where.push('a.id = ?');
      params.push(filter.id);
    }
    if (filter.tenant !== undefined) {
      where.push('a.tenant = ?');
      params.push(filter.tenant);
    }
    if (filter.kind !== undefined) {
      where.push('a.kind = ?');
      params.push(filter.kind);
    }
    if (filter.minSeverity !== undefined) {
      const rank = SEVERITY_RANK[filter.minSeverity] as number | undefined;
      if (rank === undefined) throw new VigilError('USAGE', `unknown severity "${String(filter.minSeverity)}"`);
      where.push('a.severity_rank >= ?');
      params.push(rank);
    }
    if (filter.user !== undefined) {
      where.push('EXISTS (SELECT 1 FROM alert_users u WHERE u.user_name = ? AND u.alert_id = a.id)');
      params.push(filter.user);
    }
    if (filter.ip !== undefined) {
      where.push('EXISTS (SELECT 1 FROM alert_ips i WHERE i.ip = ? AND i.alert_id = a.id)');
      params.push(filter.ip);
    }
    if (filter.since !== undefined) {
      where.push('a.last_seen >= ?');
      params.push(Math.trunc(filter.since));
    }
    let limit = -1; // SQLite: no limit
    if (filter.limit !== undefined) {
      if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) {
        throw new VigilError('USAGE', `limit must be a whole number >= 0, got ${String(filter.limit)}`);
      }
      limit = filter.limit;
    }
    params.push(limit);
    const sql =
      `SELECT a.id, a.json FROM alerts a` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY a.severity_rank DESC, a.last_seen DESC, a.id ASC LIMIT ?`;
    let rows: AlertRow[];
    try {
      rows = this.db.prepare(sql).all(...params) as AlertRow[];
    } catch (err) {
      throw storeError(this.file, 'could not read alerts', err);
    }
    return rows.map((row) => {
      try {
        return alertFromJson(JSON.parse(row.json) as unknown);
      } catch (err) {
        throw storeError(this.file, `stored alert ${row.id} is damaged`, err);
      }
    });
  }

  replaceIntel(file: string, indicators: readonly Indicator[], addedAt = Date.now()): number {
    this.assertOpen();
    const name = file.trim();
    if (name === '') throw new VigilError('USAGE', 'an intelligence file name is empty');
    const clear = this.db.prepare('DELETE FROM intel_indicators WHERE file = ?');
    const insert = this.db.prepare(
      `INSERT INTO intel_indicators (file, kind, value, source, actors, valid_from, valid_until, ref, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const replace = this.db.transaction((batch: readonly Indicator[]) => {
      clear.run(name);
      const seen = new Set<string>();
      for (const i of batch) {
        const key = indicatorKey(i);
        if (seen.has(key)) continue;
        seen.add(key);
        insert.run(name, i.kind, i.value, i.source, actorsToJson(i.actors), time(i.validFrom), time(i.validUntil), i.ref ?? null, Math.trunc(addedAt));
      }
      return seen.size;
    });
    try {
      return replace(indicators);
    } catch (err) {
      throw storeError(this.file, 'could not save intelligence', err);
    }
  }

  listIntel(): StoredIndicator[] {
    this.assertOpen();
    let rows: IntelRow[];
    try {
      rows = this.db.prepare('SELECT * FROM intel_indicators ORDER BY file, id').all() as IntelRow[];
    } catch (err) {
      throw storeError(this.file, 'could not read intelligence', err);
    }
    const out: StoredIndicator[] = [];
    for (const r of rows) {
      const ind = indicatorFromRow(r);
      if (ind) out.push(ind);
    }
    return out;
  }

  removeIntel(fileOrId: string): number {
    this.assertOpen();
    const byFile = this.db.prepare('DELETE FROM intel_indicators WHERE file = ?').run(fileOrId.trim()).changes;
    if (byFile > 0 || !/^\d{1,15}$/.test(fileOrId.trim())) return byFile;
    return this.db.prepare('DELETE FROM intel_indicators WHERE id = ?').run(Number(fileOrId.trim())).changes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new VigilError('STORE', `${this.file}: the alert store is closed`, this.file);
  }
}
