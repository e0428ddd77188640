import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import type { AuthEvent } from '../core/types.js';
import { sshdParser } from './sshd.js';
import type { ParseContext, RawRecord } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/sshd/', import.meta.url));

function newCtx(extra: Partial<ParseContext> = {}): ParseContext {
  return { file: 'auth.log', line: 0, year: 2024, state: {}, ...extra };
}

/** Parse lines as one file (line numbers from 1) and flush at the end, like the ingest layer. */
function run(lines: readonly string[], extra: Partial<ParseContext> = {}): AuthEvent[] {
  const ctx = newCtx(extra);
  const out: AuthEvent[] = [];
  lines.forEach((value, i) => {
    ctx.line = i + 1;
    out.push(...sshdParser.parse({ framing: 'text', value }, ctx));
  });
  out.push(...(sshdParser.finish?.(ctx) ?? []));
  return out;
}

function one(line: string, extra: Partial<ParseContext> = {}): AuthEvent {
  const evs = run([line], extra);
  expect(evs).toHaveLength(1);
  return evs[0]!;
}

const H = 'Feb 12 14:10:21 web-01 sshd[4242]:';

describe('sshd: sign-in messages', () => {
  it('maps Accepted lines of every method to a success with the method as app', () => {
    for (const method of ['password', 'publickey', 'keyboard-interactive/pam', 'gssapi-with-mic']) {
      const e = one(`${H} Accepted ${method} for alice from 198.51.100.7 port 50022 ssh2`);
      expect(e).toMatchObject({ outcome: 'success', user: 'alice', srcIp: '198.51.100.7', app: method, protocol: 'ssh', source: 'sshd' });
      expect(e.reason).toBeUndefined();
    }
    const pk = one(`${H} Accepted publickey for Deploy from 198.51.100.7 port 50022 ssh2: ED25519 SHA256:AbCdEf0123`);
    expect(pk).toMatchObject({ user: 'deploy', srcIp: '198.51.100.7' });
  });

  it('fills time, tenant (lower-cased host), and file:line ref', () => {
    const e = one('Feb 12 14:10:21 Web-01 sshd[4242]: Failed password for root from 203.0.113.9 port 4711 ssh2');
    expect(new Date(e.time).toISOString()).toBe('2024-02-12T14:10:21.000Z');
    expect(e.tenant).toBe('web-01');
    expect(e.ref).toBe('auth.log:1');
    expect(one(`${H} Failed password for root from 203.0.113.9 port 4711 ssh2`, { defaultTenant: 'acme.example' }).tenant).toBe('acme.example');
  });

  it('maps Failed password to bad_password, or unknown_user for an invalid user', () => {
    expect(one(`${H} Failed password for root from 203.0.113.9 port 4711 ssh2`)).toMatchObject({
      outcome: 'failure', reason: 'bad_password', user: 'root', srcIp: '203.0.113.9', app: 'password',
    });
    expect(one(`${H} Failed password for invalid user ROOT from 203.0.113.9 port 4711 ssh2`)).toMatchObject({
      reason: 'unknown_user', user: 'root',
    });
    expect(one(`${H} Failed keyboard-interactive/pam for invalid user jim from 203.0.113.9 port 33723 ssh2`)).toMatchObject({
      reason: 'unknown_user', user: 'jim', app: 'keyboard-interactive/pam',
    });
    // very old sshd without port, and ssh1
    expect(one(`${H} Failed password for invalid user ROOT from 203.0.113.10`).srcIp).toBe('203.0.113.10');
    expect(one(`${H} Failed password for dan from 127.0.0.1 port 45416 ssh1`)).toMatchObject({ user: 'dan', srcIp: '127.0.0.1' });
  });

  it('maps Failed publickey and Failed none to reason other with the method as code', () => {
    expect(one(`${H} Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA SHA256:v3dpapGleDaUKf`)).toMatchObject({
      outcome: 'failure', reason: 'other', code: 'publickey', user: 'git', srcIp: '192.0.2.1',
    });
    expect(one(`${H} Failed none for bob from 192.0.2.1 port 57904 ssh2`)).toMatchObject({ reason: 'other', code: 'none' });
  });

  it('maps Invalid user (with or without port, empty name) to unknown_user', () => {
    expect(one(`${H} Invalid user oracle from 192.0.2.2 port 37220`)).toMatchObject({ reason: 'unknown_user', user: 'oracle', srcIp: '192.0.2.2', code: 'invalid_user' });
    expect(one(`${H} Invalid user ftp from 192.0.2.1`).srcIp).toBe('192.0.2.1');
    expect(one(`${H} Invalid user  from 192.0.2.68 port 34916`)).toMatchObject({ user: '', srcIp: '192.0.2.68' });
  });

  it('maps preauth disconnects of authenticating users to other and of invalid users to unknown_user', () => {
    expect(one(`${H} Connection closed by authenticating user root 206.81.24.125 port 45362 [preauth]`)).toMatchObject({
      reason: 'other', user: 'root', srcIp: '206.81.24.125', code: 'preauth_disconnect',
    });
    expect(one(`${H} Disconnected from authenticating user root 179.43.183.98 port 59402 [preauth]`)).toMatchObject({ reason: 'other', user: 'root' });
    expect(one(`${H} Connection closed by invalid user admin 141.98.11.11 port 30422 [preauth]`)).toMatchObject({ reason: 'unknown_user', user: 'admin' });
    expect(one(`${H} Disconnected from invalid user ftp 92.255.85.135 port 26138 [preauth]`)).toMatchObject({ reason: 'unknown_user', srcIp: '92.255.85.135' });
    expect(one(`${H} Connection reset by authenticating user root 80.94.92.63 port 49115 [preauth]`)).toMatchObject({ reason: 'other' });
  });

  it('maps MaxAuthTries lines to bad_password / unknown_user', () => {
    expect(one(`${H} error: maximum authentication attempts exceeded for root from 61.80.1.19 port 41322 ssh2 [preauth]`)).toMatchObject({
      reason: 'bad_password', code: 'max_auth_tries', user: 'root', srcIp: '61.80.1.19',
    });
    expect(one(`${H} error: maximum authentication attempts exceeded for invalid user xxx from 192.0.2.7 port 49941 ssh2 [preauth]`)).toMatchObject({
      reason: 'unknown_user', user: 'xxx',
    });
  });

  it('maps a lone pam_unix failure and PAM "N more" to bad_password', () => {
    expect(one(`${H} pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.33.63.160  user=workshop`)).toMatchObject({
      reason: 'bad_password', code: 'pam', user: 'workshop', srcIp: '5.33.63.160',
    });
    expect(one(`${H} PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.60.136.106  user=root`)).toMatchObject({
      reason: 'bad_password', code: 'pam_more', user: 'root', srcIp: '218.60.136.106',
    });
    // old RHEL tag "sshd(pam_unix)[pid]": rhost may be a host name (no IP)
    expect(one('Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root')).toMatchObject({
      user: 'root', srcIp: '',
    });
  });

  it('maps AllowUsers/DenyUsers refusals to blocked', () => {
    expect(one(`${H} User root from 46.45.128.3 not allowed because listed in DenyUsers`)).toMatchObject({ reason: 'blocked', user: 'root', srcIp: '46.45.128.3' });
    expect(run([`${H} User root not allowed because account is locked`])).toEqual([]);
  });

  it('reads IPv6 and IPv4-mapped sources in canonical form', () => {
    expect(one(`${H} Failed password for invalid user ROOT from aaaa:bbbb:cccc:1234:0:0:1:1 port 50273 ssh2`).srcIp).toBe('aaaa:bbbb:cccc:1234::1:1');
    expect(one(`${H} Accepted publickey for bob from 2001:db8::80da:af6b:8b2c port 22 ssh2: RSA SHA256:x`).srcIp).toBe('2001:db8::80da:af6b:8b2c');
    expect(one(`${H} Invalid user test from ::ffff:192.0.2.44 port 1`).srcIp).toBe('192.0.2.44');
  });

  it('returns [] for sshd lines that are not authentication attempts', () => {
    const lines = [
      `${H} Received disconnect from 198.51.100.76 port 58846:11: Bye Bye [preauth]`,
      `${H} Did not receive identification string from 69.61.56.114`,
      `${H} banner exchange: Connection from 192.0.2.12 port 44105: invalid format`,
      `${H} Unable to negotiate with 192.0.2.1 port 55419: no matching cipher found. Their offer: aes256-cbc [preauth]`,
      `${H} Address 1.2.3.4 maps to x.example.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!`,
      `${H} Disconnected from user alice 198.51.100.7 port 50022`,
      `${H} Close session: user ansible from 192.168.1.1 port 34928 id 0`,
      `${H} pam_unix(sshd:session): session opened for user alice by (uid=0)`,
      `${H} Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]`,
      `${H} Server listening on 0.0.0.0 port 22.`,
    ];
    expect(run(lines)).toEqual([]);
  });

  it('returns [] for lines of other programs and for non-syslog text', () => {
    expect(run([
      'Feb 12 14:17:01 web-01 CRON[1]: pam_unix(cron:session): session opened for user root by (uid=0)',
      'Feb 12 14:17:01 web-01 sudo:   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls',
      'Feb 12 14:17:01 web-01 sshguard[77]: Attack from "1.2.3.4" on service SSH',
      '    at continuation line of a stack trace mentioning sshd',
      '',
      'just some text',
    ])).toEqual([]);
  });
});

