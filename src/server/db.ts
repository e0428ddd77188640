import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';

/**
 * The server's own SQLite file: the ingest journal, its consumer checkpoints and the API tokens.
 * Kept apart from the alert store (whose migrations refuse a file holding other tables).
 * Schema changes, oldest first; never edit a shipped entry, append one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE journal (
     seq         INTEGER PRIMARY KEY AUTOINCREMENT,
     tenant      TEXT NOT NULL,
     tenant_seq  INTEGER NOT NULL,
     batch_id    TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     format      TEXT NOT NULL,
     framing     TEXT NOT NULL,
     raw         TEXT NOT NULL,
     record_key  TEXT
   );
   CREATE UNIQUE INDEX journal_by_tenant_seq ON journal (tenant, tenant_seq);
   CREATE UNIQUE INDEX journal_by_record_key ON journal (tenant, record_key) WHERE record_key IS NOT NULL;
   CREATE INDEX journal_by_batch ON journal (batch_id);
   CREATE TABLE journal_tenants (tenant TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE journal_batches (
     tenant     TEXT NOT NULL,
     idem_key   TEXT NOT NULL,
     body_hash  TEXT NOT NULL,
     batch_id   TEXT NOT NULL,
     response   TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (tenant, idem_key)
   ) WITHOUT ROWID;
   CREATE TABLE journal_consumers (name TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE api_tokens (
     id         TEXT PRIMARY KEY,
     hash       BLOB NOT NULL,
     tenant     TEXT NOT NULL,
     role       TEXT NOT NULL,
     label      TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   ) WITHOUT ROWID;`,
  // 2: what the long-running server keeps besides the journal
  `CREATE TABLE source_checkpoints (
     name       TEXT PRIMARY KEY,   -- a configured source ('graph:contoso', 'syslog:udp', 'tail:/var/log/auth.log')
     state      TEXT NOT NULL,      -- JSON owned by the source: cursor, file offset and inode, delta link...
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE engine_snapshots (
     name       TEXT PRIMARY KEY,   -- 'detect'
     checkpoint INTEGER NOT NULL,   -- journal seq the state includes
     state      BLOB NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE notifier_state (
     name       TEXT PRIMARY KEY,
     state      TEXT NOT NULL,      -- JSON: dedupe marks, held digests
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE api_token_tenants (
     token_id TEXT NOT NULL,
     tenant   TEXT NOT NULL,
     PRIMARY KEY (token_id, tenant)
   ) WITHOUT ROWID;
   CREATE TABLE audit_log (
     id        INTEGER PRIMARY KEY AUTOINCREMENT,
     at        INTEGER NOT NULL,
     token_id  TEXT,                -- who (null: the local CLI)
     action    TEXT NOT NULL,       -- 'token.create', 'intel.add', ...
     tenant    TEXT,
     target    TEXT,
     detail    TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX audit_log_by_at ON audit_log (at);`,
  // 3: one row per message notified, written before the next send (no message twice after a crash)
  `CREATE TABLE notify_sent (
     key        TEXT PRIMARY KEY,   -- alert id, audience, channel, person
     rank       INTEGER NOT NULL,   -- highest severity notified
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // 4: nothing looks records up by batch; the index cost a random B-tree insert per record
  `DROP INDEX IF EXISTS journal_by_batch;`,
];

export type ServerDb = Database.Database;

/**
 * Open (creating when absent) the server database in WAL mode with synchronous=FULL: a commit is
 * on disk before it returns, which is what lets the ingest route answer 2xx only after that.
 */
export function openServerDb(file: string): ServerDb {
  let db: ServerDb | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    db = new Database(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof VigilError) throw err;
    const detail = err instanceof Error ? `: ${err.message}` : '';
    throw new VigilError('STORE', `${file}: cannot open the server database${detail}`, file);
  }
}

function migrate(db: ServerDb): void {
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS server_schema (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const row = db.prepare('SELECT max(version) AS v FROM server_schema').get() as { v: number | null };
    const from = row.v ?? 0;
    if (from > MIGRATIONS.length) {
      throw new VigilError('STORE', `server database schema ${from} is newer than this Vigil (${MIGRATIONS.length}); upgrade Vigil`);
    }
    const record = db.prepare('INSERT INTO server_schema (version, applied_at) VALUES (?, ?)');
    for (let v = from + 1; v <= MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v - 1] ?? '');
      record.run(v, Date.now());
    }
  });
  // IMMEDIATE: two processes opening a fresh file at once must not both create the tables
  run.immediate();
}
