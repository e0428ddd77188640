/**
 * PostgreSQL schema changes, oldest first, numbered like SQLite's (sqlite.ts) so one version means
 * the same tables on both. Each runs once, in the transaction that records it in schema_version.
 * Never edit a shipped entry: append a new one.
 *
 * Times are epoch milliseconds (BIGINT); the alert itself is JSON text (not JSONB, which cannot
 * hold the \u0000 escape a hostile log line may carry).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE alerts (
     id            TEXT PRIMARY KEY,
     kind          TEXT NOT NULL,
     severity      TEXT NOT NULL,
     severity_rank INTEGER NOT NULL,
     tenant        TEXT NOT NULL,
     first_seen    BIGINT NOT NULL,
     last_seen     BIGINT NOT NULL,
     confidence    DOUBLE PRECISION NOT NULL,
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
   );
   CREATE INDEX alert_users_by_alert ON alert_users (alert_id);
   CREATE TABLE alert_ips (
     ip       TEXT NOT NULL,
     alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
     PRIMARY KEY (ip, alert_id)
   );
   CREATE INDEX alert_ips_by_alert ON alert_ips (alert_id);`,
  // 2: threat-intelligence indicators imported with `vigil intel add` (actors as a JSON array)
  `CREATE TABLE intel_indicators (
     id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     file        TEXT NOT NULL,
     kind        TEXT NOT NULL,
     value       TEXT NOT NULL,
     source      TEXT NOT NULL,
     actors      TEXT NOT NULL,
     valid_from  BIGINT,
     valid_until BIGINT,
     ref         TEXT,
     added_at    BIGINT NOT NULL
   );
   CREATE INDEX intel_by_file ON intel_indicators (file);`,
];