describe('sshd: source addresses', () => {
  it('gives every address its canonical form, whatever the shape', () => {
    const hosts = ['192.0.2.7', '0.0.0.0', '255.255.255.255', '010.1.1.1', '1.02.3.4', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3',
      '1.2.3.', '.1.2.3', '1234.1.1.1', '2001:DB8::1', '::ffff:192.0.2.9', 'host.example'];
    const canonical: Record<string, string> = {
      '192.0.2.7': '192.0.2.7', '0.0.0.0': '0.0.0.0', '255.255.255.255': '255.255.255.255', '010.1.1.1': '10.1.1.1', '1.02.3.4': '1.2.3.4',
      '2001:DB8::1': '2001:db8::1', '::ffff:192.0.2.9': '192.0.2.9',
    };
    for (const h of hosts) {
      const e = one(`${H} Failed password for root from ${h} port 22 ssh2`);
      expect(e.srcIp, h).toBe(canonical[h] ?? '');
    }
  });
});

describe('sshd: address injection through the user name', () => {
  it('takes the address sshd printed after the name, not one inside the name', () => {
    const a = one(`${H} Failed password for invalid user from 10.10.1.1 from 127.0.0.1 port 58946 ssh2`);
    expect(a).toMatchObject({ srcIp: '127.0.0.1', user: 'from 10.10.1.1' });
    const b = one(`${H} Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2`);
    expect(b).toMatchObject({ srcIp: '127.0.0.1', user: 'test from 10.10.1.2 port 55555 ssh2' });
    const c = one(`${H} Invalid user x from 203.0.113.50 port 1 from 198.51.100.3 port 40000`);
    expect(c.srcIp).toBe('198.51.100.3');
  });

  it('ignores an address placed in auth-info after the real one (ssh1 ruser tail)', () => {
    expect(one(`${H} Failed password for user from 127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4`).srcIp).toBe('127.0.0.1');
  });

  it('anchors preauth disconnect lines on their end', () => {
    const e = one(`${H} Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]`);
    expect(e).toMatchObject({ srcIp: '192.0.2.11', user: 'test 127.0.0.1 port 12345' });
  });

  it('takes the PAM rhost that is followed by user=, not one inside the user name', () => {
    const e = one(`${H} pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152`);
    expect(e).toMatchObject({ srcIp: '192.0.2.2', user: 'test rhost=192.0.2.152' });
  });
});

