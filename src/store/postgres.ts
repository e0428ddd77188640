import pg from 'pg';
import { VigilError } from '../core/errors.js';
import { SEVERITY_RANK, type Alert } from '../core/types.js';
import { alertFromJson, alertToJson } from '../export/jsonl.js';
import type { Indicator } from '../intel/types.js';
import type { AsyncVigilStore } from './async.js';
import { actorsToJson, indicatorFromRow, indicatorKey } from './intel-rows.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type { AlertFilter, StoredIndicator } from './types.js';

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

export interface PostgresStoreOptions {
  /**
   * The PostgreSQL schema (namespace) holding Vigil's tables; created when missing. Default: the
   * `schema` parameter of the URL, else the server's default (normally `public`).
   */
  schema?: string;
  /** pool size; default 4 */
  maxConnections?: number;
  /** how long to wait for a connection, ms; default 5000 */
  connectTimeoutMs?: number;
}

/** An unquoted, lower-case SQL identifier: the only schema names accepted, so none needs quoting rules. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A key for pg_advisory_xact_lock: Vigil's migrations of one schema run one at a time. */
const MIGRATION_LOCK = 0x56494731; // "VIG1"

/**
 * The URL as it may be shown: user, host, port and database, never the password or parameters
 * (which may carry `password=` or TLS key paths).
 */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username !== '' ? `${decodeURIComponent(u.username)}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

/** split `?schema=` off the URL: pg would pass unknown parameters on as server settings */
function splitSchema(url: string): { url: string; schema?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VigilError('USAGE', `${redactPostgresUrl(url)}: not a valid PostgreSQL URL`);
  }
  const schema = u.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { url };
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

/** PostgreSQL text cannot hold U+0000; the same stand-in on write and on filter keeps lookups exact */
const text = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);

const time = (t: number | undefined): number | null => (t !== undefined && Number.isFinite(t) ? Math.trunc(t) : null);

/** BIGINT columns arrive as strings (pg keeps 64-bit values exact); epoch ms fit a double */
function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Alerts and intelligence in PostgreSQL (`--db postgres://…`), for `vigil serve` with several
 * writers or a database the organization already runs. Same behaviour as SqliteAlertStore; open
 * it with `PostgresAlertStore.open`, which connects and migrates.
 */
