import { Command, InvalidArgumentError, Option } from 'commander';
import type { Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { runScan } from '../pipeline/scan.js';
import { PARSERS } from '../formats/registry.js';
import { alertToJsonLine } from '../export/jsonl.js';
import { openStore } from '../store/open.js';
import { defaultDbPath } from './paths.js';
import { renderReport } from './report.js';
import { createProgress } from './progress.js';
import { splitIntelInputs } from '../intel/inputs.js';
import type { Indicator } from '../intel/types.js';
import { DEFAULT_ACTORS_FILE, loadCatalog } from '../attribute/catalog.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function parseFailOn(v: string): Severity | 'none' {
  if (v === 'none' || v in SEVERITY_RANK) return v as Severity | 'none';
  throw new InvalidArgumentError('expected one of: low, medium, high, critical, none');
}

function parseYear(v: string): number {
  const y = Number(v);
  if (!/^\d{4}$/.test(v) || y < 1990 || y > 2100) throw new InvalidArgumentError('expected a year like 2024');
  return y;
}

function parseWorkers(v: string): number {
  const n = Number(v);
  if (!/^\d{1,3}$/.test(v) || n < 1 || n > 64) throw new InvalidArgumentError('expected a number of threads from 1 to 64');
  return n;
}

function parseDuration(v: string): number {
  const m = /^(\d{1,6})(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected a duration like 15m, 2h or 1d');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

interface ScanFlags {
  format?: string;
  tenant?: string;
  tz?: string;
  year?: number;
  geoDb?: string[];
  asnDb?: string[];
  torExits?: string[];
  intel?: string[];
  defaultGeo: boolean;
  json?: boolean;
  db: string | boolean;
  failOn: Severity | 'none';
  maxLateness?: number;
  workers?: number;
  color: boolean;
  campaigns: boolean;
  actors: string;
}

/**
 * The --intel files (plain IP lists for enrichment; STIX / MISP / CSV indicators) plus the
 * indicators stored with `vigil intel add` in the database at `location` (none when undefined).
 */
export async function loadIntel(
  files: string[],
  location: string | undefined,
  errOut: (s: string) => void,
): Promise<{ intel: Awaited<ReturnType<typeof splitIntelInputs>>; indicators: Indicator[] }> {
  const intel = await splitIntelInputs(files);
  for (const p of intel.problems) errOut(`vigil: intel: ${p}\n`);
  const indicators: Indicator[] = [...intel.indicators];
  if (location !== undefined) {
    const store = openStore(location);
    try {
      for (const i of store.listIntel()) indicators.push(i);
    } finally {
      store.close();
    }
  }
  return { intel, indicators };
}

/** `vigil scan [paths…]`: read sign-in logs, print what was found, store the alerts. */
export interface ScanCommandIo {
  out(text: string): void;
  err(text: string): void;
}

export function registerScanCommand(program: Command, io: Partial<ScanCommandIo> = {}): void {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const errOut = io.err ?? ((s: string) => void process.stderr.write(s));
  const formats = PARSERS.map((p) => p.id);
  program
    .command('scan')
    .description('scan sign-in log files, directories or stdin (-) for credential attacks')
    .argument('<paths...>', 'files (plain or .gz), directories, or - for stdin')
    .addOption(new Option('--format <id>', 'force a format instead of detecting it per file').choices(formats))
    .option('--tenant <org>', 'organization for records that carry none (default: the account\'s domain)')
    .option('--tz <zone>', 'time zone of syslog stamps that carry none (IANA name)', 'UTC')
    .option('--year <yyyy>', "year of syslog stamps that carry none (default: from the file's date)", parseYear)
    .option('--geo-db <file>', 'MMDB file (GeoLite2, IPinfo, ip-location-db); repeatable', collect)
    .option('--asn-db <file>', 'iptoasn.com ip2asn TSV file; repeatable', collect)
    .option('--tor-exits <file>', 'Tor exit list (bulk list or exit-addresses); repeatable', collect)
    .option('--intel <file>', 'IP/CIDR list, or threat intelligence (STIX 2.1 bundle, MISP event JSON, CSV with an ip,actor,source header); repeatable', collect)
    .option('--no-default-geo', 'do not use the bundled ASN/country data')
    .option('--json', 'write one alert per line (JSON) to stdout instead of the report')
    .option('--db <file>', 'SQLite file for alerts (default: the user data directory)')
    .option('--no-db', 'do not store alerts nor use the indicators stored with `vigil intel add`')
    .option('--no-campaigns', 'do not group alerts into campaigns nor attribute them')
    .option('--actors <file>', 'actor catalog for attribution', DEFAULT_ACTORS_FILE)
    .option('--fail-on <severity>', 'exit 1 when an alert at or above this severity is found (or none)', parseFailOn, 'high')
    .option('--max-lateness <duration>', 'how far out of order events may be within one input', parseDuration)
    .option('--workers <n>', 'threads: with n >= 2, n - 1 threads read and parse files while one detects (same alerts)', parseWorkers)
    .option('--no-color', 'no colors in the report')
    .action(async (paths: string[], flags: ScanFlags) => {
      const location = flags.db === false ? undefined : typeof flags.db === 'string' ? flags.db : defaultDbPath();
      const catalog = flags.campaigns ? loadCatalog(flags.actors) : undefined;
      const { intel, indicators } = await loadIntel(flags.intel ?? [], location, errOut);
      const progress = flags.json ? undefined : createProgress(process.stderr);
      const summary = await runScan({
        paths,
        format: flags.format,
        tenant: flags.tenant?.toLowerCase(),
        timeZone: flags.tz,
        year: flags.year,
        latenessMs: flags.maxLateness,
        workers: flags.workers,
        enrichment: {
          geoDbs: flags.geoDb,
          asnDbs: flags.asnDb,
          torExits: flags.torExits,
          intel: intel.lists,
          bundled: flags.defaultGeo,
        },
        indicators,
        campaigns: catalog ? { catalog } : false,
        onProgress: progress ? (file, bytes, total) => progress.update(file, bytes, total) : undefined,
        onEvent: progress ? () => progress.event() : undefined,
      });
      progress?.done();

      // store first: what is found is kept even if printing fails
      if (location !== undefined) {
        const store = openStore(location);
        try {
          store.saveAlerts(summary.alerts);
        } finally {
          store.close();
        }
      }
      if (flags.json) {
        for (const a of summary.alerts) out(`${alertToJsonLine(a)}\n`);
        for (const i of summary.issues) errOut(`${i.file}${i.line !== undefined ? `:${i.line}` : ''}: ${i.message}\n`);
        if (summary.issueCount > summary.issues.length) errOut(`... and ${summary.issueCount - summary.issues.length} more input problems\n`);
      } else {
        const color = flags.color && process.stdout.isTTY === true && !process.env['NO_COLOR'];
        out(renderReport(summary, { color, width: process.stdout.columns }));
      }
      const threshold = flags.failOn === 'none' ? Infinity : SEVERITY_RANK[flags.failOn];
      if (summary.alerts.some((a) => SEVERITY_RANK[a.severity] >= threshold)) process.exitCode = 1;
      else if (summary.stats.skippedFiles > 0 || summary.stats.files === 0) process.exitCode = 2;
    });
}

export { VigilError };