describe('sshd: one event per attempt', () => {
  it('counts Invalid user + Failed password for invalid user of one connection once, then each further Failed line', () => {
    const evs = run([
      'Mar 29 14:15:38 h sshd[2414]: Invalid user pi from 181.25.206.27',
      'Mar 29 14:15:38 h sshd[2414]: input_userauth_request: invalid user pi [preauth]',
      'Mar 29 14:15:38 h sshd[2414]: pam_unix(sshd:auth): check pass; user unknown',
      'Mar 29 14:15:38 h sshd[2414]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27',
      'Mar 29 14:15:41 h sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2',
      'Mar 29 14:15:43 h sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2',
      'Mar 29 14:15:44 h sshd[2414]: Failed password for invalid user pi from 181.25.206.27 port 50378 ssh2',
      'Mar 29 14:15:52 h sshd[2414]: error: maximum authentication attempts exceeded for invalid user pi from 181.25.206.27 port 50378 ssh2 [preauth]',
      'Mar 29 14:15:52 h sshd[2414]: Disconnecting: Too many authentication failures [preauth]',
      'Mar 29 14:15:52 h sshd[2414]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27',
    ]);
    // three password attempts: the first shown by Invalid user + Failed, two more Failed lines
    expect(evs).toHaveLength(3);
    expect(evs.every((e) => e.user === 'pi' && e.reason === 'unknown_user' && e.srcIp === '181.25.206.27')).toBe(true);
    expect(evs.map((e) => e.ref)).toEqual(['auth.log:1', 'auth.log:6', 'auth.log:7']);
  });

  it('forgets the oldest connection once 5000 are open, counting a pid reused by another host as new', () => {
    const T = 'Mar 29 14:15:38';
    const lines = [
      `${T} h1 sshd[1]: Invalid user a from 192.0.2.1`,
      `${T} h1 sshd[2]: Invalid user b from 192.0.2.2`,
      // same pid on another host: a different connection, created after pid 2's
      `${T} h2 sshd[1]: Invalid user c from 192.0.2.3`,
    ];
    // 4998 more connections make 5000 open; the 4999th forces one out
    for (let pid = 1000; pid < 1000 + 4999; pid++) lines.push(`${T} h1 sshd[${pid}]: Accepted publickey for u from 198.51.100.1 port 1 ssh2`);
    lines.push(`${T} h2 sshd[1]: Failed password for invalid user c from 192.0.2.3 port 2 ssh2`);
    lines.push(`${T} h1 sshd[2]: Failed password for invalid user b from 192.0.2.2 port 2 ssh2`);
    const evs = run(lines);
    const failed = evs.filter((e) => e.app === 'password');
    // h2's pid 1 is still open, so its Failed line is the attempt Invalid user already counted;
    // h1's pid 2 was the oldest and was forgotten, so its Failed line counts on its own
    expect(failed.map((e) => e.user)).toEqual(['b']);
    expect(evs).toHaveLength(3 + 4999 + 1);
  });

  it('drops a pam_unix failure followed by Failed password of the same pid', () => {
    const evs = run([
      'Mar 30 15:54:17 h sshd[14356]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=24.151.103.17  user=elastic_user_0',
      'Mar 30 15:54:19 h sshd[14356]: Failed password for elastic_user_0 from 24.151.103.17 port 57443 ssh2',
      'Mar 30 15:54:20 h sshd[14356]: Connection closed by 24.151.103.17 port 57443 [preauth]',
    ]);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ ref: 'auth.log:2', app: 'password', reason: 'bad_password' });
  });

  it('does not count a pam_unix failure when another module then accepts the password', () => {
    const evs = run([
      'Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.113  user=rda',
      'Mar  7 18:53:20 bar sshd[1556]: Accepted password for rda from 192.0.2.113 port 52100 ssh2',
    ]);
    expect(evs.map((e) => e.outcome)).toEqual(['success']);
  });

  it('releases a held pam_unix failure when the connection ends without a Failed line', () => {
    const evs = run([
      'Mar  7 18:53:20 bar sshd[1600]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.120  user=root',
      'Mar  7 18:53:21 bar sshd[1600]: Connection closed by 192.0.2.120 port 4000 [preauth]',
    ]);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ ref: 'auth.log:1', code: 'pam', user: 'root' });
  });

  it('counts Invalid user + preauth disconnect of one connection once (key-only server)', () => {
    const evs = run([
      'Sep 10 00:05:39 fall sshd[6581]: Invalid user admin from 141.98.11.11 port 30422',
      'Sep 10 00:05:39 fall sshd[6581]: Received disconnect from 141.98.11.11 port 30422:11: Bye Bye [preauth]',
      'Sep 10 00:05:39 fall sshd[6581]: Disconnected from invalid user admin 141.98.11.11 port 30422 [preauth]',
      'Sep 10 00:05:41 fall sshd[6583]: Connection closed by authenticating user root 141.98.11.11 port 30500 [preauth]',
    ]);
    expect(evs.map((e) => [e.user, e.reason])).toEqual([['admin', 'unknown_user'], ['root', 'other']]);
  });

  it('expands rsyslog "message repeated N times" into N attempts', () => {
    const evs = run([
      'Mar 29 23:18:21 h sshd[6402]: Failed password for root from 218.60.136.106 port 56338 ssh2',
      'Mar 29 23:18:33 h sshd[6402]: message repeated 5 times: [ Failed password for root from 218.60.136.106 port 56338 ssh2]',
      'Mar 29 23:18:33 h sshd[6402]: error: maximum authentication attempts exceeded for root from 218.60.136.106 port 56338 ssh2 [preauth]',
      'Mar 29 23:18:33 h sshd[6402]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.60.136.106  user=root',
    ]);
    expect(evs).toHaveLength(6);
    expect(evs.filter((e) => e.ref === 'auth.log:2')).toHaveLength(5);
  });

  it('counts every Invalid user line: each starts a new connection', () => {
    const evs = run(readFileSync(`${FIXTURES}crowdsec-ssh-slow-bf.log`, 'utf8').trimEnd().split('\n'));
    expect(evs).toHaveLength(22);
    expect(new Set(evs.map((e) => e.srcIp))).toEqual(new Set(['103.100.210.198']));
  });

  it('counts each preauth disconnect of separate connections', () => {
    const evs = run(readFileSync(`${FIXTURES}crowdsec-sshd-invalid-bf.log`, 'utf8').trimEnd().split('\n'));
    expect(evs).toHaveLength(6);
    expect(evs.every((e) => e.user === 'root' && e.srcIp === '179.43.183.98' && e.reason === 'other')).toBe(true);
  });
});

