import pg from 'pg';
import { redactPostgresUrl } from '../../src/store/postgres.js';

/** The PostgreSQL the tests use: VIGIL_TEST_POSTGRES_URL, else the local server scripts/ensure-postgres.sh starts. */
export const TEST_POSTGRES_URL = process.env['VIGIL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Why PostgreSQL cannot be used, or undefined when it answers. When it cannot, a
 * `PostgreSQL tests SKIPPED: …` line says so (the tests skip; they never fail for it).
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    console.warn(`PostgreSQL tests SKIPPED: no server at ${redactPostgresUrl(TEST_POSTGRES_URL)} (${why}); run scripts/ensure-postgres.sh`);
    return why;
  } finally {
    await c.end().catch(() => undefined);
  }
}
