/** The evaluation as text tables (terminal) and as JSON (--json). */
import type { Alert } from '../core/types.js';
import type { DatasetRun } from './datasets.js';
import { checkTargets, formatDuration, summarize, type CampaignScore, type Metrics, type TargetResult } from './score.js';
import type { ScenarioRun } from './simulated.js';

export function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const int = (n: number): string => n.toLocaleString('en-US');
const ratio = (a: number, b: number): string => `${a}/${b}`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function actorCell(c: CampaignScore, ran: boolean): string {
  const s = c.attribution;
  const lead = c.attributedWithoutTruth;
  if (!c.actor || !s) return lead ? `— (got ${lead.attributed} ${pct(lead.confidence)})` : '—';
  if (!ran) return `${c.actor}: n/a`;
  if (s.verdict === 'unattributed') return `${c.actor}: unattributed`;
  const by = s.verdict === 'wrong' || s.attributed !== c.actor ? ` as ${s.attributed}` : '';
  return `${c.actor}: ${s.verdict}${by} ${pct(s.confidence ?? 0)}`;
}

/** `3/4 correct (1 wrong, 0 unattributed)`, or n/a when the scan did not attribute */
export function actorSummary(a: Metrics['actor']): string {
  if (!a.attributionRan) return 'n/a — the scan did not group and attribute';
  const unnamed = a.unnamedAttributed > 0 ? `${a.unnamedAttributed} campaign${a.unnamedAttributed === 1 ? '' : 's'} the truth names no actor for attributed anyway` : '';
  if (a.named === 0) return unnamed || 'no campaign with an actor in the ground truth';
  return `${ratio(a.correct, a.named)} correct (${a.wrong} wrong, ${a.unattributed} unattributed)${unnamed ? `; ${unnamed}` : ''}`;
}

function campaignRows(campaigns: CampaignScore[], built: boolean): string[][] {
  return campaigns.map((c) =>
    c.skipped
      ? [c.id, c.kind, 'skipped', '', '', c.skipped, '', '', '', '']
      : [
          c.id,
          c.kind,
          c.detected ? 'yes' : 'NO',
          String(c.matchingAlerts),
          `${c.targetedUsers}/${c.attackerIps}`,
          c.kinds.join(',') + (c.missingExpected.length > 0 ? ` (missing ${c.missingExpected.join(',')})` : ''),
          ratio(c.tenantsAlerted, c.tenants),
          c.ttdMs === undefined ? '—' : `${formatDuration(c.ttdMs)}${c.ttdFromEarlierAlert ? '*' : ''}`,
          c.compromised.length === 0 ? '—' : ratio(c.compromised.filter((x) => x.reported).length, c.compromised.length),
          actorCell(c, built),
        ],
  );
}

export function scenarioSection(r: ScenarioRun, built: boolean): string[] {
  const m = summarize([r.score]);
  const out = [
    `== ${r.name}: ${r.description}`,
    `   ${r.orgs} orgs, ${int(r.users)} users, formats ${r.formats.join(' ')}; ${int(r.events)} events generated, ${int(r.scannedEvents)} read by the scan` +
      `${r.malformed > 0 ? `, ${r.malformed} malformed` : ''} (simulate ${secs(r.simulateMs)}, scan ${secs(r.scanMs)}); ${int(r.score.userDays)} benign user-days`,
  ];
  if (r.score.campaigns.length > 0) {
    out.push(...table(['campaign', 'kind', 'detected', 'alerts', 'accts/ips', 'alert kinds', 'tenants', 'TTD', 'compromised', 'actor'], campaignRows(r.score.campaigns, built)));
    if (r.score.campaigns.some((c) => c.ttdFromEarlierAlert)) out.push('   * only an alert raised before the campaign began (and grown to include it) matched: time to detect unknown');
  }
  out.push(
    `   alerts ${m.alerts}, matching ${m.matchingAlerts}, false ${m.falseAlerts} (${m.falsePer10kUserDays.toFixed(2)} per 10k user-days), precision ${m.precision.toFixed(3)}`,
  );
  if (m.actor.named > 0 || m.actor.unnamedAttributed > 0) out.push(`   actor attributed: ${actorSummary({ ...m.actor, attributionRan: built })}`);
  return out;
}

