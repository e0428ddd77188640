/**
 * `vigil campaigns [paths…]`: scan, group the alerts into campaigns, attribute them, and print each
 * campaign's targets by organization, infrastructure, timeline and attribution (or write JSON,
 * STIX 2.1, ECS or OCSF). The lead wires registerCampaignsCommand into main.ts.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Alert } from '../core/types.js';
import { runScan } from '../pipeline/scan.js';
import { correlate } from '../correlate/correlate.js';
import { ipInfoCollector } from '../correlate/ip-info.js';
import type { Campaign } from '../correlate/types.js';
import { attribute } from '../attribute/attribute.js';
import { DEFAULT_ACTORS_FILE, loadCatalog } from '../attribute/catalog.js';
import { IndicatorMatcher } from '../intel/index.js';
import { loadIntel } from './scan-command.js';
import { defaultDbPath } from './paths.js';
import { campaignsToStix, type Tlp } from '../export/stix.js';
import { alertToEcs } from '../export/ecs.js';
import { alertToOcsf } from '../export/ocsf.js';
import { alertToJson } from '../export/jsonl.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const MAX_ORGS_SHOWN = 15;
const MAX_REASONS_SHOWN = 3;

interface CampaignFlags {
  format?: string;
  tenant?: string;
  tz?: string;
  geoDb?: string[];
  asnDb?: string[];
  torExits?: string[];
  intel?: string[];
  db: string | boolean;
  actors: string;
  json?: boolean;
  stix?: string;
  tlp: Tlp;
  producer?: string;
  ecs?: string;
  ocsf?: string;
  all?: boolean;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** The terminal view of campaigns: biggest first, single-alert ones summarized unless `all`. */
export function renderCampaigns(campaigns: Campaign[], opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  const sorted = [...campaigns].sort((a, b) => b.tenants.length - a.tenants.length || b.alertIds.length - a.alertIds.length || a.firstSeen - b.firstSeen);
  const shown = opts.all ? sorted : sorted.filter((c) => c.alertIds.length > 1 || c.actor);
  lines.push(`${campaigns.length} campaign${campaigns.length === 1 ? '' : 's'} from ${campaigns.reduce((n, c) => n + c.alertIds.length, 0)} alerts`);
  for (const c of shown) {
    lines.push('', `■ ${c.name}  [${c.id}, ${c.severity}]`);
    lines.push(`  timeline: ${day(c.firstSeen)} → ${day(c.lastSeen)} UTC; ${c.alertIds.length} alerts (${c.kinds.join(', ')}); ${c.attempts} attempts, ${c.successes} successful`);
    const orgs = Object.entries(c.usersByTenant).sort((a, b) => b[1].length - a[1].length);
    lines.push(`  targets: ${c.tenants.length} organization(s), ${c.userCount} account(s)`);
    for (const [t, users] of orgs.slice(0, MAX_ORGS_SHOWN)) lines.push(`    ${t}: ${users.length} account(s)`);
    if (orgs.length > MAX_ORGS_SHOWN) lines.push(`    … and ${orgs.length - MAX_ORGS_SHOWN} more`);
    const s = c.anonymizerShare;
    const infra = [`${c.sourceIps.count} address(es)`];
    if (s.tor + s.hosting + s.vpn + s.proxy > 0) infra.push(`Tor ${pct(s.tor)}, hosting ${pct(s.hosting)}, VPN ${pct(s.vpn)}, proxy ${pct(s.proxy)}`);
    if (c.asns.length > 0) infra.push(`top AS: ${c.asns.slice(0, 3).map((a) => `AS${a.asn} (${a.addresses})`).join(', ')}`);
    lines.push(`  infrastructure: ${infra.join('; ')}`);
    if (c.userAgents[0]) lines.push(`  user agent: ${c.userAgents[0].userAgent.slice(0, 120)} (${c.userAgents[0].addresses} addresses)`);
    lines.push(`    e.g. ${c.sourceIps.sample.slice(0, 5).join(', ')}`);
    if (c.actor) {
      lines.push(`  attribution: ${c.actor.name}${c.actor.attackId ? ` (${c.actor.attackId})` : ''}, confidence ${c.actor.confidence}`);
      for (const r of c.actor.reasons.slice(0, MAX_REASONS_SHOWN)) lines.push(`    - ${r}`);
    } else lines.push('  attribution: unattributed');
    if (c.links.length > 0) lines.push(`  grouped because: ${c.links[0]!.reason}${c.links.length > 1 ? ` (+${c.links.length - 1} more links)` : ''}`);
  }
  const hidden = sorted.length - shown.length;
  if (hidden > 0) lines.push('', `${hidden} single-alert campaign(s) not shown (--all to list them)`);
  return `${lines.join('\n')}\n`;
}

