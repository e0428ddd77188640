/**
 * Scores one scan's alerts against the simulator's ground truth. Pure functions: no I/O.
 *
 * An alert matches a campaign when its tenant is one of the campaign's organizations, its time span
 * overlaps the campaign (with some slack after the end, for alerts on follow-up use), and it shares a
 * source address with the attacker addresses or an account with the targeted accounts (addresses
 * first: see campaignsOf).
 * An alert matching no campaign is a false alert.
 */
import type { CampaignTruth } from '../simulate/attacks/common.js';
import type { Alert } from '../core/types.js';
import type { ActorCatalog } from '../attribute/catalog.js';
import { ActorNames, scoreActor, unnamedAttribution, type ActorScore, type UnnamedAttribution } from './actor.js';
import { alertUserKey, ipKey, orgOf, tenantIndex, truthUserKey, type OrgAliases } from './keys.js';

const HOUR = 3_600_000;
/** how long after a campaign's last event an alert still counts as about it */
export const DEFAULT_SLACK_MS = 3 * HOUR;

/** The part of a ground-truth campaign (truth.json, written by the simulator) the scoring reads. */
export type TruthCampaign = Pick<
  CampaignTruth,
  'id' | 'kind' | 'actor' | 'tenants' | 'attackerIps' | 'targetedUsers' | 'compromisedUsers' | 'start' | 'end' | 'expectedAlerts' | 'skipped'
>;

/** the parts of truth.json the score reads (src/simulate/truth.ts writes them) */
export interface TruthInput {
  orgs: OrgAliases[];
  campaigns: TruthCampaign[];
  benign: { tenant: string; userDays: number }[];
}

export type { ActorScore, ActorVerdict, UnnamedAttribution } from './actor.js';

export interface CampaignScore {
  id: string;
  kind: string;
  actor?: string;
  /** why the campaign produced no events; such campaigns are not counted */
  skipped?: string;
  start: number;
  end: number;
  detected: boolean;
  matchingAlerts: number;
  /** alert kinds among the matching alerts, sorted */
  kinds: string[];
  expected: string[];
  /** expected kinds no matching alert had */
  missingExpected: string[];
  tenants: number;
  tenantsAlerted: number;
  /** earliest detectedAt (else firstSeen) of a matching alert */
  detectedAt?: number;
  /** detectedAt − start, never below 0 */
  ttdMs?: number;
  /** the first matching alert was raised before the campaign began and grew to include it */
  ttdFromEarlierAlert?: boolean;
  compromised: { account: string; reported: boolean }[];
  /** only when the truth names an actor: was the campaign attributed to it, and how was it grouped? */
  attribution?: ActorScore & { grouping: CampaignGrouping[] };
  /** when the truth names no actor: the actor its alerts carry anyway, if any (a lead to check, not a verdict) */
  attributedWithoutTruth?: UnnamedAttribution;
  attackerIps: number;
  targetedUsers: number;
}

export interface RunScore {
  scenario: string;
  campaigns: CampaignScore[];
  alerts: Alert[];
  falseAlerts: Alert[];
  matchingAlerts: number;
  userDays: number;
}

/** a Vigil campaign holding some of a truth campaign's matching alerts */
export interface CampaignGrouping {
  /** campaignId */
  id: string;
  /** all its alerts in the run */
  alerts: number;
  /** those that matched this truth campaign */
  matching: number;
  /** the other truth campaigns its alerts matched (merged with this one) */
  withCampaigns: string[];
}

interface PreparedCampaign {
  truth: TruthCampaign;
  tenants: Set<string>;
  ips: Set<string>;
  users: Set<string>;
  compromised: Set<string>;
  start: number;
  end: number;
}