export function overallSection(m: Metrics): string[] {
  const kinds = Object.entries(m.byCampaignKind).sort(([a], [b]) => a.localeCompare(b));
  const dets = Object.entries(m.byDetector).sort(([a], [b]) => a.localeCompare(b));
  return [
    '== Overall',
    '  by campaign kind',
    ...table(
      ['campaign kind', 'detected', 'recall', 'TTD median', 'TTD max'],
      kinds.map(([k, s]) => [k, ratio(s.detected, s.total), (s.total ? s.detected / s.total : 0).toFixed(2), s.ttdMedianMs === undefined ? '—' : formatDuration(s.ttdMedianMs), s.ttdMaxMs === undefined ? '—' : formatDuration(s.ttdMaxMs)]),
      '    ',
    ),
    '  by detector (alert kind)',
    ...table(
      ['detector', 'alerts', 'matching', 'false', 'precision', 'expected campaigns hit'],
      dets.map(([k, d]) => [k, String(d.alerts), String(d.matching), String(d.falseAlerts), d.alerts ? d.precision.toFixed(3) : '—', d.expectedIn ? ratio(d.detectedExpected, d.expectedIn) : '—']),
      '    ',
    ),
    `  campaigns detected:        ${ratio(m.campaigns.detected, m.campaigns.total)}${m.campaigns.skipped ? ` (${m.campaigns.skipped} skipped by the simulator)` : ''}`,
    `  compromised reported:      ${ratio(m.compromised.reported, m.compromised.total)} as critical compromise`,
    `  false alerts:              ${m.falseAlerts} over ${int(m.userDays)} benign user-days = ${m.falsePer10kUserDays.toFixed(2)} per 10,000`,
    `  alert precision:           ${ratio(m.matchingAlerts, m.alerts)} = ${m.precision.toFixed(3)}`,
    `  actor attributed:          ${actorSummary(m.actor)}`,
  ];
}

export function targetsSection(targets: TargetResult[]): string[] {
  return ['== Targets (issue 3)', ...targets.map((t) => `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`)];
}

