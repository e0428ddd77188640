import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import type { AuthEvent } from '../core/types.js';
import { windowsParser } from './windows.js';
import { ecsParser } from './ecs.js';
import type { ParseContext, RawRecord } from './types.js';

const load = (name: string): string[] =>
  readFileSync(new URL(`../../test/fixtures/windows/${name}`, import.meta.url), 'utf8').trim().split('\n');
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const ctx = (line = 1): ParseContext => ({ file: 'sec.jsonl', line, state: {} });
const parseAll = (lines: string[]): AuthEvent[][] => lines.map((l, i) => windowsParser.parse(json(JSON.parse(l) as unknown), ctx(i + 1)));

const mitre = parseAll(load('evtx-to-mitre-sample.jsonl'));
const purple = parseAll(load('purplesharp-sample.jsonl'));
const beat = parseAll(load('winlogbeat.jsonl'));
const dump = parseAll(load('evtx-dump.jsonl'));

describe('windows parser: python-evtx flat records (evtx-to-mitre, CC0)', () => {
  it('4771 0x18 is a Kerberos bad password; the realm comes from ServiceName; time is UTC', () => {
    expect(mitre[0]).toEqual([
      {
        time: Date.parse('2021-12-02T14:54:21.232Z'),
        tenant: 'offsec.lan',
        user: 'admin-hacker@offsec.lan',
        srcIp: '10.23.123.11',
        outcome: 'failure',
        reason: 'bad_password',
        code: '0x18',
        protocol: 'kerberos',
        source: 'windows',
        ref: 'rootdc1.offsec.lan/232256504',
      },
    ]);
  });

  it('4768: 0x6 unknown user, 0x0 success, 0x12 locked', () => {
    expect(mitre[1]?.[0]).toMatchObject({ user: 'test1@offsec.lan', outcome: 'failure', reason: 'unknown_user', code: '0x6' });
    expect(mitre[2]?.[0]).toMatchObject({ user: 'admmig@offsec.lan', outcome: 'success', protocol: 'kerberos' });
    expect(mitre[3]?.[0]).toMatchObject({ user: 'administrator@offsec.lan', outcome: 'failure', reason: 'locked', code: '0x12' });
  });

  it('4625 0xC000006D takes its SubStatus (unknown user); NetBIOS domain becomes the tenant; "-" address is empty', () => {
    expect(mitre[4]?.[0]).toMatchObject({
      user: 'nouser@fs01',
      tenant: 'fs01',
      outcome: 'failure',
      reason: 'unknown_user',
      code: '0xC0000064',
      srcIp: '',
      protocol: 'network_cleartext',
    });
  });

  it('4776 without a domain uses the DC DNS suffix; non-zero Status is a failure', () => {
    expect(mitre[5]?.[0]).toMatchObject({ user: 'nouser@offsec.lan', tenant: 'offsec.lan', outcome: 'failure', reason: 'unknown_user', protocol: 'ntlm' });
  });

  it('virtual service accounts, nameless failures, log-cleared and OpenSSH payload events give nothing', () => {
    expect(mitre[6]).toEqual([]); // sshd_5848 / VIRTUAL USERS
    expect(mitre[8]).toEqual([]); // TargetUserName "-"
    expect(mitre[10]).toEqual([]); // 1102
    expect(mitre[11]).toEqual([]); // OpenSSH EventID 4: left to the sshd parser
  });

  it('4624 network success, local-account brute force, and UPN target names', () => {
    expect(mitre[7]?.[0]).toMatchObject({ user: 'admmig@offsec', outcome: 'success', protocol: 'network' });
    expect(mitre[9]?.[0]).toMatchObject({ user: 'admin@win', tenant: 'win', reason: 'bad_password', code: '0xC000006A', protocol: 'interactive' });
    expect(mitre[12]?.[0]).toMatchObject({ user: 'admmig@offsec.lan', reason: 'bad_password' });
  });
});

