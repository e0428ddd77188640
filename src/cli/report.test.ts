import { describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.js';
import type { IngestIssue } from '../ingest/types.js';
import type { ScanSummary } from '../pipeline/types.js';
import { renderReport } from './report.js';
import { makeAlert } from '../../test/support/alerts.js';

const T0 = Date.UTC(2020, 8, 1, 12, 0, 0);
const HOUR = 3_600_000;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

/** The report tests' default: one account, ten failures. */
function alert(over: Partial<Alert> & { id: string }): Alert {
  return makeAlert({
    users: ['alice@contoso.com'],
    evidence: { attempts: 10, failures: 10, successes: 0, refs: [] },
    explanation: 'One address tried passwords on many accounts.',
    ...over,
  });
}

function summary(over: Partial<ScanSummary> = {}): ScanSummary {
  return {
    stats: { files: 2, records: 12_350, events: 12_345, malformed: 0, skippedFiles: 0, byFormat: { entra: 12_000, okta: 345 } },
    issues: [],
    issueCount: 0,
    alerts: [],
    tenants: { 'contoso.com': 10_000, 'fabrikam.org': 2_000, 'example.net': 345 },
    firstEvent: T0,
    lastEvent: T0 + 48 * HOUR,
    durationMs: 2500,
    ...over,
  };
}

const spray = alert({
  id: 'spray',
  kind: 'distributed_spray',
  severity: 'high',
  users: ['u1@contoso.com', 'u2@contoso.com', 'u3@contoso.com', 'u4@contoso.com', 'u5@contoso.com', 'u6@contoso.com', 'u7@contoso.com'],
  sourceIps: ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'],
  lastSeen: T0 + 30 * HOUR,
  actions: ['Turn on MFA for every account.', 'Block the listed addresses.'],
});
const compromise = alert({
  id: 'comp',
  kind: 'compromise',
  severity: 'critical',
  users: ['u2@contoso.com', 'u5@contoso.com'],
  lastSeen: T0 + 2 * HOUR,
  explanation: 'After failing on many accounts, the same addresses signed in as u2 and u5.',
  actions: ['Reset the passwords of u2@contoso.com and u5@contoso.com and sign them out everywhere.', 'turn on MFA for every account.'],
});
const brute = alert({ id: 'brute', tenant: 'fabrikam.org', kind: 'brute_force', severity: 'medium', users: ['bob@fabrikam.org'] });

describe('renderReport headline', () => {
  it('says how many accounts the attacker got into, first', () => {
    const text = renderReport(summary({ alerts: [spray, compromise] }), { color: false });
    expect(text.split('\n')[0]).toBe('Under attack: 2 accounts were signed into by the attacker.');
    expect(text.split('\n')[1]).toContain('u2@contoso.com, u5@contoso.com');
  });

  it('reports a clean scan with counts, organizations and dates', () => {
    const text = renderReport(summary(), { color: false });
    expect(text.split('\n')[0]).toBe(
      'No credential attack found in 12,345 sign-ins from 3 organizations between 2020-09-01 12:00 and 2020-09-03 12:00 UTC.',
    );
  });

  it('does not claim a clean bill of health when no sign-in was read', () => {
    const text = renderReport(
      summary({ stats: { files: 1, records: 0, events: 0, malformed: 0, skippedFiles: 0, byFormat: {} }, tenants: {} }),
      { color: false },
    );
    expect(text.split('\n')[0]).toMatch(/^No sign-in events were found/);
    expect(text).not.toContain('No credential attack found');
  });

  it('names attacks that did not succeed without calling them compromises', () => {
    const text = renderReport(summary({ alerts: [spray] }), { color: false });
    expect(text.split('\n')[0]).toBe('Under attack: 1 alert about 7 accounts in 1 organization.');
    expect(text).toContain('No sign-in by the attacker was found');
  });
});

describe('renderReport alerts', () => {
  const text = renderReport(summary({ alerts: [brute, spray, compromise] }), { color: false, width: 120 });

  it('groups by organization, the one with a compromise first, compromise before other alerts', () => {
    const contoso = text.indexOf('== contoso.com: 2 alerts, 1 compromise ==');
    const fabrikam = text.indexOf('== fabrikam.org: 1 alert ==');
    expect(contoso).toBeGreaterThan(0);
    expect(fabrikam).toBeGreaterThan(contoso);
    const comp = text.indexOf('[CRITICAL] Account signed into by the attacker');
    const spr = text.indexOf('[HIGH] Password spray from many addresses (low and slow)');
    expect(comp).toBeGreaterThan(contoso);
    expect(spr).toBeGreaterThan(comp);
    expect(spr).toBeLessThan(fabrikam);
    expect(text.indexOf('[MEDIUM] Password guessing against one account')).toBeGreaterThan(fabrikam);
  });

  it('shows the first few users and how many more, the address count and examples, the time span', () => {
    expect(text).toContain('u1@contoso.com, u2@contoso.com, u3@contoso.com, u4@contoso.com, u5@contoso.com and 2 more');
    expect(text).toContain('4 addresses, e.g. 203.0.113.1, 203.0.113.2, 203.0.113.3 and 1 more');
    expect(text).toContain('2020-09-01 12:00 to 2020-09-02 18:00 UTC (30 hours)');
    expect(text).toContain('After failing on many accounts, the same addresses signed in as u2 and u5.');
  });

  it('numbers the actions per organization, without repeating one', () => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.includes('What to do now:'));
    expect(lines.slice(start + 1, start + 4).map((l) => l.trim())).toEqual([
      '1.  Reset the passwords of u2@contoso.com and u5@contoso.com and sign them out everywhere.',
      '2.  turn on MFA for every account.',
      '3.  Block the listed addresses.',
    ]);
    expect(text.match(/MFA for every account/gi)).toHaveLength(1);
  });

  it('wraps long explanations to the width', () => {
    const long = alert({ id: 'long', explanation: 'zebra '.repeat(60).trim() });
    const out = renderReport(summary({ alerts: [long] }), { color: false, width: 60 });
    // the alert's lines (the headline is one sentence the terminal may wrap itself)
    const block = out.slice(out.indexOf('Accounts:'), out.indexOf('\nInput'));
    for (const line of block.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(block.split('\n').length).toBeGreaterThan(6);
    expect(out.match(/zebra/g)).toHaveLength(60);
  });
});

