import { describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.js';
import { alertFromJson, alertToJson, alertToJsonLine } from './jsonl.js';

const base: Alert = {
  id: 'alert-1f2e3d4c5b6a7988',
  kind: 'distributed_spray',
  technique: 'T1110.003',
  severity: 'high',
  confidence: 0.85,
  tenant: 'contoso.com',
  users: ['alice@contoso.com', 'bob@contoso.com'],
  sourceIps: ['203.0.113.7', '2001:db8::1'],
  firstSeen: Date.UTC(2020, 8, 1, 12, 0, 0, 0),
  lastSeen: Date.UTC(2020, 8, 3, 8, 15, 30, 250),
  evidence: { attempts: 120, failures: 119, successes: 1, refs: ['signins.json:17'] },
  explanation: 'Many addresses each tried a few passwords on many accounts.',
};

describe('alertToJson', () => {
  it("uses design.md's field names in order, with ISO 8601 UTC times", () => {
    const j = alertToJson(base);
    expect(Object.keys(j)).toEqual([
      'id',
      'kind',
      'technique',
      'severity',
      'confidence',
      'tenant',
      'users',
      'sourceIps',
      'firstSeen',
      'lastSeen',
      'evidence',
      'explanation',
    ]);
    expect(j['firstSeen']).toBe('2020-09-01T12:00:00.000Z');
    expect(j['lastSeen']).toBe('2020-09-03T08:15:30.250Z');
    expect(Object.keys(j['evidence'] as object)).toEqual(['attempts', 'failures', 'successes', 'refs']);
  });

  it('adds actions, detectedAt, campaignId and actor after the rest, only when present', () => {
    const j = alertToJson({
      ...base,
      actions: ['Reset the password of bob@contoso.com'],
      detectedAt: Date.UTC(2020, 8, 1, 13, 0, 0),
      campaignId: 'camp-9',
      actor: { name: 'APT28', aliases: ['Strontium'], confidence: 0.5, reasons: ['shared infrastructure'] },
    });
    expect(Object.keys(j).slice(12)).toEqual(['actions', 'detectedAt', 'campaignId', 'actor']);
    expect(j['detectedAt']).toBe('2020-09-01T13:00:00.000Z');
    expect(alertToJson({ ...base, actions: [] })).not.toHaveProperty('actions');
  });

  it('writes one JSON object per line', () => {
    const line = alertToJsonLine(base);
    // JSON.stringify escapes newlines inside strings, so one alert is one line
    const multi = alertToJsonLine({ ...base, explanation: 'line one\nline two' });
    expect(multi).not.toContain('\n');
    expect(line).not.toContain('\n');
    expect((JSON.parse(line) as { users: string[] }).users).toEqual(base.users);
  });

  it('refuses an alert whose time is not a time, naming the field', () => {
    expect(() => alertToJson({ ...base, lastSeen: Number.NaN })).toThrow(/lastSeen/);
  });
});

describe('alertFromJson', () => {
  it('round-trips through JSON text', () => {
    const full: Alert = {
      ...base,
      actions: ['Block 203.0.113.7'],
      detectedAt: base.firstSeen + 1000,
      campaignId: 'camp-1',
      actor: { name: 'APT28', aliases: ['Fancy Bear'], attackId: 'G0007', confidence: 0.4, reasons: ['r'] },
    };
    expect(alertFromJson(JSON.parse(JSON.stringify(alertToJson(full))))).toEqual(full);
    expect(alertFromJson(JSON.parse(alertToJsonLine(base)))).toEqual(base);
  });

  it('accepts a time with an offset and converts it to epoch ms', () => {
    const j = { ...alertToJson(base), firstSeen: '2020-09-01T14:00:00+02:00' };
    expect(alertFromJson(j).firstSeen).toBe(base.firstSeen);
  });

  it('names the damaged field', () => {
    const j = alertToJson(base);
    expect(() => alertFromJson({ ...j, evidence: { attempts: 1, failures: 'x', successes: 0, refs: [] } })).toThrow(
      /^evidence\.failures: /,
    );
    expect(() => alertFromJson({ ...j, firstSeen: 'yesterday' })).toThrow(/^firstSeen: /);
    expect(() => alertFromJson({ ...j, kind: 'alien_invasion' })).toThrow(/^kind: /);
    expect(() => alertFromJson({ ...j, confidence: 7 })).toThrow(/^confidence: /);
    expect(() => alertFromJson(null)).toThrow();
    expect(() => alertFromJson('{"id":1}')).toThrow();
  });

  it('ignores unknown and __proto__ keys', () => {
    const text = JSON.stringify(alertToJson(base)).replace('{', '{"__proto__":{"polluted":true},"extra":1,');
    const a = alertFromJson(JSON.parse(text));
    expect(a).toEqual(base);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