describe('windows parser: NXLog flat records (OTRF PurpleSharp, MIT)', () => {
  it('uses @timestamp (UTC) not EventTime (local), Hostname/RecordNumber for ref', () => {
    expect(purple[0]?.[0]).toMatchObject({
      time: Date.parse('2020-10-22T08:29:55.210Z'),
      user: 'lrodriguez@theshire.local',
      tenant: 'theshire.local',
      outcome: 'failure',
      reason: 'bad_password',
      code: '0xC000006A',
      protocol: 'interactive',
      ref: 'WORKSTATION5.theshire.local/134058',
    });
    // the DC's 4776 for the same spray lands on the same account and tenant
    expect(purple[1]?.[0]).toMatchObject({ user: 'lrodriguez@theshire.local', tenant: 'theshire.local', reason: 'bad_password', protocol: 'ntlm' });
    expect(purple[2]?.[0]).toMatchObject({ user: 'pgustavo@theshire.local', outcome: 'success', srcIp: '172.18.39.5', protocol: 'network' });
  });
});

describe('windows parser: Winlogbeat records', () => {
  it('RDP failure with a locked account', () => {
    expect(beat[0]).toEqual([
      {
        time: Date.parse('2024-02-10T03:12:44.512Z'),
        tenant: 'corp',
        user: 'jdoe@corp',
        srcIp: '203.0.113.66',
        outcome: 'failure',
        reason: 'locked',
        code: '0xC0000234',
        protocol: 'rdp',
        source: 'windows',
        ref: 'srv-rdp01.corp.example.com/51234',
      },
    ]);
  });

  it('RDP success from an IPv4-mapped address', () => {
    expect(beat[1]?.[0]).toMatchObject({ outcome: 'success', srcIp: '203.0.113.66', protocol: 'rdp' });
  });

  it('expired password and logon-type restriction prove the password', () => {
    expect(beat[2]?.[0]).toMatchObject({ user: 'mlee@corp.example.com', reason: 'expired', credentialValid: true, code: '0xC0000071' });
    expect(beat[3]?.[0]).toMatchObject({ reason: 'blocked', credentialValid: true, code: '0xC000015B' });
  });

  it('4776 Status 0x0 is a success', () => {
    expect(beat[4]?.[0]).toMatchObject({ user: 'svc-backup@corp.example.com', outcome: 'success', protocol: 'ntlm', ref: 'dc01.corp.example.com/88123' });
  });

  it('machine accounts and logoffs give nothing; DOMAIN\\user is normalized', () => {
    expect(beat[5]).toEqual([]);
    expect(beat[6]).toEqual([]);
    expect(beat[7]?.[0]).toMatchObject({ user: 'olduser@corp', tenant: 'corp', reason: 'disabled', srcIp: '' });
  });
});

describe('windows parser: evtx_dump records', () => {
  it('reads Event.System / Event.EventData', () => {
    expect(dump[0]?.[0]).toMatchObject({
      time: Date.parse('2016-09-19T16:50:06.271Z'),
      user: 'administrator@ws-0042',
      srcIp: '192.0.2.149',
      reason: 'bad_password',
      protocol: 'network',
      ref: 'WS-0042.branch.example.net/7781',
    });
  });

  it('reads EventID {#text} and EventData.Data[{@Name,#text}]; 0x17 is an expired password', () => {
    expect(dump[1]?.[0]).toMatchObject({
      user: 'pat@branch.example.net',
      srcIp: '192.0.2.150',
      reason: 'expired',
      credentialValid: true,
      protocol: 'kerberos',
    });
  });
});