export function datasetsSection(runs: DatasetRun[]): string[] {
  if (runs.length === 0) return ['== Real datasets: not found (skipped)'];
  const out = ['== Real datasets'];
  out.push(
    ...table(
      ['folder', 'events', 'alerts', 'by kind'],
      runs.map((r) => [r.folder, int(r.events), String(r.alerts), r.error ? `error: ${r.error}` : Object.entries(r.alertsByKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ')]),
    ),
  );
  const checks = runs.flatMap((r) => r.checks.map((c) => ({ ...c, folder: r.folder })));
  if (checks.length > 0) {
    out.push('  ground truth checks');
    for (const c of checks) out.push(`    ${c.info ? 'info' : c.pass ? 'HIT ' : 'MISS'}  ${c.folder}: ${c.name} → ${c.detail}`);
    const counted = checks.filter((c) => !c.info);
    out.push(`  ${counted.filter((c) => c.pass).length}/${counted.length} checks hit`);
  }
  return out;
}

function alertLine(a: Alert): string {
  const more = (xs: string[], n: number): string => xs.slice(0, n).join(',') + (xs.length > n ? ` +${xs.length - n}` : '');
  return `${a.kind}/${a.severity} tenant ${a.tenant} users [${more(a.users, 4)}] ips [${more(a.sourceIps, 4)}] ${new Date(a.firstSeen).toISOString()}..${new Date(a.lastSeen).toISOString()}`;
}

/** what the lead tunes on: every miss and every false alert, with its scenario */
/** a wrong or missing attribution, with the attribution's own reasons (why it named whom it named) */
function actorProblem(scenario: string, c: CampaignScore): string[] {
  const s = c.attribution;
  if (!s || s.verdict === 'correct') return [];
  const votes = `${s.alertsWithActor} of its ${c.matchingAlerts} alerts` + (s.others.length > 0 ? `; others: ${s.others.map((o) => `${o.name} on ${o.alerts}`).join(', ')}` : '') + `; ${s.alertsUnattributed} unattributed`;
  const grouped = s.grouping.slice(0, 3).map((g) => `          grouped in ${g.id}: ${g.alerts} alerts, ${g.matching} of them this campaign's${g.withCampaigns.length > 0 ? `; merged with ${g.withCampaigns.join(', ')}` : ''}`);
  if (s.verdict === 'unattributed') return [`  ACTOR ${scenario} ${c.id} (${c.kind}): truth ${c.actor}, none of its ${c.matchingAlerts} alerts attributed`, ...grouped];
  return [
    `  ACTOR ${scenario} ${c.id} (${c.kind}): truth ${c.actor}, attributed ${s.attributed} ${pct(s.confidence ?? 0)} on ${votes}`,
    ...(s.reasons ?? []).map((r) => `          because: ${r}`),
    ...grouped,
  ];
}

export function problemsSection(runs: ScenarioRun[], maxFalse = 40, attributionRan = true): string[] {
  const out = ['== Misses and false alerts'];
  for (const r of runs) {
    for (const c of r.score.campaigns) {
      if (c.skipped) {
        out.push(`  SKIP  ${r.name} ${c.id} (${c.kind}): the simulator produced no events (${c.skipped}); fix the scenario`);
        continue;
      }
      if (!c.detected) out.push(`  MISS  ${r.name} ${c.id} (${c.kind}): no alert; ${c.targetedUsers} accounts, ${c.attackerIps} addresses, ${new Date(c.start).toISOString()}..${new Date(c.end).toISOString()}`);
      else if (c.ttdFromEarlierAlert) out.push(`  LATE? ${r.name} ${c.id} (${c.kind}): only an earlier alert grew to include it (${c.kinds.join(',')}); no alert of its own`);
      if (c.detected && c.missingExpected.length > 0) out.push(`  PART  ${r.name} ${c.id} (${c.kind}): expected ${c.missingExpected.join(',')} not raised (got ${c.kinds.join(',')})`);
      for (const x of c.compromised.filter((y) => !y.reported)) out.push(`  MISS  ${r.name} ${c.id}: compromised ${x.account} not reported as critical compromise`);
      if (attributionRan && c.detected) out.push(...actorProblem(r.name, c));
    }
  }
  const falses = runs.flatMap((r) => r.score.falseAlerts.map((a) => ({ r, a })));
  for (const { r, a } of falses.slice(0, maxFalse)) out.push(`  FALSE ${r.name}: ${alertLine(a)}`);
  if (falses.length > maxFalse) out.push(`  … and ${falses.length - maxFalse} more false alerts (see --json)`);
  if (out.length === 1) out.push('  none');
  return out;
}

export interface EvalReport {
  scenarios: (Pick<ScenarioRun, 'name' | 'description' | 'events' | 'orgs' | 'users' | 'formats' | 'simulateMs' | 'scanMs'> & {
    metrics: Metrics;
    campaigns: CampaignScore[];
    falseAlerts: Alert[];
  })[];
  overall: Metrics;
  targets: TargetResult[];
  datasets: DatasetRun[];
  pass: boolean;
}

export function buildReport(runs: ScenarioRun[], datasets: DatasetRun[]): EvalReport {
  const overall = summarize(runs.map((r) => r.score));
  const targets = checkTargets(overall);
  return {
    scenarios: runs.map((r) => ({
      name: r.name,
      description: r.description,
      events: r.events,
      orgs: r.orgs,
      users: r.users,
      formats: r.formats,
      simulateMs: r.simulateMs,
      scanMs: r.scanMs,
      metrics: summarize([r.score]),
      campaigns: r.score.campaigns,
      falseAlerts: r.score.falseAlerts,
    })),
    overall,
    targets,
    datasets,
    pass: targets.every((t) => t.pass),
  };
}

export function renderText(report: EvalReport, runs: ScenarioRun[]): string {
  const built = report.overall.actor.attributionRan;
  const lines: string[] = [];
  for (const r of runs) lines.push(...scenarioSection(r, built), '');
  lines.push(...overallSection(report.overall), '', ...datasetsSection(report.datasets), '', ...problemsSection(runs, 40, built), '', ...targetsSection(report.targets));
  lines.push('', report.pass ? 'RESULT: PASS' : 'RESULT: FAIL');
  return lines.join('\n');
}
