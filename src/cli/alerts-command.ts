import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { canonicalIp, normalizeUser } from '../core/normalize.js';
import type { Alert, AlertKind, Severity } from '../core/types.js';
import { ALERT_KINDS, SEVERITIES, alertToJsonLine } from '../export/jsonl.js';
import { openStore } from '../store/open.js';
import type { AlertFilter } from '../store/types.js';
import { defaultDbPath } from './paths.js';
import { formatCount, formatUtcMinute, safeText } from './report.js';

/** Where the command writes; tests pass their own. */
export interface AlertsCommandIo {
  out(text: string): void;
  err(text: string): void;
  /** wall clock for relative --since (24h, 7d) */
  now(): number;
}

interface AlertsFlags {
  db?: string;
  tenant?: string;
  kind?: AlertKind;
  severity?: Severity;
  user?: string;
  ip?: string;
  since?: number;
  limit?: number;
  json?: boolean;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** "24h", "7d", "30m", "2w" back from now, or an ISO 8601 date / date-time. */
export function parseSince(value: string, now: number): number {
  const v = value.trim();
  const rel = /^(\d{1,6})([mhdw])$/.exec(v);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  // a date, optionally with a time; bounded so Date.parse only sees ISO-looking text
  if (v.length <= 40 && /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]{2,18}(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const iso = v.length === 10 ? `${v}T00:00:00Z` : v.replace(' ', 'T');
    // a time without a zone means UTC, as everywhere in Vigil's output
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
    const ms = Date.parse(zoned);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InvalidArgumentError('expected an ISO date or time (2020-09-01, 2020-09-01T12:00:00Z) or an age like 30m, 24h, 7d, 2w');
}

function parseLimit(value: string): number {
  const v = value.trim();
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected a whole number from 1 to 9999999');
  return Number(v);
}

function parseIp(value: string): string {
  const ip = canonicalIp(value);
  if (ip === '') throw new InvalidArgumentError('expected an IPv4 or IPv6 address');
  return ip;
}

function parseUser(value: string): string {
  const u = normalizeUser(value);
  if (u === '') throw new InvalidArgumentError('expected an account name');
  return u;
}

function parseTenant(value: string): string {
  // tenants are stored lower-case (record tenants and --tenant of scan alike)
  const t = value.trim().toLowerCase();
  if (t === '') throw new InvalidArgumentError('expected an organization name');
  return t;
}

/** One alert per line, columns padded to the widest value shown (each capped). */
function renderTable(alerts: readonly Alert[]): string {
  const rows = alerts.map((a) => {
    const users = a.users.length === 0 ? '-' : a.users.length === 1 ? safeText(a.users[0] ?? '', 40) : `${safeText(a.users[0] ?? '', 40)} +${a.users.length - 1}`;
    return [a.severity, formatUtcMinute(a.lastSeen).slice(0, 16), safeText(a.tenant, 30), a.kind, users, formatCount(a.sourceIps.length), safeText(a.id, 40)];
  });
  const header = ['SEVERITY', 'LAST SEEN (UTC)', 'ORGANIZATION', 'KIND', 'ACCOUNTS', 'ADDRESSES', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/**
 * `vigil alerts`: what earlier scans stored. Exit status: 0 (also when nothing is stored yet:
 * a fresh install is not an error, a message on stderr says so); 2 for a bad option value or an
 * unreadable store (thrown to main as CommanderError / VigilError).
 */
export function registerAlertsCommand(program: Command, io: Partial<AlertsCommandIo> = {}): Command {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const now = io.now ?? Date.now;

  return program
    .command('alerts')
    .description('list alerts stored by earlier scans, most severe and most recent first')
    .option('--db <file>', 'SQLite file holding the alerts (default: $VIGIL_DB or the user data directory)')
    .option('--tenant <org>', 'only this organization', parseTenant)
    .addOption(new Option('--kind <kind>', 'only this kind of alert').choices(ALERT_KINDS))
    .addOption(new Option('--severity <level>', 'only alerts at or above this severity').choices(SEVERITIES))
    .option('--user <account>', 'only alerts naming this account (exact, case-insensitive)', parseUser)
    .option('--ip <address>', 'only alerts naming this source address', parseIp)
    .option('--since <when>', 'only alerts active since an ISO time or an age (30m, 24h, 7d, 2w)', (v: string) => parseSince(v, now()))
    .option('--limit <n>', 'at most this many alerts', parseLimit)
    .option('--json', 'one alert per line as JSON')
    .action((flags: AlertsFlags) => {
      const location = flags.db ?? defaultDbPath();
      const isUrl = /^[a-z][a-z0-9+.-]{1,20}:\/\//i.test(location);
      if (!isUrl && !existsSync(location)) {
        err(`no alerts stored yet at ${location} (run vigil scan first)\n`);
        return;
      }
      const filter: AlertFilter = {};
      if (flags.tenant !== undefined) filter.tenant = flags.tenant;
      if (flags.kind !== undefined) filter.kind = flags.kind;
      if (flags.severity !== undefined) filter.minSeverity = flags.severity;
      if (flags.user !== undefined) filter.user = flags.user;
      if (flags.ip !== undefined) filter.ip = flags.ip;
      if (flags.since !== undefined) filter.since = flags.since;
      // one more than asked, to say whether the list was cut
      if (flags.limit !== undefined) filter.limit = flags.limit + 1;

      const store = openStore(location);
      let alerts: Alert[];
      try {
        alerts = store.listAlerts(filter);
      } finally {
        store.close();
      }
      const cut = flags.limit !== undefined && alerts.length > flags.limit;
      if (cut) alerts = alerts.slice(0, flags.limit);

      if (flags.json) {
        out(alerts.map((a) => `${alertToJsonLine(a)}\n`).join(''));
        return;
      }
      if (alerts.length === 0) {
        out('No stored alerts match.\n');
        return;
      }
      out(renderTable(alerts));
      out(`\n${formatCount(alerts.length)} ${alerts.length === 1 ? 'alert' : 'alerts'}${cut ? ' (more match: raise --limit to see them)' : ''}\n`);
    });
}
