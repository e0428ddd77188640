import { describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.js';
import { makeAlert } from '../../test/support/alerts.js';
import { loadCatalog } from '../attribute/catalog.js';
import { actorSummary, buildReport, renderText } from './report.js';
import { checkTargets, formatDuration, median, scoreRun, summarize, type TruthInput } from './score.js';
import type { ScenarioRun } from './simulated.js';

const T0 = Date.parse('2024-03-04T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number): string => new Date(ms).toISOString();

// two organizations; org2 logs through sshd, whose tenant is the host name and users bare logins
const truth: TruthInput = {
  orgs: [
    { domain: 'org1.example', tenantAliases: ['org1.example', '997328ac-354e-48e0-8076-4671c6cac59b', 'c0f01ea9f'] },
    { domain: 'org2.example', tenantAliases: ['org2.example', 'org2-gw01'] },
  ],
  campaigns: [
    {
      id: 'spray', kind: 'distributed_spray', actor: 'APT28', tenants: ['org1.example', 'org2.example'],
      attackerIps: ['185.220.101.1', '185.220.101.2'],
      targetedUsers: ['org1.example|alice@org1.example', 'org1.example|bob@org1.example', 'org2.example|cgreen'],
      compromisedUsers: ['org1.example|alice@org1.example', 'org2.example|cgreen'],
      start: iso(T0), end: iso(T0 + 10 * HOUR), expectedAlerts: ['distributed_spray', 'compromise'],
    },
    {
      id: 'brute', kind: 'brute_force', tenants: ['org1.example'], attackerIps: ['198.51.100.9'],
      targetedUsers: ['org1.example|dave@org1.example'], compromisedUsers: [],
      start: iso(T0 + 20 * HOUR), end: iso(T0 + 21 * HOUR), expectedAlerts: ['brute_force'],
    },
    { id: 'mfa', kind: 'mfa_fatigue', tenants: [], attackerIps: [], targetedUsers: [], compromisedUsers: [], expectedAlerts: ['mfa_fatigue'], skipped: 'no organization whose log shows MFA prompts' },
  ],
  benign: [
    { tenant: 'org1.example', userDays: 15_000 },
    { tenant: 'org2.example', userDays: 5_000 },
  ],
};

const alert = (id: string, over: Partial<Alert>): Alert => makeAlert({ id, tenant: 'org1.example', firstSeen: T0 + HOUR, lastSeen: T0 + 2 * HOUR, ...over });

describe('scoreRun', () => {
  it('matches an alert by tenant alias, shared address and time, and measures time to detect from the campaign start', () => {
    const a = alert('a1', { kind: 'distributed_spray', tenant: '997328AC-354E-48E0-8076-4671C6CAC59B', users: ['x@org1.example'], sourceIps: ['185.220.101.2'], detectedAt: T0 + 95 * MIN });
    const s = scoreRun('t', truth, [a]);
    const spray = s.campaigns.find((c) => c.id === 'spray')!;
    expect(spray.detected).toBe(true);
    expect(spray.ttdMs).toBe(95 * MIN);
    expect(spray.kinds).toEqual(['distributed_spray']);
    expect(spray.missingExpected).toEqual(['compromise']);
    expect(spray.tenantsAlerted).toBe(1);
    expect(spray.tenants).toBe(2);
    expect(s.falseAlerts).toEqual([]);
  });

  it('matches a bare sshd login under the host-name tenant against the truth account', () => {
    const a = alert('a2', { kind: 'brute_force', tenant: 'org2-gw01', users: ['CGreen'], sourceIps: ['10.0.0.5'] });
    const spray = scoreRun('t', truth, [a]).campaigns.find((c) => c.id === 'spray')!;
    expect(spray.detected).toBe(true);
    expect(spray.tenantsAlerted).toBe(1);
  });

  it('counts an alert in another tenant, outside the campaign time, or sharing nothing as false', () => {
    const wrongTenant = alert('f1', { tenant: 'org3.example', sourceIps: ['185.220.101.1'] });
    const tooLate = alert('f2', { sourceIps: ['185.220.101.1'], firstSeen: T0 + 14 * HOUR, lastSeen: T0 + 15 * HOUR });
    const unrelated = alert('f3', { kind: 'impossible_travel', users: ['erin@org1.example'], sourceIps: ['165.225.12.105'] });
    const s = scoreRun('t', truth, [wrongTenant, tooLate, unrelated]);
    expect(s.falseAlerts.map((a) => a.id)).toEqual(['f1', 'f2', 'f3']);
    expect(s.campaigns.every((c) => !c.detected)).toBe(true);
  });

  it('allows a few hours of slack after the campaign end', () => {
    const late = alert('l', { sourceIps: ['185.220.101.1'], firstSeen: T0 + 12 * HOUR, lastSeen: T0 + 12 * HOUR });
    expect(scoreRun('t', truth, [late]).falseAlerts).toEqual([]);
  });

  it('gives an alert that shares an address with one campaign only to that campaign, not to others that targeted its accounts', () => {
    const both = structuredClone(truth);
    both.campaigns[1]!.start = iso(T0);
    both.campaigns[1]!.targetedUsers.push('org1.example|alice@org1.example');
    const a = alert('a', { kind: 'brute_force', users: ['alice@org1.example'], sourceIps: ['198.51.100.9'] });
    const s = scoreRun('t', both, [a]);
    expect(s.campaigns.find((c) => c.id === 'brute')!.detected).toBe(true);
    expect(s.campaigns.find((c) => c.id === 'spray')!.detected).toBe(false);
  });

  it('reports a compromised account only for a critical compromise alert naming it in the right tenant', () => {
    const notCritical = alert('c1', { kind: 'compromise', severity: 'high', users: ['alice@org1.example'], sourceIps: ['185.220.101.1'] });
    const wrongTenant = alert('c2', { kind: 'compromise', severity: 'critical', tenant: 'org2-gw01', users: ['alice'], sourceIps: ['185.220.101.1'] });
    const right = alert('c3', { kind: 'compromise', severity: 'critical', tenant: 'org2-gw01', users: ['cgreen'], sourceIps: ['185.220.101.1'] });
    const spray = (alerts: Alert[]) => scoreRun('t', truth, alerts).campaigns.find((c) => c.id === 'spray')!.compromised;
    expect(spray([notCritical, wrongTenant])).toEqual([
      { account: 'org1.example|alice', reported: false },
      { account: 'org2.example|cgreen', reported: false },
    ]);
    expect(spray([right]).filter((x) => x.reported).map((x) => x.account)).toEqual(['org2.example|cgreen']);
  });

  it('counts a compromise alert on an account the campaign never got into as false, even from its address', () => {
    const s = scoreRun('t', truth, [alert('c', { kind: 'compromise', severity: 'critical', users: ['bob@org1.example'], sourceIps: ['185.220.101.1'] })]);
    expect(s.falseAlerts.map((a) => a.id)).toEqual(['c']);
  });

  it('keeps skipped campaigns out of the totals and sums benign user-days', () => {
    const s = scoreRun('t', truth, []);
    expect(s.campaigns.find((c) => c.id === 'mfa')!.skipped).toMatch(/MFA/);
    expect(s.userDays).toBe(20_000);
    const m = summarize([s]);
    expect(m.campaigns).toEqual({ total: 2, detected: 0, skipped: 1 });
    expect(m.compromised).toEqual({ total: 2, reported: 0 });
  });

  it('flags a time to detect that comes from an alert raised before the campaign began', () => {
    const early = alert('e', { kind: 'distributed_spray', sourceIps: ['185.220.101.1'], firstSeen: T0 - 5 * HOUR, lastSeen: T0 + HOUR, detectedAt: T0 - 4 * HOUR });
    const spray = scoreRun('t', truth, [early]).campaigns.find((c) => c.id === 'spray')!;
    expect(spray.ttdMs).toBe(0);
    expect(spray.ttdFromEarlierAlert).toBe(true);
  });
});

describe('summarize and targets', () => {
  const good = [
    alert('s', { kind: 'distributed_spray', sourceIps: ['185.220.101.1'], detectedAt: T0 + 90 * MIN }),
    // the compromises come after the spray alert: the earliest matching alert sets the time to detect
    alert('c1', { kind: 'compromise', severity: 'critical', users: ['alice@org1.example'], sourceIps: ['185.220.101.1'], firstSeen: T0 + 3 * HOUR, lastSeen: T0 + 3 * HOUR }),
    alert('c2', { kind: 'compromise', severity: 'critical', tenant: 'org2-gw01', users: ['cgreen'], sourceIps: ['185.220.101.2'], firstSeen: T0 + 4 * HOUR, lastSeen: T0 + 4 * HOUR }),
    alert('b', { kind: 'brute_force', users: ['dave@org1.example'], sourceIps: ['198.51.100.9'], firstSeen: T0 + 20 * HOUR, lastSeen: T0 + 21 * HOUR, detectedAt: T0 + 20 * HOUR + 4 * MIN }),
  ];

  it('computes recall, precision, false alerts per 10,000 user-days and time-to-detect per kind', () => {
    const falseOne = alert('f', { kind: 'impossible_travel', users: ['erin@org1.example'], sourceIps: ['165.225.12.105'] });
    const m = summarize([scoreRun('t', truth, [...good, falseOne])]);
    expect(m.campaigns.detected).toBe(2);
    expect(m.byCampaignKind.distributed_spray).toEqual({ total: 1, detected: 1, ttdMedianMs: 90 * MIN, ttdMaxMs: 90 * MIN });
    expect(m.byCampaignKind.brute_force!.ttdMaxMs).toBe(4 * MIN);
    expect(m.falseAlerts).toBe(1);
    expect(m.falsePer10kUserDays).toBeCloseTo(0.5); // 1 over 20,000 user-days
    expect(m.precision).toBeCloseTo(4 / 5);
    expect(m.byDetector.impossible_travel).toMatchObject({ alerts: 1, falseAlerts: 1, precision: 0 });
    expect(m.byDetector.compromise).toMatchObject({ alerts: 2, matching: 2, expectedIn: 1, detectedExpected: 1 });
    expect(m.actor).toEqual({ named: 1, correct: 0, wrong: 0, unattributed: 1, attributionRan: false, unnamedAttributed: 0 });
    const failed = checkTargets(m).filter((t) => !t.pass).map((t) => t.name);
    expect(failed).toEqual(['alert precision ≥ 0.95']);
  });

  it('fails the brute-force target past 10 minutes and the compromise target on a missed account', () => {
    const slow = good.map((a) => (a.id === 'b' ? { ...a, detectedAt: T0 + 20 * HOUR + 11 * MIN } : a)).filter((a) => a.id !== 'c2');
    const t = checkTargets(summarize([scoreRun('t', truth, slow)]));
    expect(t.find((x) => x.name.startsWith('brute force'))).toMatchObject({ pass: false, detail: 'slowest 11m (limit 10m)' });
    expect(t.find((x) => x.name.startsWith('every compromised'))).toMatchObject({ pass: false, detail: '1/2' });
  });

  it('judges actor attribution by the catalog from the alerts that matched the campaign', () => {
    const catalog = loadCatalog();
    // attribution ran: every alert carries a campaign; only the spray's campaign got an actor
    const grouped = good.map((a) => ({ ...a, campaignId: a.id === 'b' ? 'cp-b' : 'cp-s' }));
    const as = (name: string, aliases: string[] = []) => grouped.map((a) => (a.campaignId === 'cp-s' ? { ...a, actor: { name, aliases, confidence: 0.24, reasons: ['behaviour resembles'] } } : a));
    // the truth says APT28; attribution's name is an alias the catalog maps to the same actor
    const right = scoreRun('t', truth, as('Forest Blizzard'), { catalog });
    expect(right.campaigns.find((c) => c.id === 'spray')!.attribution).toMatchObject({
      verdict: 'correct', truthId: 'apt28', attributed: 'Forest Blizzard', alertsWithActor: 3,
      grouping: [{ id: 'cp-s', alerts: 3, matching: 3, withCampaigns: [] }],
    });
    expect(summarize([right]).actor).toEqual({ named: 1, correct: 1, wrong: 0, unattributed: 0, attributionRan: true, unnamedAttributed: 0 });
    const wrong = summarize([scoreRun('t', truth, as('Cozy Bear'), { catalog })]);
    expect(wrong.actor).toMatchObject({ named: 1, correct: 0, wrong: 1 });
    const none = summarize([scoreRun('t', truth, grouped, { catalog })]);
    expect(none.actor).toMatchObject({ named: 1, unattributed: 1, attributionRan: true });
    expect(actorSummary(none.actor)).toBe('0/1 correct (0 wrong, 1 unattributed)');
    expect(actorSummary(summarize([scoreRun('t', truth, good)]).actor)).toBe('n/a — the scan did not group and attribute');
  });

  it('notes an actor on a campaign the truth names none for, without judging it', () => {
    const leads = good.map((a) => ({ ...a, campaignId: a.id, ...(a.id === 'b' ? { actor: { name: 'APT28', aliases: [], confidence: 0.2, reasons: [] } } : {}) }));
    const s = scoreRun('t', truth, leads, { catalog: loadCatalog() });
    expect(s.campaigns.find((c) => c.id === 'brute')!.attributedWithoutTruth).toEqual({ attributed: 'APT28', confidence: 0.2, alertsWithActor: 1 });
    const m = summarize([s]);
    expect(m.actor).toMatchObject({ named: 1, unattributed: 1, unnamedAttributed: 1 });
    expect(actorSummary(m.actor)).toBe('0/1 correct (0 wrong, 1 unattributed); 1 campaign the truth names no actor for attributed anyway');
  });

  it('lists a wrong attribution among the problems with the reasons attribution gave', () => {
    const wrongActor = good.map((a) => ({ ...a, campaignId: 'cp', actor: { name: 'APT29', aliases: ['Midnight Blizzard'], confidence: 0.21, reasons: ["low-confidence lead: behaviour resembles APT29's profile"] } }));
    const score = scoreRun('t', truth, wrongActor, { catalog: loadCatalog() });
    const run: ScenarioRun = { name: 'tw', description: 'two orgs', events: 1, orgs: 2, users: 2, formats: ['entra'], simulateMs: 0, scanMs: 0, scannedEvents: 1, malformed: 0, score };
    const text = renderText(buildReport([run], []), [run]);
    expect(text).toMatch(/spray\s+distributed_spray\s+yes.*APT28: wrong as APT29 21%/);
    expect(text).toContain('  ACTOR tw spray (distributed_spray): truth APT28, attributed APT29 21% on 3 of its 3 alerts; 0 unattributed');
    expect(text).toContain("because: low-confidence lead: behaviour resembles APT29's profile");
    // the brute force's alert sits in the same Vigil campaign: attribution judged them together
    expect(text).toContain('grouped in cp: 4 alerts, 3 of them this campaign\'s; merged with brute');
    expect(text).toContain('   actor attributed: 0/1 correct (1 wrong, 0 unattributed)');
  });

  it('median and durations', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
    expect(formatDuration(55_000)).toBe('55s');
    expect(formatDuration(12 * MIN)).toBe('12m');
    expect(formatDuration(3 * HOUR + 55 * MIN)).toBe('3h55m');
  });
});
