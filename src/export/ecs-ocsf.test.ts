import { describe, expect, it } from 'vitest';
import { ALERT_T0, ALERT_HOUR, makeAlert } from '../../test/support/alerts.js';
import { alertToEcs } from './ecs.js';
import { alertToOcsf } from './ocsf.js';

const attributed = makeAlert({
  id: 'al-1',
  kind: 'distributed_spray',
  technique: 'T1110.003',
  severity: 'critical',
  confidence: 0.9,
  users: ['alice@contoso.com'],
  sourceIps: ['203.0.113.7', '198.51.100.2'],
  detectedAt: ALERT_T0 + ALERT_HOUR / 2,
  campaignId: 'cp-abc',
  actor: { name: 'APT28', aliases: ['Fancy Bear'], attackId: 'G0007', confidence: 0.85, reasons: ['12 addresses named by isac'] },
});

describe('ECS', () => {
  it('an alert is event.kind alert with ATT&CK technique, sub-technique, tactic, group and rule', () => {
    const d = alertToEcs(attributed);
    expect(d['@timestamp']).toBe(new Date(ALERT_T0 + ALERT_HOUR / 2).toISOString());
    expect(d.event).toMatchObject({ kind: 'alert', category: ['authentication'], id: 'al-1', severity: 4, risk_score: 90, start: new Date(ALERT_T0).toISOString(), outcome: 'failure' });
    expect(d.rule).toMatchObject({ id: 'distributed_spray', name: 'distributed spray' });
    expect(d.threat).toMatchObject({
      framework: 'MITRE ATT&CK',
      technique: { id: ['T1110'], name: ['Brute Force'], subtechnique: { id: ['T1110.003'], name: ['Password Spraying'] } },
      tactic: { id: ['TA0006'], name: ['Credential Access'] },
      group: { name: 'APT28', id: 'G0007', alias: ['Fancy Bear'] },
    });
    expect(d.related).toEqual({ ip: ['203.0.113.7', '198.51.100.2'], user: ['alice@contoso.com'] });
    expect(d.user).toEqual({ name: 'alice@contoso.com' });
    expect(d.source).toBeUndefined();
    expect(d.vigil).toMatchObject({ campaign_id: 'cp-abc', actor_reasons: ['12 addresses named by isac'] });
  });

  it('a technique without sub-technique and no actor has no group', () => {
    const d = alertToEcs(makeAlert({ id: 'x', kind: 'mfa_fatigue', technique: 'T1621', sourceIps: ['192.0.2.1'] }));
    expect(d.threat).toMatchObject({ technique: { id: ['T1621'] } });
    expect((d.threat as Record<string, unknown>).group).toBeUndefined();
    expect(d.source).toEqual({ ip: '192.0.2.1' });
  });
});

describe('OCSF Detection Finding', () => {
  it('class 2004, Create, severity and confidence ids, finding_info with attacks, observables', () => {
    const f = alertToOcsf(attributed);
    expect(f).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, severity_id: 5, confidence_id: 3, confidence_score: 90, is_alert: true, time: ALERT_T0 + ALERT_HOUR / 2 });
    expect(f.finding_info).toMatchObject({
      uid: 'al-1',
      first_seen_time: ALERT_T0,
      last_seen_time: ALERT_T0 + ALERT_HOUR,
      attacks: [{ technique: { uid: 'T1110' }, sub_technique: { uid: 'T1110.003', name: 'Password Spraying' }, tactic: { uid: 'TA0006' } }],
    });
    expect(f.observables).toEqual([
      { name: 'src_endpoint.ip', type_id: 2, type: 'IP Address', value: '203.0.113.7' },
      { name: 'src_endpoint.ip', type_id: 2, type: 'IP Address', value: '198.51.100.2' },
      { name: 'user.name', type_id: 4, type: 'User Name', value: 'alice@contoso.com' },
    ]);
    expect((f.metadata as Record<string, unknown>).tenant_uid).toBe('contoso.com');
  });
});