describe('renderReport input summary', () => {
  const issues: IngestIssue[] = Array.from({ length: 12 }, (_, i) => ({
    file: 'signins.json',
    line: i + 2,
    message: `createdDateTime: not a timestamp`,
    fatal: false,
  }));

  it('lists the first ten problems as file:line: reason and counts the rest', () => {
    const text = renderReport(
      summary({
        stats: { files: 3, records: 12_400, events: 12_345, malformed: 25, skippedFiles: 1, byFormat: { entra: 12_345 } },
        issues: [...issues, { file: 'photo.jpg', message: 'binary file, skipped', fatal: true }],
        issueCount: 26,
      }),
      { color: false },
    );
    expect(text).toContain('Malformed records: 25');
    expect(text).toContain('signins.json:2: createdDateTime: not a timestamp');
    expect(text).toContain('signins.json:11: createdDateTime: not a timestamp');
    expect(text).not.toContain('signins.json:12:');
    // 26 problems: 10 record problems and 1 skipped file are listed
    expect(text).toContain('... and 15 more');
    expect(text).toContain('Files:             3 (1 skipped)');
    expect(text).toMatch(/Skipped files:\n {4}photo\.jpg: binary file, skipped/);
    expect(text).toContain('By format:         entra 12,345');
  });

  it('prints no "more" line when everything is listed', () => {
    const text = renderReport(summary({ issues: issues.slice(0, 3), issueCount: 3 }), { color: false });
    expect(text).not.toContain('more');
  });
});

describe('renderReport color and hostile text', () => {
  it('has no ANSI codes when color is off, and marks the compromise red when on', () => {
    const s = summary({ alerts: [spray, compromise, brute] });
    expect(renderReport(s, { color: false })).not.toMatch(ANSI);
    const colored = renderReport(s, { color: true });
    expect(colored).toContain('\u001b[1;31m[CRITICAL] Account signed into by the attacker\u001b[0m');
  });

  it('neutralizes terminal escape sequences and caps huge values coming from logs', () => {
    const evil = alert({
      id: 'evil',
      tenant: 'evil\u001b[2Jcorp',
      users: [`${'x'.repeat(10_000)}@evil.example`],
      explanation: 'bad \u001b]0;owned\u0007 title \u202e reversed',
    });
    const text = renderReport(summary({ alerts: [evil], issues: [{ file: 'a\u001b[31m.log', line: 1, message: 'm', fatal: false }], issueCount: 1 }), {
      color: false,
    });
    expect(text).not.toMatch(ANSI);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('\u202e');
    expect(text).not.toContain('x'.repeat(200));
  });
});
