import type { Alert, AlertKind, Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import type { IngestIssue } from '../ingest/types.js';
import type { ScanSummary } from '../pipeline/types.js';
import type { Campaign } from '../correlate/types.js';

export interface ReportOptions {
  color: boolean;
  /** terminal columns; long text is wrapped to fit (default 80) */
  width?: number;
}

/** What each kind of alert means, in words an IT lead without security training reads at once. */
export const KIND_WORDS: Record<AlertKind, string> = {
  compromise: 'Account signed into by the attacker',
  brute_force: 'Password guessing against one account (brute force)',
  password_spray: 'Password spray (a few passwords tried on many accounts)',
  distributed_spray: 'Password spray from many addresses (low and slow)',
  credential_stuffing: 'Credential stuffing (leaked passwords tried)',
  impossible_travel: 'Sign-ins from places too far apart (impossible travel)',
  anonymizer_signin: 'Sign-in through Tor, a VPN or a proxy',
  mfa_fatigue: 'MFA fatigue (repeated approval requests)',
  legacy_auth: 'Sign-in attempts over old protocols that skip MFA',
  unfamiliar_signin: 'Unfamiliar sign-in',
  intel_match: 'Sign-in attempt from an address on a threat list',
  provider_warning: 'Sign-in flagged by the identity provider',
};

const SHOWN_ISSUES = 10;
const SHOWN_USERS = 5;
const SHOWN_IPS = 3;
const MAX_FIELD = 200;

// ---- text helpers ----

/**
 * Log content reaches the terminal here: drop control characters (escape sequences could rewrite
 * the screen) and bidi overrides (could disguise a name), and cap the length.
 */
export function safeText(s: string, max = MAX_FIELD): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "2020-09-01 12:00 UTC" */
export function formatUtcMinute(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function formatSpan(first: number, last: number): string {
  const a = formatUtcMinute(first);
  if (!Number.isFinite(first) || !Number.isFinite(last) || last - first < 60_000) return a;
  const b = formatUtcMinute(last);
  // same day: "2020-09-01 12:00 to 18:30 UTC"
  const end = a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b;
  return `${a.slice(0, -4)} to ${end} (${formatDuration(last - first)})`;
}

export function formatDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return plural(min, 'minute', 'minutes');
  const h = Math.round(min / 60);
  if (h < 48) return plural(h, 'hour', 'hours');
  return plural(Math.round(h / 24), 'day', 'days');
}

/** "a, b, c and 4 more" */
function listSome(items: readonly string[], shown: number): string {
  const head = items.slice(0, shown).map((s) => safeText(s, 80));
  const rest = items.length - head.length;
  if (rest <= 0) return head.join(', ');
  return `${head.join(', ')} and ${formatCount(rest)} more`;
}

/** Greedy word wrap; the first line follows `first`, the others are indented by `indent`. */
function wrap(text: string, width: number, first: string, indent: string): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
}

function painter(color: boolean): Paint {
  const sgr = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: sgr('1;31'), yellow: sgr('33'), green: sgr('32'), bold: sgr('1') };
}

function paintSeverity(p: Paint, sev: Severity, text: string): string {
  if (sev === 'critical') return p.red(text);
  if (sev === 'high') return p.yellow(text);
  return text;
}

// ---- ordering ----

/** Compromises first, then by severity, then most recent first. */
function alertOrder(a: Alert, b: Alert): number {
  const ca = a.kind === 'compromise' ? 1 : 0;
  const cb = b.kind === 'compromise' ? 1 : 0;
  return cb - ca || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1);
}

function byOrganization(alerts: readonly Alert[]): Array<[string, Alert[]]> {
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) {
    const g = groups.get(a.tenant);
    if (g) g.push(a);
    else groups.set(a.tenant, [a]);
  }
  for (const g of groups.values()) g.sort(alertOrder);
  // organizations whose worst alert is worst come first (each group is sorted, so [0] is its worst)
  return [...groups.entries()].sort(([ta, ga], [tb, gb]) => {
    const wa = ga[0];
    const wb = gb[0];
    if (wa === undefined || wb === undefined) return 0;
    return alertOrder(wa, wb) || gb.length - ga.length || (ta < tb ? -1 : 1);
  });
}

// ---- sections ----

function compromisedUsers(alerts: readonly Alert[]): Set<string> {
  const users = new Set<string>();
  for (const a of alerts) if (a.kind === 'compromise') for (const u of a.users) users.add(`${a.tenant}\u0000${u}`);
  return users;
}

