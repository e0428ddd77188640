// Child: what an analyst would write in DuckDB: read the sshd log, pull address/account/outcome
// out with regular expressions, flag every address with >= 5 failures in any 600 s window.
// usage: node duckdb-child.mjs <file>
import { DuckDBInstance } from '@duckdb/node-api';

const [file] = process.argv.slice(2);
const t0 = performance.now();
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
// one column per line: a delimiter and quote that never occur in syslog text
const sql = `
WITH lines AS (
  SELECT line FROM read_csv(${lit(file)}, columns = {'line': 'VARCHAR'}, header = false,
    delim = ${lit('\u001f')}, quote = '', escape = '', auto_detect = false)
), parsed AS (
  SELECT
    try_cast(regexp_extract(line, '^(\\S+) ', 1) AS TIMESTAMPTZ) AS ts,
    regexp_extract(line, 'sshd\\[\\d+\\]: (Failed|Accepted) ', 1) AS outcome,
    regexp_extract(line, ' for (invalid user )?(\\S+) from ', 2) AS account,
    regexp_extract(line, ' from ([0-9A-Fa-f:.]+) port ', 1) AS ip
  FROM lines
), failures AS (
  SELECT ip, ts FROM parsed WHERE outcome = 'Failed' AND ip <> '' AND ts IS NOT NULL
), windows AS (
  SELECT ip, count(*) OVER (PARTITION BY ip ORDER BY ts RANGE BETWEEN INTERVAL 600 SECONDS PRECEDING AND CURRENT ROW) AS n
  FROM failures
)
SELECT DISTINCT ip FROM windows WHERE n >= 5 ORDER BY ip`;
const reader = await con.runAndReadAll(sql);
const flaggedIps = reader.getRows().map((r) => String(r[0]));
const ms = performance.now() - t0;
process.stdout.write(`RESULT ${JSON.stringify({ ms, flaggedIps })}\n`);