export function registerCampaignsCommand(program: Command): void {
  program
    .command('campaigns')
    .description('group the alerts of a scan into campaigns across organizations and attribute them')
    .argument('<paths...>', 'files (plain or .gz), directories, or - for stdin')
    .option('--format <id>', 'force a format instead of detecting it per file')
    .option('--tenant <org>', "organization for records that carry none (default: the account's domain)")
    .option('--tz <zone>', 'time zone of syslog stamps that carry none (IANA name)', 'UTC')
    .option('--geo-db <file>', 'MMDB file; repeatable', collect)
    .option('--asn-db <file>', 'iptoasn.com ip2asn TSV file; repeatable', collect)
    .option('--tor-exits <file>', 'Tor exit list; repeatable', collect)
    .option('--intel <file>', 'threat intelligence for attribution: STIX 2.1 bundle, MISP event JSON or CSV (ip,actor,source); repeatable', collect)
    .option('--db <file>', 'database whose stored indicators (`vigil intel add`) are used (default: the user data directory)')
    .option('--no-db', 'do not use stored indicators')
    .option('--actors <file>', 'actor catalog', DEFAULT_ACTORS_FILE)
    .option('--json', 'write {campaigns, alerts} as JSON to stdout')
    .option('--stix <file>', 'write the campaigns as a STIX 2.1 bundle')
    .addOption(new Option('--tlp <level>', 'TLP marking of the STIX bundle').choices(['white', 'green', 'amber', 'red']).default('amber'))
    .option('--producer <name>', 'your organization, as the STIX producer identity')
    .option('--ecs <file>', 'write the alerts as ECS documents (one per line)')
    .option('--ocsf <file>', 'write the alerts as OCSF Detection Findings (one per line)')
    .option('--all', 'list single-alert campaigns too')
    .action(async (paths: string[], flags: CampaignFlags) => {
      const catalog = loadCatalog(flags.actors);
      const location = flags.db === false ? undefined : typeof flags.db === 'string' ? flags.db : defaultDbPath();
      const { intel, indicators } = await loadIntel(flags.intel ?? [], location, (s) => void process.stderr.write(s));
      const collector = ipInfoCollector();
      const summary = await runScan({
        paths,
        format: flags.format,
        tenant: flags.tenant?.toLowerCase(),
        timeZone: flags.tz,
        enrichment: { geoDbs: flags.geoDb, asnDbs: flags.asnDb, torExits: flags.torExits, intel: intel.lists },
        indicators,
        onEvent: collector.onEvent,
      });
      const result = attribute(correlate(summary.alerts, collector.info), {
        catalog,
        ipInfo: collector.info,
        ...(indicators.length > 0 ? { indicators: new IndicatorMatcher(indicators) } : {}),
      });
      if (flags.stix) {
        const bundle = campaignsToStix(result.campaigns, result.alerts, { tlp: flags.tlp, producer: flags.producer, ipInfo: collector.info });
        writeFileSync(flags.stix, `${JSON.stringify(bundle, null, 2)}\n`);
      }
      if (flags.ecs) writeLines(flags.ecs, result.alerts.map(alertToEcs));
      if (flags.ocsf) writeLines(flags.ocsf, result.alerts.map(alertToOcsf));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ campaigns: result.campaigns.map(campaignJson), alerts: result.alerts.map((a: Alert) => alertToJson(a)) }, null, 2)}\n`);
      } else process.stdout.write(renderCampaigns(result.campaigns, { all: flags.all }));
    });
}

function writeLines(file: string, docs: Array<Record<string, unknown>>): void {
  writeFileSync(file, docs.map((d) => `${JSON.stringify(d)}\n`).join(''));
}

/** times as ISO 8601 in every output */
function campaignJson(c: Campaign): Record<string, unknown> {
  return { ...c, firstSeen: new Date(c.firstSeen).toISOString(), lastSeen: new Date(c.lastSeen).toISOString() };
}