function headline(s: ScanSummary, p: Paint): string[] {
  const orgs = Object.keys(s.tenants).length;
  const compromised = compromisedUsers(s.alerts).size;
  if (compromised > 0) {
    const orgsHit = new Set(s.alerts.filter((a) => a.kind === 'compromise').map((a) => a.tenant)).size;
    const where = orgsHit > 1 ? ` in ${plural(orgsHit, 'organization', 'organizations')}` : '';
    const verb = compromised === 1 ? 'was' : 'were';
    const names = [...compromisedUsers(s.alerts)].map((k) => {
      const [tenant = '', user = ''] = k.split('\u0000');
      return orgsHit > 1 ? `${user} (${tenant})` : user;
    });
    return [
      p.red(`Under attack: ${plural(compromised, 'account', 'accounts')}${where} ${verb} signed into by the attacker.`),
      `Taken over: ${listSome(names, SHOWN_USERS)}. Act now: see "What to do now" below.`,
    ];
  }
  if (s.alerts.length > 0) {
    const users = new Set(s.alerts.flatMap((a) => a.users.map((u) => `${a.tenant}\u0000${u}`))).size;
    const orgsHit = new Set(s.alerts.map((a) => a.tenant)).size;
    const worst = s.alerts.reduce<Severity>((w, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[w] ? a.severity : w), 'low');
    const title = SEVERITY_RANK[worst] >= SEVERITY_RANK.high ? 'Under attack' : 'Suspicious sign-in activity';
    return [
      paintSeverity(
        p,
        worst,
        `${title}: ${plural(s.alerts.length, 'alert', 'alerts')} about ${plural(users, 'account', 'accounts')} in ${plural(orgsHit, 'organization', 'organizations')}.`,
      ),
      'No sign-in by the attacker was found in these logs.',
    ];
  }
  if (s.stats.events === 0) {
    return [`No sign-in events were found in the input (${plural(s.stats.files, 'file', 'files')} read), so nothing could be checked.`];
  }
  let when = '';
  if (s.firstEvent !== undefined && s.lastEvent !== undefined) {
    when = ` between ${formatUtcMinute(s.firstEvent).slice(0, -4)} and ${formatUtcMinute(s.lastEvent)}`;
  }
  return [p.green(`No credential attack found in ${plural(s.stats.events, 'sign-in', 'sign-ins')} from ${plural(orgs, 'organization', 'organizations')}${when}.`)];
}

function alertBlock(a: Alert, p: Paint, width: number): string[] {
  const label = `[${a.severity.toUpperCase()}]`;
  const lines = [`  ${paintSeverity(p, a.severity, `${label} ${KIND_WORDS[a.kind]}`)}`];
  const field = (name: string, value: string): void => {
    lines.push(...wrap(safeText(value, 2000), width, `      ${name.padEnd(10)}`, ' '.repeat(16)));
  };
  if (a.users.length > 0) field('Accounts:', listSome(a.users, SHOWN_USERS));
  if (a.sourceIps.length > 0) {
    const n = plural(a.sourceIps.length, 'address', 'addresses');
    field('From:', a.sourceIps.length === 1 ? safeText(a.sourceIps[0] ?? '', 80) : `${n}, e.g. ${listSome(a.sourceIps, SHOWN_IPS)}`);
  }
  field('When:', formatSpan(a.firstSeen, a.lastSeen));
  const e = a.evidence;
  field('Evidence:', `${plural(e.attempts, 'attempt', 'attempts')}, ${formatCount(e.failures)} failed, ${formatCount(e.successes)} succeeded; confidence ${Math.round(a.confidence * 100)}%`);
  if (a.explanation !== '') field('Why:', a.explanation);
  if (a.actor !== undefined) {
    const aka = a.actor.aliases.length > 0 ? ` (also known as ${listSome(a.actor.aliases, 3)})` : '';
    field('Actor:', `possibly ${a.actor.name}${aka}, confidence ${Math.round(a.actor.confidence * 100)}%`);
  }
  return lines;
}

function actionsOf(alerts: readonly Alert[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of alerts) {
    for (const act of a.actions ?? []) {
      const key = act.trim().toLowerCase();
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      out.push(act.trim());
    }
  }
  return out;
}

function organizationSection(tenant: string, alerts: Alert[], p: Paint, width: number): string[] {
  const comp = alerts.filter((a) => a.kind === 'compromise').length;
  const note = comp > 0 ? `, ${plural(comp, 'compromise', 'compromises')}` : '';
  const lines = [p.bold(`== ${safeText(tenant, 120)}: ${plural(alerts.length, 'alert', 'alerts')}${note} ==`), ''];
  for (const a of alerts) lines.push(...alertBlock(a, p, width), '');
  const actions = actionsOf(alerts);
  if (actions.length > 0) {
    lines.push(`  ${p.bold('What to do now:')}`);
    actions.forEach((act, i) => {
      const n = `${i + 1}.`.padEnd(4);
      lines.push(...wrap(safeText(act, 2000), width, `    ${n}`, ' '.repeat(8)));
    });
    lines.push('');
  }
  return lines;
}