describe('sshd: line shapes', () => {
  const MSG = 'Failed password for root from 203.0.113.9 port 4711 ssh2';

  it('reads sshd-session, pid-less, bracketed and PRI-prefixed RFC 3164 tags', () => {
    for (const line of [
      `Jul  3 14:59:17 host sshd-session[1571]: ${MSG}`,
      `Jul  3 14:59:17 host sshd: ${MSG}`,
      `<34>Jul  3 14:59:17 host sshd[1]: ${MSG}`,
      `Jul  3 14:59:17 sshd[8148]: ${MSG}`,
    ]) {
      const e = one(line);
      expect(e).toMatchObject({ srcIp: '203.0.113.9', user: 'root' });
      expect(new Date(e.time).toISOString()).toBe('2024-07-03T14:59:17.000Z');
    }
    expect(one(`Jun 25 23:53:34 [sshd] User root from 1.2.3.4 not allowed because not listed in AllowUsers`).srcIp).toBe('1.2.3.4');
    expect(one(`Jul  3 14:59:17 host sshd[1]: ${MSG}`).tenant).toBe('host');
    expect(one(`Jul  3 14:59:17 sshd[8148]: ${MSG}`).tenant).toBe('default');
  });

  it('reads RFC 5424 lines, with structured data containing brackets', () => {
    const a = one('<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown for invalid user redmond from 192.0.2.1 port 59197 ssh2');
    expect(new Date(a.time).toISOString()).toBe('2019-07-08T21:40:16.954Z');
    expect(a).toMatchObject({ srcIp: '192.0.2.1', user: 'redmond', reason: 'unknown_user', tenant: 'hostname.example.com' });
    const b = one('<38>1 2019-07-08T17:40:17.954167-04:00 h sshd 55555 - [timeQuality tzKnown="1"][x@123 t="[br] \\" ]"] Invalid user redmond from 192.0.2.2 port 55555');
    expect(b).toMatchObject({ srcIp: '192.0.2.2', user: 'redmond' });
  });

  it('reads ISO-stamped rsyslog and journalctl -o short-iso / short-precise lines', () => {
    expect(new Date(one(`2023-09-10T05:26:00.123456+00:00 host sshd[1]: ${MSG}`).time).toISOString()).toBe('2023-09-10T05:26:00.123Z');
    expect(new Date(one(`2023-11-14T00:20:42+0100 host sshd[1]: ${MSG}`).time).toISOString()).toBe('2023-11-13T23:20:42.000Z');
    expect(new Date(one(`Sep 10 05:26:00.654321 host sshd[1]: ${MSG}`).time).toISOString()).toBe('2024-09-10T05:26:00.654Z');
  });

  it('reads consecutive ISO stamps of one minute and the next exactly (fractions, zones, midnight, bad values)', () => {
    const at = (stamp: string): string => new Date(one(`${stamp} host sshd[1]: ${MSG}`).time).toISOString();
    const evs = run([
      `2024-02-26T23:59:58.4+00:00 h sshd[1]: ${MSG}`,
      `2024-02-26T23:59:59.43+00:00 h sshd[2]: ${MSG}`,
      `2024-02-26T23:59:59.4349999+00:00 h sshd[3]: ${MSG}`,
      `2024-02-26T23:59:59Z h sshd[4]: ${MSG}`,
      `2024-02-26T23:59:59-05:00 h sshd[5]: ${MSG}`,
      `2024-02-27T00:00:00.000001+00:00 h sshd[6]: ${MSG}`,
    ]);
    expect(evs.map((e) => new Date(e.time).toISOString())).toEqual([
      '2024-02-26T23:59:58.400Z',
      '2024-02-26T23:59:59.430Z',
      '2024-02-26T23:59:59.434Z',
      '2024-02-26T23:59:59.000Z',
      '2024-02-27T04:59:59.000Z',
      '2024-02-27T00:00:00.000Z',
    ]);
    expect(at('2024-02-26T24:00:00+00:00')).toBe('2024-02-27T00:00:00.000Z');
    for (const bad of ['2024-02-26T23:59:60+00:00', '2024-02-26T24:00:30+00:00', '2024-13-26T10:00:00Z', '2024-02-26T10:00:0x+00:00']) {
      expect(() => sshdParser.parse({ framing: 'text', value: `${bad} host sshd[1]: ${MSG}` }, newCtx()), bad).toThrow(/timestamp/);
    }
  });

  it('converts RFC 3164 wall time with --tz, including DST', () => {
    const summer = one(`Jul 10 10:00:00 host sshd[1]: ${MSG}`, { timeZone: 'America/New_York' });
    const winter = one(`Jan 10 10:00:00 host sshd[1]: ${MSG}`, { timeZone: 'America/New_York' });
    expect(new Date(summer.time).toISOString()).toBe('2024-07-10T14:00:00.000Z');
    expect(new Date(winter.time).toISOString()).toBe('2024-01-10T15:00:00.000Z');
  });

  it('rolls the year over from December to January inside one file', () => {
    const evs = run([
      `Dec 31 23:59:59 host sshd[1]: ${MSG}`,
      `Jan  1 00:00:01 host sshd[2]: ${MSG}`,
    ], { year: undefined, state: { fileMtimeMs: Date.UTC(2024, 0, 1, 1) } });
    expect(evs.map((e) => new Date(e.time).toISOString())).toEqual(['2023-12-31T23:59:59.000Z', '2024-01-01T00:00:01.000Z']);
  });

  it('throws a timestamp RecordError for an sshd line with a garbage stamp', () => {
    for (const line of [
      `Xyz 12 14:10:21 host sshd[1]: ${MSG}`,
      `2023-13-45T99:00:00+00:00 host sshd[1]: ${MSG}`,
      `Feb 30 14:10:21 host sshd[1]: ${MSG}`,
      `<38>1 - host sshd 1 - - ${MSG}`,
    ]) {
      expect(() => run([line])).toThrow(RecordError);
      expect(() => run([line])).toThrow(/^timestamp:/);
    }
  });

  it('throws a RecordError naming the message for a truncated Failed line', () => {
    expect(() => run([`${H} Failed password for root`])).toThrow(/^message:/);
  });
});

