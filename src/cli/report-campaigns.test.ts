import { describe, expect, it } from 'vitest';
import type { ScanSummary } from '../pipeline/types.js';
import { correlate } from '../correlate/correlate.js';
import { makeAlert } from '../../test/support/alerts.js';
import { renderReport } from './report.js';

function summary(over: Partial<ScanSummary>): ScanSummary {
  return {
    stats: { files: 1, records: 100, events: 100, malformed: 0, skippedFiles: 0, byFormat: { entra: 100 } },
    issues: [],
    issueCount: 0,
    alerts: [],
    tenants: { 'one.example': 50, 'two.example': 50 },
    durationMs: 10,
    ...over,
  };
}

describe('the Campaigns section of the terminal report', () => {
  const r = correlate([
    makeAlert({ id: 'a', tenant: 'one.example', sourceIps: ['198.51.100.9', '198.51.100.10'] }),
    makeAlert({ id: 'b', tenant: 'two.example', sourceIps: ['198.51.100.9'] }),
    makeAlert({ id: 'c', tenant: 'three.example', sourceIps: ['203.0.113.5'] }),
  ]);
  const multi = r.campaigns.find((c) => c.alertIds.length === 2)!;

  it('one line per multi-alert campaign: name, organizations, addresses, alerts, attribution', () => {
    const actor = { name: 'APT28', aliases: ['Forest Blizzard'], attackId: 'G0007', confidence: 0.9, reasons: ['listed'] };
    const withActor = r.campaigns.map((c) => (c.id === multi.id ? { ...c, actor } : c));
    const text = renderReport(summary({ alerts: r.alerts, campaigns: withActor }), { color: false, width: 200 });
    const section = text.slice(text.indexOf('Campaigns\n'));
    expect(section).toContain(`  - ${multi.name}: one.example, two.example; 2 addresses, 2 alerts; APT28 (G0007), confidence 90% [${multi.id}]`);
    // the single-alert campaign of three.example is not listed
    expect(section).not.toContain('three.example;');
  });

  it('says "unattributed", and marks a weak attribution as a lead', () => {
    const plain = renderReport(summary({ alerts: r.alerts, campaigns: r.campaigns }), { color: false, width: 200 });
    expect(plain).toMatch(/- .*2 alerts; unattributed \[cp/);
    const lead = r.campaigns.map((c) => (c.id === multi.id ? { ...c, actor: { name: 'APT28', aliases: [], confidence: 0.27, reasons: ['low-confidence lead'] } } : c));
    expect(renderReport(summary({ alerts: r.alerts, campaigns: lead }), { color: false, width: 200 })).toContain('2 alerts; lead: APT28, confidence 27%');
  });

  it('no section when the scan made no campaigns or only single-alert ones', () => {
    expect(renderReport(summary({}), { color: false })).not.toContain('Campaigns');
    const single = correlate([makeAlert({ id: 'x', tenant: 'one.example' })]);
    expect(renderReport(summary({ alerts: single.alerts, campaigns: single.campaigns }), { color: false })).not.toContain('Campaigns');
  });

  it('campaign text from the logs cannot inject terminal escapes', () => {
    const evil = correlate([
      makeAlert({ id: 'a', tenant: 'one\u001b[2J.example', sourceIps: ['198.51.100.9'] }),
      makeAlert({ id: 'b', tenant: 'two.example', sourceIps: ['198.51.100.9'] }),
    ]);
    const text = renderReport(summary({ alerts: evil.alerts, campaigns: evil.campaigns }), { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('one?[2J.example');
  });
});
