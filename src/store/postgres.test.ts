import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../../test/support/postgres.js';
import { afterAll, describe, expect, it } from 'vitest';
import { alertStoreSuite } from '../../test/support/store-suite.js';
import { intelStoreSuite } from '../../test/support/intel-suite.js';
import { makeAlert } from '../../test/support/alerts.js';
import { VigilError } from '../core/errors.js';
import { openAsyncStore } from './open.js';
import { POSTGRES_SCHEMA_VERSION, PostgresAlertStore, redactPostgresUrl } from './postgres.js';

/**
 * PostgreSQL backend tests. scripts/ensure-postgres.sh (run by `npm test`) starts or installs a
 * server on 127.0.0.1:5432; each test gets its own schema, dropped afterwards. When no server can
 * be reached the tests are skipped with a message saying so.
 */
const URL_ = TEST_POSTGRES_URL;
const unavailable = await postgresUnavailable();
const suite = unavailable === undefined ? describe : describe.skip;

const admin = unavailable === undefined ? new pg.Pool({ connectionString: URL_, max: 2 }) : undefined;
admin?.on('error', () => undefined);
afterAll(async () => {
  await admin?.end();
});

const newSchema = (): string => `vigil_t_${process.pid}_${randomBytes(5).toString('hex')}`;
const dropSchema = async (schema: string): Promise<void> => {
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
};
async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(schema: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = await admin!.connect();
  try {
    await c.query(`SET search_path TO ${schema}`);
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.query('RESET search_path').catch(() => undefined);
    c.release();
  }
}

async function rejection(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
  throw new Error('expected a VigilError');
}

if (unavailable === undefined) {
  alertStoreSuite('postgres', () => {
    const schema = newSchema();
    return {
      open: () => PostgresAlertStore.open(URL_, { schema }),
      reopen: () => PostgresAlertStore.open(URL_, { schema }),
      cleanup: () => dropSchema(schema),
    };
  });
  intelStoreSuite('postgres', () => {
    const schema = newSchema();
    return {
      open: () => PostgresAlertStore.open(URL_, { schema }),
      reopen: () => PostgresAlertStore.open(URL_, { schema }),
      cleanup: () => dropSchema(schema),
    };
  });
}