describe('windows parser: malformed records', () => {
  const first = (): Record<string, unknown> => JSON.parse(load('evtx-to-mitre-sample.jsonl')[0] ?? '{}') as Record<string, unknown>;

  it('missing or bad time names the field', () => {
    const v = first();
    delete v['TimeCreated'];
    expect(() => windowsParser.parse(json(v), ctx())).toThrow(RecordError);
    expect(() => windowsParser.parse(json(v), ctx())).toThrow(/@timestamp|TimeCreated/);
    expect(() => windowsParser.parse(json({ ...first(), TimeCreated: 'Tuesday' }), ctx())).toThrow(/TimeCreated/);
  });

  it('wrong types name the field', () => {
    expect(() => windowsParser.parse(json({ ...first(), EventID: 'forty' }), ctx())).toThrow(/EventID/);
    expect(() => windowsParser.parse(json({ ...first(), TargetUserName: { a: 1 } }), ctx())).toThrow(/TargetUserName/);
    expect(() => windowsParser.parse(json({ ...first(), Status: 'denied' }), ctx())).toThrow(/Status/);
    expect(() => windowsParser.parse(json({ ...first(), IpAddress: 10 }), ctx())).toThrow(/IpAddress/);
    expect(() => windowsParser.parse(json({ Computer: 'x' }), ctx())).toThrow(/EventID/);
  });

  it('hostile input does not crash', () => {
    const hostile = JSON.parse(
      `{"EventID":4625,"__proto__":{"TargetUserName":"x"},"TimeCreated":"2021-12-02 14:54:21.232643","TargetUserName":"${'u'.repeat(100000)}",` +
        `"TargetDomainName":"${'d'.repeat(1000)}","Status":"0xC000006A","IpAddress":"${'1'.repeat(100000)}"}`,
    ) as unknown;
    const [ev] = windowsParser.parse(json(hostile), ctx());
    expect(ev?.user.length).toBeLessThanOrEqual(512);
    expect(ev?.srcIp).toBe('');
    expect(ev?.tenant.length).toBeLessThanOrEqual(512);
  });
});

describe('windows parser: detection', () => {
  it('scores records of other formats below its own, and beats ECS on Winlogbeat', () => {
    const own = windowsParser.detect(json(JSON.parse(load('winlogbeat.jsonl')[0] ?? '{}') as unknown));
    expect(own).toBeGreaterThanOrEqual(0.9);
    expect(ecsParser.detect(json(JSON.parse(load('winlogbeat.jsonl')[0] ?? '{}') as unknown))).toBeLessThan(own);
    const text = readFileSync(new URL('../../test/fixtures/ecs/cross-format.jsonl', import.meta.url), 'utf8');
    for (const l of text.trim().split('\n')) {
      const s = JSON.parse(l) as { format: string; record: RawRecord };
      if (s.format !== 'windows') expect(windowsParser.detect(s.record), s.format).toBeLessThan(own);
    }
  });
});

const SPRAY = '/work/shared/datasets/evtx-attack-samples-auth/kerberos_pwd_spray_4771.jsonl';
describe('windows parser: Kerberos spray sample (GPL, read in place)', () => {
  it.skipIf(!existsSync(SPRAY))('finds 7 unknown users, 2 bad passwords and 2 TGTs from 172.16.66.1', () => {
    const evs = readFileSync(SPRAY, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l, i) => windowsParser.parse(json(JSON.parse(l) as unknown), ctx(i + 1)));
    const count = (pred: (e: AuthEvent) => boolean): number => evs.filter(pred).length;
    expect(count((e) => e.reason === 'unknown_user')).toBe(7);
    expect(count((e) => e.reason === 'bad_password')).toBe(2);
    expect(count((e) => e.outcome === 'success' && e.user === 'normal@threebeesco.com')).toBe(2);
    expect(new Set(evs.map((e) => e.srcIp))).toEqual(new Set(['172.16.66.1']));
  });
});

const SMB = '/work/shared/datasets/deepbluecli-spray/smb-password-guessing-security.jsonl';
describe('windows parser: SMB brute force sample (GPL, read in place)', () => {
  it.skipIf(!existsSync(SMB))('3,558 bad passwords, 2 disabled (0xC000006E/0xC0000072), 1 unknown user, one source', () => {
    const evs = readFileSync(SMB, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l, i) => windowsParser.parse(json(JSON.parse(l) as unknown), ctx(i + 1)));
    const by = (reason: string): number => evs.filter((e) => e.reason === reason).length;
    expect(evs).toHaveLength(3561);
    expect(by('bad_password')).toBe(3558);
    expect(by('disabled')).toBe(2);
    expect(by('unknown_user')).toBe(1);
    expect(new Set(evs.map((e) => e.srcIp))).toEqual(new Set(['192.168.198.149']));
    expect(new Set(evs.map((e) => e.protocol))).toEqual(new Set(['network']));
  });
});