describe('sshd: JSON carriers', () => {
  function runJson(values: unknown[], extra: Partial<ParseContext> = {}): AuthEvent[] {
    const ctx = newCtx({ file: 'x.jsonl', ...extra });
    const out: AuthEvent[] = [];
    values.forEach((value, i) => {
      ctx.line = i + 1;
      out.push(...sshdParser.parse({ framing: 'json', value }, ctx));
    });
    out.push(...(sshdParser.finish?.(ctx) ?? []));
    return out;
  }

  const journal = (msg: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    __REALTIME_TIMESTAMP: '1694323560123456',
    _HOSTNAME: 'Fall-2023',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: '7083',
    MESSAGE: msg,
    ...extra,
  });

  it('reads journald JSON export records', () => {
    const [e] = runJson([journal('Failed password for invalid user admin from 61.80.1.19 port 41322 ssh2')]);
    expect(e).toMatchObject({ time: 1694323560123, tenant: 'fall-2023', user: 'admin', srcIp: '61.80.1.19', reason: 'unknown_user', ref: 'x.jsonl:1' });
  });

  it('decodes a journald MESSAGE given as a byte array', () => {
    const bytes = [...Buffer.from('Invalid user b\u00e9la from 61.80.1.19 port 1', 'utf8')];
    expect(runJson([journal(bytes)])[0]).toMatchObject({ user: 'b\u00e9la', srcIp: '61.80.1.19' });
  });

  it('ignores journald records of other programs and rejects a bad journald time', () => {
    expect(runJson([journal('Failed password for root from 1.2.3.4 port 1 ssh2', { SYSLOG_IDENTIFIER: 'sudo' })])).toEqual([]);
    expect(() => runJson([journal('Failed password for root from 1.2.3.4 port 1 ssh2', { __REALTIME_TIMESTAMP: 'soon' })])).toThrow(/^__REALTIME_TIMESTAMP:/);
  });

  it('reads Windows OpenSSH events: invalid-user brute force is 5 attempts', () => {
    const values = readFileSync(`${FIXTURES}windows-openssh-nonexisting-users.jsonl`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const evs = runJson(values);
    // "Invalid user hacker" + 5x "Failed password for invalid user hacker" in one connection = 5 attempts
    expect(evs).toHaveLength(5);
    expect(evs.every((e) => e.user === 'hacker' && e.srcIp === '10.23.23.9' && e.reason === 'unknown_user' && e.tenant === 'fs01.offsec.lan')).toBe(true);
    expect(new Date(evs[0]!.time).toISOString()).toBe('2021-05-20T12:49:51.628Z');
  });

  it('reads Windows OpenSSH events: 5 bad passwords for admmig after one aborted connection', () => {
    const values = readFileSync(`${FIXTURES}windows-openssh-valid-users.jsonl`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    const evs = runJson(values);
    expect(evs.map((e) => e.reason)).toEqual(['other', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password']);
    expect(evs.every((e) => e.user === 'admmig' && e.srcIp === '10.23.23.9')).toBe(true);
  });

  it('survives hostile JSON: wrong types, __proto__ keys, arrays', () => {
    const hostile = JSON.parse('{"__proto__": {"SYSLOG_IDENTIFIER": "sshd"}, "MESSAGE": 5}') as unknown;
    expect(runJson([hostile])).toEqual([]);
    expect(() => runJson([[1, 2]])).toThrow(RecordError);
    expect(() => runJson([journal({ not: 'text' })])).toThrow(/^MESSAGE:/);
    expect(runJson([{ Provider: 'OpenSSH', EventID: 4 }])).toEqual([]);
    expect(() => runJson([{ Provider: 'OpenSSH', payload: 'Invalid user x from 1.2.3.4', TimeCreated: 12 }])).toThrow(/^TimeCreated:/);
  });
});

describe('sshd: detect', () => {
  const text = (value: string): RawRecord => ({ framing: 'text', value });
  it('is sure about sshd syslog lines, unsure about other syslog lines, zero for other text', () => {
    expect(sshdParser.detect(text(`${H} Invalid user a from 1.2.3.4`))).toBeGreaterThanOrEqual(0.9);
    expect(sshdParser.detect(text('<38>1 2022-01-19T14:23:55+00:00 OPNsense sshd 44255 - - Invalid user tutu from 1.2.3.4 port 1'))).toBeGreaterThanOrEqual(0.9);
    expect(sshdParser.detect(text('Feb 12 14:17:01 web-01 CRON[1]: pam_unix(cron:session): session opened'))).toBeLessThan(0.5);
    expect(sshdParser.detect(text('{"a":1}'))).toBe(0);
    expect(sshdParser.detect(text('hello world'))).toBe(0);
  });

  it('recognizes the JSON carriers and nothing else', () => {
    expect(sshdParser.detect({ framing: 'json', value: { __REALTIME_TIMESTAMP: '1', MESSAGE: 'x', SYSLOG_IDENTIFIER: 'sshd' } })).toBeGreaterThanOrEqual(0.9);
    expect(sshdParser.detect({ framing: 'json', value: { Provider: 'OpenSSH', payload: 'x' } })).toBeGreaterThanOrEqual(0.9);
    expect(sshdParser.detect({ framing: 'json', value: { eventType: 'user.session.start' } })).toBe(0);
    expect(sshdParser.detect({ framing: 'json', value: null })).toBe(0);
    expect(sshdParser.detect({ framing: 'csv', value: { a: 'b' } })).toBe(0);
  });
});

describe('sshd: robustness', () => {
  it('parses a 1 MB hostile line in linear time', () => {
    const bodies = [
      'Failed password for '.repeat(50_000),
      ' '.repeat(1_000_000),
      'from '.repeat(200_000),
      'Failed password for x' + ' from 1.2.3.4 port'.repeat(55_000),
      'pam_unix(sshd:auth): authentication failure; ' + ' rhost='.repeat(120_000),
      'Connection closed by authenticating user ' + 'a '.repeat(500_000),
    ];
    for (const body of bodies) {
      const start = performance.now();
      try {
        run([`${H} ${body}`]);
      } catch (e) {
        expect(e).toBeInstanceOf(RecordError);
      }
      expect(performance.now() - start).toBeLessThan(1000);
    }
  });

  it('rejects a non-string text record with a RecordError', () => {
    const ctx = newCtx();
    expect(() => sshdParser.parse({ framing: 'text', value: 42 as unknown as string }, ctx)).toThrow(RecordError);
  });
});

describe('sshd: real logs', () => {
  it('finds the 147-failure brute force and the success in the elastic auth.log window (fixture)', () => {
    const evs = run(readFileSync(`${FIXTURES}elastic-bruteforce-window.log`, 'utf8').trimEnd().split('\n'), { year: 2017 });
    const attack = evs.filter((e) => e.user === 'elastic_user_0' && e.srcIp === '24.151.103.17');
    const failures = attack.filter((e) => e.outcome === 'failure');
    expect(failures).toHaveLength(147);
    expect(new Date(failures[0]!.time).toISOString()).toBe('2017-03-30T15:54:19.000Z');
    expect(new Date(failures.at(-1)!.time).toISOString()).toBe('2017-03-30T16:01:35.000Z');
    const success = attack.filter((e) => e.outcome === 'success');
    expect(success.map((e) => new Date(e.time).toISOString())).toEqual(['2017-03-30T16:01:36.000Z']);
  });

  const ELASTIC = '/work/shared/datasets/elastic-examples-authlog/auth.log';
  it.skipIf(!existsSync(ELASTIC))('reads the whole elastic auth.log: 147 failures, then one Accepted, without errors', () => {
    const evs = run(readFileSync(ELASTIC, 'utf8').trimEnd().split('\n'), { year: 2017 });
    const lo = Date.UTC(2017, 2, 30, 15, 54, 0);
    const hi = Date.UTC(2017, 2, 30, 16, 2, 0);
    const win = evs.filter((e) => e.user === 'elastic_user_0' && e.srcIp === '24.151.103.17' && e.time >= lo && e.time < hi);
    expect(win.filter((e) => e.outcome === 'failure')).toHaveLength(147);
    expect(win.filter((e) => e.outcome === 'success')).toHaveLength(1);
    expect(win.at(-1)!.outcome).toBe('success');
    // SOURCE.md: 226 Accepted lines
    expect(evs.filter((e) => e.outcome === 'success')).toHaveLength(226);
  });
});