suite('PostgreSQL store: opening and migrations', () => {
  it('a fresh schema gets every migration, recorded once each, even when two processes open it at once', async () => {
    const schema = newSchema();
    try {
      const [a, b] = await Promise.all([PostgresAlertStore.open(URL_, { schema }), PostgresAlertStore.open(URL_, { schema })]);
      await a.saveAlerts([makeAlert({ id: 'one' })]);
      expect((await b.listAlerts()).map((x) => x.id)).toEqual(['one']);
      await Promise.all([a.close(), b.close()]);
      const versions = await sql<{ version: number }>(schema, 'SELECT version FROM schema_version ORDER BY version');
      expect(versions.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
      expect(POSTGRES_SCHEMA_VERSION).toBe(2);
    } finally {
      await dropSchema(schema);
    }
  });

  it('an alert store of schema 1 gains the intelligence table on opening, alerts kept', async () => {
    const schema = newSchema();
    try {
      const first = await PostgresAlertStore.open(URL_, { schema });
      await first.saveAlerts([makeAlert({ id: 'kept' })]);
      await first.close();
      await sql(schema, 'DROP TABLE intel_indicators');
      await sql(schema, 'DELETE FROM schema_version WHERE version > 1');
      const s = await PostgresAlertStore.open(URL_, { schema });
      expect(await s.replaceIntel('a.json', [{ kind: 'ip', value: '198.51.100.1', actors: [], source: 'a.json' }])).toBe(1);
      expect((await s.listAlerts()).map((a) => a.id)).toEqual(['kept']);
      await s.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it('refuses a schema written by a newer Vigil', async () => {
    const schema = newSchema();
    try {
      await (await PostgresAlertStore.open(URL_, { schema })).close();
      await sql(schema, 'INSERT INTO schema_version (version, applied_at) VALUES (999, 0)');
      const err = await rejection(PostgresAlertStore.open(URL_, { schema }));
      expect(err.code).toBe('STORE');
      expect(err.message).toContain('newer Vigil');
    } finally {
      await dropSchema(schema);
    }
  });

  it("refuses another program's tables named like Vigil's and leaves them untouched", async () => {
    const schema = newSchema();
    try {
      await admin!.query(`CREATE SCHEMA ${schema}`);
      await sql(schema, 'CREATE TABLE alerts (photo TEXT)');
      await sql(schema, "INSERT INTO alerts VALUES ('cat.jpg')");
      const err = await rejection(PostgresAlertStore.open(URL_, { schema }));
      expect(err.code).toBe('STORE');
      expect(err.message).toContain("another program's data");
      expect(await sql(schema, 'SELECT photo FROM alerts')).toEqual([{ photo: 'cat.jpg' }]);
      const tables = await sql<{ table_name: string }>(schema, 'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()');
      expect(tables.map((t) => t.table_name)).toEqual(['alerts']);
    } finally {
      await dropSchema(schema);
    }
  });

  it('openAsyncStore opens a postgres:// URL, with ?schema= choosing the schema', async () => {
    const schema = newSchema();
    try {
      const s = await openAsyncStore(`${URL_}?schema=${schema}`);
      await s.saveAlerts([makeAlert({ id: 'via-url', tenant: 'fabrikam.org' })]);
      await s.close();
      expect(await sql(schema, 'SELECT id, tenant FROM alerts')).toEqual([{ id: 'via-url', tenant: 'fabrikam.org' }]);
    } finally {
      await dropSchema(schema);
    }
  });

  it('reports a damaged stored alert by id', async () => {
    const schema = newSchema();
    try {
      const s = await PostgresAlertStore.open(URL_, { schema });
      await s.saveAlerts([makeAlert({ id: 'hurt' })]);
      await sql(schema, `UPDATE alerts SET json = replace(json, '"failures":40', '"failures":"many"') WHERE id = 'hurt'`);
      const err = await rejection(s.listAlerts());
      await s.close();
      expect(err.code).toBe('STORE');
      expect(err.message).toContain('hurt');
      expect(err.message).toContain('evidence.failures');
    } finally {
      await dropSchema(schema);
    }
  });

  it('a damaged intelligence row (unknown kind, broken actor JSON) does not break listing', async () => {
    const schema = newSchema();
    try {
      const s = await PostgresAlertStore.open(URL_, { schema });
      await s.replaceIntel('a.json', [{ kind: 'ip', value: '198.51.100.1', actors: [], source: 'a.json' }]);
      await sql(schema, "INSERT INTO intel_indicators (file, kind, value, source, actors, added_at) VALUES ('a.json', 'ip', '198.51.100.9', 'x', '{not json', 0)");
      await sql(schema, "INSERT INTO intel_indicators (file, kind, value, source, actors, added_at) VALUES ('a.json', 'weird', '1', 'x', '[]', 0)");
      const all = await s.listIntel();
      await s.close();
      expect(all.map((i) => [i.value, i.actors])).toEqual([
        ['198.51.100.1', []],
        ['198.51.100.9', []],
      ]);
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('PostgreSQL store: bad locations', () => {
  it('an unreachable server is a STORE error that names the server but never the password', async () => {
    // port 9 (discard) on loopback: nothing listens, the connection is refused at once
    const err = await rejection(openAsyncStore('postgres://vigil:s3cr3t-pw@127.0.0.1:9/vigil?sslpassword=alsosecret'));
    expect(err.code).toBe('STORE');
    expect(err.message).toContain('postgres://vigil@127.0.0.1:9/vigil');
    expect(err.message).not.toContain('s3cr3t-pw');
    expect(err.message).not.toContain('alsosecret');
  });

  it('a schema name that is not a plain identifier is refused before connecting', async () => {
    const err = await rejection(PostgresAlertStore.open('postgres://u:pw@127.0.0.1:9/db', { schema: 'x; DROP SCHEMA public' }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain('schema');
    expect(err.message).not.toContain(':pw@');
    const viaUrl = await rejection(openAsyncStore('postgres://127.0.0.1:9/db?schema=Bad-Name'));
    expect(viaUrl.code).toBe('USAGE');
  });

  it('redactPostgresUrl keeps user, host, port and database only', () => {
    expect(redactPostgresUrl('postgresql://admin:hunter2@db.internal:6543/vigil?sslmode=require&password=x')).toBe('postgresql://admin@db.internal:6543/vigil');
    expect(redactPostgresUrl('postgres://')).not.toContain('undefined');
    expect(redactPostgresUrl('not a url')).toBe('postgres://(unreadable URL)');
  });
});