function prepare(c: TruthCampaign): PreparedCampaign | undefined {
  const start = c.start ? Date.parse(c.start) : NaN;
  const end = c.end ? Date.parse(c.end) : NaN;
  if (c.skipped || !Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  const users = new Set<string>();
  for (const u of c.targetedUsers) {
    const k = truthUserKey(u);
    if (k) users.add(k);
  }
  return {
    truth: c,
    tenants: new Set(c.tenants.map((t) => t.toLowerCase())),
    ips: new Set(c.attackerIps.map(ipKey)),
    users,
    compromised: new Set(c.compromisedUsers.map(truthUserKey).filter((k): k is string => k !== undefined)),
    start,
    end,
  };
}

/** can this alert be about the campaign at all (its organization, its time)? */
function inScope(alert: Alert, c: PreparedCampaign, domain: string, slackMs: number): boolean {
  return c.tenants.has(domain) && alert.firstSeen <= c.end + slackMs && alert.lastSeen >= c.start;
}

const sharesIp = (alert: Alert, c: PreparedCampaign): boolean => alert.sourceIps.some((ip) => c.ips.has(ipKey(ip)));
const sharesUser = (alert: Alert, c: PreparedCampaign, domain: string): boolean => alert.users.some((u) => c.users.has(alertUserKey(domain, u)));

/**
 * The campaigns (indexes) an alert is about. Addresses decide first: an alert sharing a source
 * address with some campaign in scope belongs to those campaigns only. Otherwise it belongs to the
 * campaigns in scope that targeted one of its accounts (alerts without addresses, or on accounts a
 * campaign reached from addresses the alert does not list). Without the address preference an alert
 * about one campaign would also "detect" every other campaign that happened to target the same account.
 * A compromise alert belongs only to the campaigns that really got into an account it names.
 */
function campaignsOf(alert: Alert, campaigns: readonly (PreparedCampaign | undefined)[], domain: string, slackMs: number): number[] {
  const scope = campaigns.flatMap((c, i) => (c && inScope(alert, c, domain, slackMs) ? [i] : []));
  // a compromise is right only about an account the campaign really got into
  if (alert.kind === 'compromise') return scope.filter((i) => alert.users.some((u) => campaigns[i]!.compromised.has(alertUserKey(domain, u))));
  const byIp = scope.filter((i) => sharesIp(alert, campaigns[i]!));
  if (byIp.length > 0) return byIp;
  return scope.filter((i) => sharesUser(alert, campaigns[i]!, domain));
}

export interface ScoreOptions {
  /** default DEFAULT_SLACK_MS */
  slackMs?: number;
  /** actor names compare by this catalog's ids (aliases); without it by name and aliases only */
  catalog?: ActorCatalog;
}

/** one Vigil campaign (correlation's grouping, `campaignId`) as the score sees it */
interface VigilCampaign {
  alerts: number;
  /** the truth campaigns its alerts matched */
  truth: Set<string>;
}

/**
 * The Vigil campaigns holding a truth campaign's matching alerts, biggest first, with the other
 * truth campaigns grouped into them: attribution judges a whole Vigil campaign, so a spray merged
 * with unrelated attacks is judged on their mixed behaviour.
 */
function groupingOf(truthId: string, own: Alert[], vigil: ReadonlyMap<string, VigilCampaign>): CampaignGrouping[] {
  const here = new Map<string, number>();
  for (const a of own) if (a.campaignId !== undefined) here.set(a.campaignId, (here.get(a.campaignId) ?? 0) + 1);
  return [...here]
    .map(([id, matching]) => {
      const v = vigil.get(id);
      return { id, alerts: v?.alerts ?? matching, matching, withCampaigns: [...(v?.truth ?? [])].filter((t) => t !== truthId).sort() };
    })
    .sort((a, b) => b.alerts - a.alerts || a.id.localeCompare(b.id));
}

function actorFields(truthId: string, truthActor: string | undefined, own: Alert[], names: ActorNames, vigil: ReadonlyMap<string, VigilCampaign>): Pick<CampaignScore, 'attribution' | 'attributedWithoutTruth'> {
  if (truthActor) return { attribution: { ...scoreActor(truthActor, own, names), grouping: groupingOf(truthId, own, vigil) } };
  const lead = unnamedAttribution(own, names);
  return lead ? { attributedWithoutTruth: lead } : {};
}

export function scoreRun(scenario: string, truth: TruthInput, alerts: Alert[], opts: ScoreOptions = {}): RunScore {
  const slackMs = opts.slackMs ?? DEFAULT_SLACK_MS;
  const names = new ActorNames(opts.catalog);
  const index = tenantIndex(truth.orgs);
  const domains = alerts.map((a) => orgOf(a.tenant, index));
  const matched = new Array<boolean>(alerts.length).fill(false);

  // compromised accounts reported: a critical compromise alert naming the account in its tenant
  const reported = new Set<string>();
  alerts.forEach((a, i) => {
    if (a.kind !== 'compromise' || a.severity !== 'critical') return;
    for (const u of a.users) reported.add(alertUserKey(domains[i]!, u));
  });

  const prepared = truth.campaigns.map(prepare);
  const mine: Alert[][] = truth.campaigns.map(() => []);
  const tenantsAlerted = truth.campaigns.map(() => new Set<string>());
  alerts.forEach((a, i) => {
    for (const ci of campaignsOf(a, prepared, domains[i]!, slackMs)) {
      matched[i] = true;
      mine[ci]!.push(a);
      tenantsAlerted[ci]!.add(domains[i]!);
    }
  });
  const vigil = new Map<string, VigilCampaign>();
  alerts.forEach((a) => {
    if (a.campaignId === undefined) return;
    const v = vigil.get(a.campaignId) ?? { alerts: 0, truth: new Set<string>() };
    v.alerts++;
    vigil.set(a.campaignId, v);
  });
  mine.forEach((own, ci) => {
    for (const a of own) if (a.campaignId !== undefined) vigil.get(a.campaignId)?.truth.add(truth.campaigns[ci]!.id);
  });

  const campaigns: CampaignScore[] = truth.campaigns.map((c, ci) => {
    const p = prepared[ci];
    const base = { id: c.id, kind: c.kind, ...(c.actor ? { actor: c.actor } : {}), expected: [...c.expectedAlerts], attackerIps: c.attackerIps.length, targetedUsers: c.targetedUsers.length };
    if (!p) {
      return { ...base, skipped: c.skipped ?? 'no events', start: NaN, end: NaN, detected: false, matchingAlerts: 0, kinds: [], missingExpected: [], tenants: c.tenants.length, tenantsAlerted: 0, compromised: [] };
    }
    const own = mine[ci]!;
    const kinds: string[] = [...new Set(own.map((a) => a.kind))].sort();
    const detectedAt = own.length > 0 ? Math.min(...own.map((a) => a.detectedAt ?? a.firstSeen)) : undefined;
    const compromised = [...new Set(c.compromisedUsers.map(truthUserKey).filter((k): k is string => k !== undefined))].map((account) => ({ account, reported: reported.has(account) }));
    return {
      ...base,
      start: p.start,
      end: p.end,
      detected: own.length > 0,
      matchingAlerts: own.length,
      kinds,
      missingExpected: c.expectedAlerts.filter((k) => !kinds.includes(k)),
      tenants: p.tenants.size,
      tenantsAlerted: tenantsAlerted[ci]!.size,
      ...(detectedAt !== undefined ? { detectedAt, ttdMs: Math.max(0, detectedAt - p.start) } : {}),
      ...(detectedAt !== undefined && detectedAt < p.start ? { ttdFromEarlierAlert: true } : {}),
      compromised,
      ...actorFields(c.id, c.actor, own, names, vigil),
    };
  });
  const falseAlerts = alerts.filter((_, i) => !matched[i]);
  return {
    scenario,
    campaigns,
    alerts,
    falseAlerts,
    matchingAlerts: alerts.length - falseAlerts.length,
    userDays: truth.benign.reduce((s, b) => s + (Number.isFinite(b.userDays) ? b.userDays : 0), 0),
  };
}

export interface KindStats {
  total: number;
  detected: number;
  ttdMedianMs?: number;
  ttdMaxMs?: number;
  /** detected campaigns whose only matching alert predates them (time to detect unknown) */
  ttdUnknown?: number;
}

export interface DetectorStats {
  alerts: number;
  matching: number;
  falseAlerts: number;
  /** matching / alerts (1 when the detector raised nothing) */
  precision: number;
  /** campaigns whose truth lists this kind among the expected alerts */
  expectedIn: number;
  /** of those, how many this detector alerted on */
  detectedExpected: number;
}

export interface Metrics {
  campaigns: { total: number; detected: number; skipped: number };
  byCampaignKind: Record<string, KindStats>;
  byDetector: Record<string, DetectorStats>;
  compromised: { total: number; reported: number };
  alerts: number;
  matchingAlerts: number;
  falseAlerts: number;
  userDays: number;
  falsePer10kUserDays: number;
  precision: number;
  /**
   * campaigns whose truth names an actor, by verdict; attributionRan: the alerts went through
   * campaign grouping and attribution (they carry campaignId); unnamedAttributed: campaigns whose
   * truth names no actor but whose alerts carry one
   */
  actor: { named: number; correct: number; wrong: number; unattributed: number; attributionRan: boolean; unnamedAttributed: number };
}

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(runs: RunScore[]): Metrics {
  const byCampaignKind: Record<string, KindStats> = {};
  const ttds = new Map<string, number[]>();
  const byDetector: Record<string, DetectorStats> = {};
  const det = (k: string): DetectorStats => (byDetector[k] ??= { alerts: 0, matching: 0, falseAlerts: 0, precision: 1, expectedIn: 0, detectedExpected: 0 });
  const m: Metrics = {
    campaigns: { total: 0, detected: 0, skipped: 0 },
    byCampaignKind,
    byDetector,
    compromised: { total: 0, reported: 0 },
    alerts: 0,
    matchingAlerts: 0,
    falseAlerts: 0,
    userDays: 0,
    falsePer10kUserDays: 0,
    precision: 1,
    actor: { named: 0, correct: 0, wrong: 0, unattributed: 0, attributionRan: false, unnamedAttributed: 0 },
  };
  for (const r of runs) {
    m.alerts += r.alerts.length;
    m.matchingAlerts += r.matchingAlerts;
    m.falseAlerts += r.falseAlerts.length;
    m.userDays += r.userDays;
    for (const a of r.alerts) {
      det(a.kind).alerts++;
      if (a.campaignId !== undefined || a.actor) m.actor.attributionRan = true;
    }
    for (const a of r.falseAlerts) det(a.kind).falseAlerts++;
    for (const c of r.campaigns) {
      if (c.skipped) {
        m.campaigns.skipped++;
        continue;
      }
      m.campaigns.total++;
      const ks = (byCampaignKind[c.kind] ??= { total: 0, detected: 0 });
      ks.total++;
      if (c.detected) {
        m.campaigns.detected++;
        ks.detected++;
        const list = ttds.get(c.kind) ?? [];
        if (c.ttdFromEarlierAlert) ks.ttdUnknown = (ks.ttdUnknown ?? 0) + 1;
        else if (c.ttdMs !== undefined) list.push(c.ttdMs);
        ttds.set(c.kind, list);
      }
      for (const k of c.expected) {
        const d = det(k);
        d.expectedIn++;
        if (c.kinds.includes(k)) d.detectedExpected++;
      }
      for (const x of c.compromised) {
        m.compromised.total++;
        if (x.reported) m.compromised.reported++;
      }
      if (c.attribution) {
        m.actor.named++;
        m.actor[c.attribution.verdict]++;
      }
      if (c.attributedWithoutTruth) m.actor.unnamedAttributed++;
    }
  }
  for (const [kind, list] of ttds) {
    const ks = byCampaignKind[kind]!;
    const med = median(list);
    if (med !== undefined) ks.ttdMedianMs = med;
    if (list.length > 0) ks.ttdMaxMs = Math.max(...list);
  }
  for (const d of Object.values(byDetector)) {
    d.matching = d.alerts - d.falseAlerts;
    d.precision = d.alerts === 0 ? 1 : d.matching / d.alerts;
  }
  m.precision = m.alerts === 0 ? 1 : m.matchingAlerts / m.alerts;
  m.falsePer10kUserDays = m.userDays === 0 ? (m.falseAlerts > 0 ? Infinity : 0) : (m.falseAlerts * 10_000) / m.userDays;
  return m;
}

export interface TargetResult {
  name: string;
  pass: boolean;
  detail: string;
}

const MINUTE = 60_000;

/** the targets of issue 3 */
export function checkTargets(m: Metrics): TargetResult[] {
  const ttdTarget = (kind: string, limitMs: number, label: string): TargetResult => {
    const ks = m.byCampaignKind[kind];
    if (!ks || ks.total === 0) return { name: label, pass: false, detail: `no ${kind} campaign was evaluated` };
    const all = ks.detected === ks.total && ks.ttdMaxMs !== undefined;
    const pass = all && ks.ttdMaxMs! <= limitMs;
    const unknown = ks.ttdUnknown ? `; ${ks.ttdUnknown} more found only by an earlier alert (time unknown)` : '';
    const detail = all
      ? `slowest ${formatDuration(ks.ttdMaxMs!)} (limit ${formatDuration(limitMs)})${unknown}`
      : ks.detected < ks.total
        ? `${ks.total - ks.detected} of ${ks.total} never detected`
        : `time to detect unknown for all ${ks.total} (found only by alerts raised before they began)`;
    return { name: label, pass, detail };
  };
  return [
    { name: 'every campaign detected', pass: m.campaigns.total > 0 && m.campaigns.detected === m.campaigns.total, detail: `${m.campaigns.detected}/${m.campaigns.total}` },
    { name: 'every compromised account reported critical', pass: m.compromised.reported === m.compromised.total, detail: `${m.compromised.reported}/${m.compromised.total}` },
    { name: '≤ 1 false alert per 10,000 user-days', pass: m.falsePer10kUserDays <= 1, detail: `${m.falseAlerts} false alerts over ${m.userDays} user-days = ${m.falsePer10kUserDays.toFixed(2)}` },
    { name: 'alert precision ≥ 0.95', pass: m.precision >= 0.95, detail: `${m.matchingAlerts}/${m.alerts} = ${m.precision.toFixed(3)}` },
    ttdTarget('distributed_spray', 120 * MINUTE, 'distributed spray alerted ≤ 2 h after start'),
    ttdTarget('brute_force', 10 * MINUTE, 'brute force alerted ≤ 10 min after start'),
  ];
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h}h${String(min % 60).padStart(2, '0')}m`;
  return `${(min / 1440).toFixed(1)}d`;
}