export class PostgresAlertStore implements AsyncVigilStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    /** the URL without its password, for messages */
    readonly label: string,
  ) {}

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresAlertStore> {
    const label = redactPostgresUrl(url);
    const split = splitSchema(url);
    const schema = options.schema ?? split.schema;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new VigilError('USAGE', `${label}: schema "${schema.slice(0, 70)}" must be lower-case letters, digits and _ (at most 63)`);
    }
    const pool = new pg.Pool({
      connectionString: split.url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'vigil',
      // every connection of the pool sees Vigil's schema first (the name is checked above)
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // an idle connection dropped by the server must not crash the process; the next query reports it
    pool.on('error', () => undefined);
    const store = new PostgresAlertStore(pool, schema !== undefined ? `${label} (schema ${schema})` : label);
    try {
      await store.migrate(schema);
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof VigilError) throw err;
      throw store.error('cannot be opened', err);
    }
    return store;
  }

  /** ordered migrations, each recorded in schema_version, all in one transaction under a lock */
  private async migrate(schema: string | undefined): Promise<void> {
    await this.transaction(async (c) => {
      // the lock first: two processes opening one fresh schema would otherwise both create it
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2::text, current_schema())))', [MIGRATION_LOCK, schema ?? null]);
      // the name was checked against SCHEMA_NAME: a plain identifier, safe to splice
      if (schema !== undefined) {
        // only when missing: CREATE SCHEMA needs a privilege an existing schema's user may lack
        const found = await c.query<{ present: boolean }>('SELECT to_regnamespace($1) IS NOT NULL AS present', [schema]);
        if (found.rows[0]?.present !== true) await c.query(`CREATE SCHEMA ${schema}`);
      }
      const tables = await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_name IN ('schema_version', 'alerts', 'intel_indicators')`,
      );
      const names = new Set(tables.rows.map((r) => r.table_name));
      let from = 0;
      if (names.has('schema_version')) {
        const v = await c.query<{ v: number | null }>('SELECT max(version)::int AS v FROM schema_version');
        from = v.rows[0]?.v ?? 0;
      } else if (names.size > 0) {
        // someone else's "alerts" table: never alter it
        throw this.error('holds tables named like Vigil\'s but no schema_version: another program\'s data (left untouched; choose another schema with ?schema=)');
      }
      if (from > POSTGRES_MIGRATIONS.length) {
        throw this.error(`was written by a newer Vigil (schema ${from}, this one knows ${POSTGRES_MIGRATIONS.length}); upgrade Vigil`);
      }
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (let v = from + 1; v <= POSTGRES_MIGRATIONS.length; v++) {
        await c.query(POSTGRES_MIGRATIONS[v - 1] ?? '');
        await c.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [v, Date.now()]);
      }
    });
  }

  async saveAlerts(alerts: readonly Alert[]): Promise<void> {
    this.assertOpen();
    if (alerts.length === 0) return;
    // the last version of an id in one batch wins, as successive upserts would
    const byId = new Map<string, Alert>();
    for (const a of alerts) byId.set(a.id, a);
    const batch = [...byId.values()];
    const cols = {
      id: [] as string[], kind: [] as string[], severity: [] as string[], rank: [] as number[], tenant: [] as string[],
      first: [] as number[], last: [] as number[], confidence: [] as number[], campaign: [] as Array<string | null>, json: [] as string[],
    };
    const users: { user: string[]; id: string[] } = { user: [], id: [] };
    const ips: { ip: string[]; id: string[] } = { ip: [], id: [] };
    for (const a of batch) {
      const json = alertToJson(a);
      // what cannot be read back must not be written: check it with the reader's own schema
      try {
        alertFromJson(json);
      } catch (err) {
        throw this.error('could not save alerts', new Error(`alert ${a.id} is invalid: ${err instanceof Error ? err.message : String(err)}`));
      }
      cols.id.push(text(a.id));
      cols.kind.push(a.kind);
      cols.severity.push(a.severity);
      cols.rank.push(SEVERITY_RANK[a.severity]);
      cols.tenant.push(text(a.tenant));
      cols.first.push(Math.trunc(a.firstSeen));
      cols.last.push(Math.trunc(a.lastSeen));
      cols.confidence.push(a.confidence);
      cols.campaign.push(a.campaignId !== undefined ? text(a.campaignId) : null);
      cols.json.push(JSON.stringify(json));
      for (const u of new Set(a.users.map(text))) {
        users.user.push(u);
        users.id.push(text(a.id));
      }
      for (const ip of new Set(a.sourceIps.map(text))) {
        ips.ip.push(ip);
        ips.id.push(text(a.id));
      }
    }
    try {
      await this.transaction(async (c) => {
        // An id already held by another tenant is not updated (the WHERE), so it is missing from
        // RETURNING: the whole batch is refused rather than letting one tenant's data replace another's.
        const saved = await c.query<{ id: string }>(
          `INSERT INTO alerts (id, kind, severity, severity_rank, tenant, first_seen, last_seen, confidence, campaign_id, json)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::bigint[],
                                $8::double precision[], $9::text[], $10::text[])
           ON CONFLICT (id) DO UPDATE SET
             kind = excluded.kind, severity = excluded.severity, severity_rank = excluded.severity_rank,
             first_seen = excluded.first_seen, last_seen = excluded.last_seen, confidence = excluded.confidence,
             campaign_id = excluded.campaign_id, json = excluded.json
           WHERE alerts.tenant = excluded.tenant
           RETURNING id`,
          [cols.id, cols.kind, cols.severity, cols.rank, cols.tenant, cols.first, cols.last, cols.confidence, cols.campaign, cols.json],
        );
        if (saved.rows.length !== cols.id.length) {
          const done = new Set(saved.rows.map((r) => r.id));
          const clash = cols.id.find((id) => !done.has(id)) ?? '?';
          throw new Error(`alert ${clash} already belongs to another tenant; nothing was saved`);
        }
        await c.query('DELETE FROM alert_users WHERE alert_id = ANY($1::text[])', [cols.id]);
        await c.query('DELETE FROM alert_ips WHERE alert_id = ANY($1::text[])', [cols.id]);
        await c.query('INSERT INTO alert_users (user_name, alert_id) SELECT * FROM unnest($1::text[], $2::text[])', [users.user, users.id]);
        await c.query('INSERT INTO alert_ips (ip, alert_id) SELECT * FROM unnest($1::text[], $2::text[])', [ips.ip, ips.id]);
      });
    } catch (err) {
      throw this.error('could not save alerts', err);
    }
  }

  async listAlerts(filter: AlertFilter = {}): Promise<Alert[]> {
    this.assertOpen();
    // Fixed clauses, values only through numbered parameters.
    const where: string[] = [];
    const params: Array<string | number | null> = [];
    const param = (v: string | number | null): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.id !== undefined) where.push(`a.id = ${param(text(filter.id))}`);
    if (filter.tenant !== undefined) where.push(`a.tenant = ${param(text(filter.tenant))}`);
    if (filter.kind !== undefined) where.push(`a.kind = ${param(text(filter.kind))}`);
    if (filter.minSeverity !== undefined) {
      const rank = SEVERITY_RANK[filter.minSeverity] as number | undefined;
      if (rank === undefined) throw new VigilError('USAGE', `unknown severity "${String(filter.minSeverity)}"`);
      where.push(`a.severity_rank >= ${param(rank)}`);
    }
    if (filter.user !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM alert_users u WHERE u.user_name = ${param(text(filter.user))} AND u.alert_id = a.id)`);
    }
    if (filter.ip !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM alert_ips i WHERE i.ip = ${param(text(filter.ip))} AND i.alert_id = a.id)`);
    }
    if (filter.since !== undefined) {
      if (!Number.isFinite(filter.since)) throw new VigilError('USAGE', `since must be a time, got ${String(filter.since)}`);
      where.push(`a.last_seen >= ${param(Math.trunc(filter.since))}`);
    }
    let limit: number | null = null; // LIMIT NULL: no limit
    if (filter.limit !== undefined) {
      if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) {
        throw new VigilError('USAGE', `limit must be a whole number >= 0, got ${String(filter.limit)}`);
      }
      limit = filter.limit;
    }
    const sql =
      'SELECT a.id, a.json FROM alerts a' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      // COLLATE "C": byte order for ids, as SQLite sorts them, whatever the database's locale
      ` ORDER BY a.severity_rank DESC, a.last_seen DESC, a.id COLLATE "C" ASC LIMIT ${param(limit)}`;
    let rows: Array<{ id: string; json: string }>;
    try {
      rows = (await this.pool.query<{ id: string; json: string }>(sql, params)).rows;
    } catch (err) {
      throw this.error('could not read alerts', err);
    }
    return rows.map((row) => {
      try {
        return alertFromJson(JSON.parse(row.json) as unknown);
      } catch (err) {
        throw this.error(`stored alert ${row.id} is damaged`, err);
      }
    });
  }

  async replaceIntel(file: string, indicators: readonly Indicator[], addedAt = Date.now()): Promise<number> {
    this.assertOpen();
    const name = text(file.trim());
    if (name === '') throw new VigilError('USAGE', 'an intelligence file name is empty');
    const seen = new Set<string>();
    const cols = {
      kind: [] as string[], value: [] as string[], source: [] as string[], actors: [] as string[],
      from: [] as Array<number | null>, until: [] as Array<number | null>, ref: [] as Array<string | null>,
    };
    for (const i of indicators) {
      const key = indicatorKey(i);
      if (seen.has(key)) continue;
      seen.add(key);
      cols.kind.push(i.kind);
      cols.value.push(text(i.value));
      cols.source.push(text(i.source));
      cols.actors.push(text(actorsToJson(i.actors)));
      cols.from.push(time(i.validFrom));
      cols.until.push(time(i.validUntil));
      cols.ref.push(i.ref !== undefined ? text(i.ref) : null);
    }
    try {
      await this.transaction(async (c) => {
        await c.query('DELETE FROM intel_indicators WHERE file = $1', [name]);
        // WITH ORDINALITY keeps the file's order in the ids, as row-by-row inserts would
        await c.query(
          `INSERT INTO intel_indicators (file, kind, value, source, actors, valid_from, valid_until, ref, added_at)
           SELECT $1, k, v, s, a, f, u, r, $9
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[])
                  WITH ORDINALITY AS t(k, v, s, a, f, u, r, n)
            ORDER BY n`,
          [name, cols.kind, cols.value, cols.source, cols.actors, cols.from, cols.until, cols.ref, Math.trunc(addedAt)],
        );
      });
    } catch (err) {
      throw this.error('could not save intelligence', err);
    }
    return seen.size;
  }

  async listIntel(): Promise<StoredIndicator[]> {
    this.assertOpen();
    let rows: Array<Record<string, unknown>>;
    try {
      rows = (await this.pool.query<Record<string, unknown>>('SELECT * FROM intel_indicators ORDER BY file COLLATE "C", id')).rows;
    } catch (err) {
      throw this.error('could not read intelligence', err);
    }
    const out: StoredIndicator[] = [];
    for (const r of rows) {
      const ind = indicatorFromRow({
        id: num(r['id']) ?? 0,
        file: asString(r['file']),
        kind: asString(r['kind']),
        value: asString(r['value']),
        source: asString(r['source']),
        actors: asString(r['actors']),
        valid_from: num(r['valid_from']),
        valid_until: num(r['valid_until']),
        ref: typeof r['ref'] === 'string' ? r['ref'] : null,
        added_at: num(r['added_at']) ?? 0,
      });
      if (ind) out.push(ind);
    }
    return out;
  }

  async removeIntel(fileOrId: string): Promise<number> {
    this.assertOpen();
    const key = text(fileOrId.trim());
    try {
      const byFile = (await this.pool.query('DELETE FROM intel_indicators WHERE file = $1', [key])).rowCount ?? 0;
      if (byFile > 0 || !/^\d{1,15}$/.test(key)) return byFile;
      return (await this.pool.query('DELETE FROM intel_indicators WHERE id = $1', [Number(key)])).rowCount ?? 0;
    } catch (err) {
      throw this.error('could not remove intelligence', err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async transaction<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken = false;
    // a connection lost mid-transaction emits 'error' on the checked-out client, which the pool
    // does not listen to while it is lent out: unheard, it would crash the process
    const onError = (): void => {
      broken = true;
    };
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await body(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await c.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not hand it out again
      }
      throw err;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  private error(what: string, cause?: unknown): VigilError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new VigilError('STORE', `${this.label}: ${what}${detail}`, this.label);
  }

  private assertOpen(): void {
    if (this.closed) throw new VigilError('STORE', `${this.label}: the alert store is closed`, this.label);
  }
}
