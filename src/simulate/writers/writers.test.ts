import { describe, expect, it } from 'vitest';
import { normalizeUser } from '../../core/normalize.js';
import type { AuthEvent } from '../../core/types.js';
import { parserById } from '../../formats/registry.js';
import type { RawRecord } from '../../formats/types.js';
import { logName } from '../identity.js';
import type { SimEvent, SimFormat } from '../model.js';
import { Rng } from '../rng.js';
import { collect, forced } from '../test-helpers.js';
import { WRITERS } from './index.js';

const ATTACKS = [
  { kind: 'distributed_spray', startHour: 1, durationHours: 10, poolSize: 100, compromised: 1 },
  { kind: 'credential_stuffing', startHour: 2, durationHours: 3, orgs: 'all' },
  { kind: 'mfa_fatigue', startHour: 9, durationHours: 1, pushes: 4 },
];

const SYSLOG = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 [\w.-]{1,64} sshd\[\d{1,6}\]: [^\n]{1,400}$/;

function rendered(format: SimFormat): { events: SimEvent[]; lines: string[][] } {
  const { events } = collect(forced(format, { orgs: 2, days: 1, campaigns: ATTACKS, benign: { lockoutRate: 0.05 } }));
  const ids = new Rng('ids');
  return { events, lines: events.map((e) => WRITERS[format].lines(e, ids)) };
}

function raw(format: SimFormat, line: string): RawRecord {
  return format === 'sshd' ? { framing: 'text', value: line } : { framing: 'json', value: JSON.parse(line) as unknown };
}

const FORMATS: SimFormat[] = ['entra', 'o365', 'okta', 'gws', 'windows', 'sshd'];

describe.each(FORMATS)('%s writer', (format) => {
  const { events, lines } = rendered(format);

  it('writes well-formed records for every event kind', () => {
    const all = lines.flat();
    expect(all.length).toBeGreaterThan(events.length * 0.9);
    for (const l of all) {
      if (format === 'sshd') expect(l).toMatch(SYSLOG);
      else expect(() => JSON.parse(l)).not.toThrow();
    }
  });

  it('parses back to the same user, address, outcome and time (when the real parser exists)', () => {
    const parser = parserById(format);
    const first = lines.find((l) => l.length > 0)?.[0];
    if (!parser || first === undefined || parser.detect(raw(format, first)) <= 0) return; // parser still a stub
    let checked = 0;
    events.forEach((e, i) => {
      const ls = lines[i] ?? [];
      if (ls.length === 0) return;
      const parsed: AuthEvent[] = ls.flatMap((l, k) => parser.parse(raw(format, l), { file: 'sim', line: i + k + 1, year: 2024, timeZone: 'UTC', state: {} }));
      const name = normalizeUser(logName(e.org, e.login, e.user));
      const want = e.outcome === 'mfa' ? ['mfa', 'failure'] : [e.outcome];
      const match = parsed.find((p) => p.srcIp === e.net.ip && (p.user === name || p.user.startsWith(`${name}@`) || p.user.endsWith(`\\${name}`)) && want.includes(p.outcome) && Math.abs(p.time - e.time) < 1000);
      expect(match, `${format} event ${i}: ${JSON.stringify(ls[ls.length - 1]).slice(0, 300)} → ${JSON.stringify(parsed)}`).toBeDefined();
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
  });
});

describe('vendor codes in the records', () => {
  it('entra: 50126 wrong password, 50034 unknown account, 50055 expired, 500121 denied push, 0 success', () => {
    const { events, lines } = rendered('entra');
    const code = (pred: (e: SimEvent) => boolean): number[] => [...new Set(events.flatMap((e, i) => (pred(e) ? lines[i]!.map((l) => (JSON.parse(l) as { status: { errorCode: number } }).status.errorCode) : [])))];
    expect(code((e) => e.reason === 'bad_password')).toEqual([50126]);
    expect(code((e) => e.reason === 'unknown_user')).toEqual([50034]);
    expect(code((e) => e.reason === 'expired')).toEqual([50055]);
    expect(code((e) => e.reason === 'mfa_denied' || e.reason === 'mfa_timeout')).toEqual([500121]);
    expect(code((e) => e.outcome === 'success')).toEqual([0]);
  });

  it('okta: unknown names have actor.id "unknown"; a denied push is user.mfa.okta_verify.deny_push', () => {
    const { events, lines } = rendered('okta');
    const i = events.findIndex((e) => e.reason === 'unknown_user');
    const rec = JSON.parse(lines[i]![0]!) as { actor: { id: string; alternateId: string }; outcome: { result: string; reason: string } };
    expect(rec.actor).toMatchObject({ id: 'unknown', alternateId: events[i]!.login });
    expect(rec.outcome).toEqual({ result: 'FAILURE', reason: 'INVALID_CREDENTIALS' });
    const j = events.findIndex((e) => e.mfa === 'push_denied');
    expect(lines[j]!.map((l) => (JSON.parse(l) as { eventType: string }).eventType)).toEqual(['system.push.send_factor_verify_push', 'user.mfa.okta_verify.deny_push']);
  });

  it('windows: 4625 with SubStatus 0xc000006a (bad password) / 0xc0000064 (no such user) / 0xc0000071 (expired)', () => {
    const { events, lines } = rendered('windows');
    type Rec = { winlog: { event_id: string; event_data: { SubStatus?: string; IpAddress: string } } };
    const sub = (reason: string): string[] => [...new Set(events.flatMap((e, i) => (e.reason === reason ? lines[i]!.map((l) => (JSON.parse(l) as Rec).winlog.event_data.SubStatus ?? '') : [])))];
    expect(sub('bad_password')).toEqual(['0xc000006a']);
    expect(sub('unknown_user')).toEqual(['0xc0000064']);
    expect(sub('expired')).toEqual(['0xc0000071']);
    const ok = events.findIndex((e) => e.outcome === 'success');
    expect((JSON.parse(lines[ok]![0]!) as Rec).winlog).toMatchObject({ event_id: '4624', event_data: { IpAddress: events[ok]!.net.ip } });
  });

  it('sshd: an unknown name gives "Invalid user" and "Failed password for invalid user"', () => {
    const { events, lines } = rendered('sshd');
    const i = events.findIndex((e) => e.reason === 'unknown_user');
    const name = logName(events[i]!.org, events[i]!.login);
    expect(lines[i]![0]).toContain(`Invalid user ${name} from ${events[i]!.net.ip} port `);
    expect(lines[i]![1]).toContain(`Failed password for invalid user ${name} from ${events[i]!.net.ip} port `);
  });

  it('gws: accounts that do not exist are not logged (Google only logs its own users)', () => {
    const { events, lines } = rendered('gws');
    const unknown = events.map((e, i) => [e, lines[i]!] as const).filter(([e]) => !e.user);
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every(([, l]) => l.length === 0)).toBe(true);
  });
});