const SHOWN_CAMPAIGNS = 20;

/** One line per campaign of more than one alert (or attributed), widest first; `vigil campaigns` has the detail. */
function campaignSection(campaigns: readonly Campaign[] | undefined, p: Paint, width: number): string[] {
  const shown = (campaigns ?? [])
    .filter((c) => c.alertIds.length > 1 || c.actor !== undefined)
    .sort((a, b) => b.tenants.length - a.tenants.length || b.alertIds.length - a.alertIds.length || a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : 1));
  if (shown.length === 0) return [];
  const lines = [p.bold('Campaigns'), ''];
  for (const c of shown.slice(0, SHOWN_CAMPAIGNS)) {
    const orgs = listSome(c.tenants.map((t) => safeText(t, 80)), 3);
    const who = c.actor
      ? `${c.actor.confidence >= 0.5 ? '' : 'lead: '}${c.actor.name}${c.actor.attackId ? ` (${c.actor.attackId})` : ''}, confidence ${Math.round(c.actor.confidence * 100)}%`
      : 'unattributed';
    const text = `${c.name}: ${orgs}; ${plural(c.sourceIps.count, 'address', 'addresses')}, ${plural(c.alertIds.length, 'alert', 'alerts')}; ${who} [${c.id}]`;
    lines.push(...wrap(safeText(text, 600), width, '  - ', '    '));
  }
  if (shown.length > SHOWN_CAMPAIGNS) lines.push(`  ... and ${formatCount(shown.length - SHOWN_CAMPAIGNS)} more (vigil campaigns lists them all)`);
  lines.push('');
  return lines;
}

function issueLine(i: IngestIssue): string {
  const where = i.line === undefined ? i.file : `${i.file}:${i.line}`;
  return safeText(`${where}: ${i.message}`, 300);
}

function inputSection(s: ScanSummary): string[] {
  const st = s.stats;
  const lines = ['Input'];
  const skipped = st.skippedFiles > 0 ? ` (${formatCount(st.skippedFiles)} skipped)` : '';
  lines.push(`  Files:             ${formatCount(st.files)}${skipped}`);
  lines.push(`  Sign-in events:    ${formatCount(st.events)} from ${plural(st.records, 'record', 'records')}`);
  const formats = Object.entries(st.byFormat).sort(([, a], [, b]) => b - a);
  if (formats.length > 0) {
    lines.push(`  By format:         ${formats.map(([f, n]) => `${safeText(f, 40)} ${formatCount(n)}`).join(', ')}`);
  }
  const orgs = Object.entries(s.tenants).sort(([, a], [, b]) => b - a);
  if (orgs.length > 0) {
    lines.push(`  Organizations:     ${listSome(orgs.map(([t, n]) => `${t} (${formatCount(n)})`), 5)}`);
  }
  if (s.firstEvent !== undefined && s.lastEvent !== undefined) {
    lines.push(`  Time covered:      ${formatSpan(s.firstEvent, s.lastEvent)}`);
  }
  lines.push(`  Malformed records: ${formatCount(st.malformed)}`);
  const records = s.issues.filter((i) => !i.fatal).slice(0, SHOWN_ISSUES);
  for (const i of records) lines.push(`    ${issueLine(i)}`);
  const fatal = s.issues.filter((i) => i.fatal).slice(0, SHOWN_ISSUES);
  // issueCount counts every problem, the listed ones included; the rest are summed up
  const more = s.issueCount - records.length - fatal.length;
  if (more > 0) lines.push(`    ... and ${formatCount(more)} more`);
  if (fatal.length > 0) {
    lines.push('  Skipped files:');
    for (const i of fatal) lines.push(`    ${issueLine(i)}`);
  }
  if ((st.late ?? 0) > 0) {
    // detectors still saw them, a little out of place; a larger --max-lateness puts them in order
    lines.push(`  Out of order:      ${formatCount(st.late ?? 0)} events arrived later than --max-lateness allows`);
  }
  lines.push(`  Scan took:         ${(s.durationMs / 1000).toFixed(1)} s`);
  return lines;
}

/** The terminal report of one scan: headline, alerts by organization with actions, then the input. */
export function renderReport(summary: ScanSummary, opts: ReportOptions): string {
  const p = painter(opts.color);
  const width = Math.max(40, Math.min(opts.width ?? 80, 200));
  const lines: string[] = [...headline(summary, p), ''];
  for (const [tenant, alerts] of byOrganization(summary.alerts)) {
    lines.push(...organizationSection(tenant, alerts, p, width));
  }
  lines.push(...campaignSection(summary.campaigns, p, width));
  lines.push(...inputSection(summary));
  return `${lines.join('\n')}\n`;
}
