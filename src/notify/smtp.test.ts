import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { createNotifier } from './index.js';
import type { LogEntry, SmtpChannelConfig } from './types.js';

interface Mail {
  to: string[];
  raw: string;
}

const PASSWORD = 'smtp-pass-planted-9c1e';
const mails: Mail[] = [];
const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, cb) {
    if (auth.username === 'vigil' && auth.password === PASSWORD) cb(null, { user: 'vigil' });
    else cb(new Error('Invalid username or password'));
  },
  onData(stream, session, cb) {
    let raw = '';
    stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
      cb();
    });
  },
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function smtp(over: Partial<SmtpChannelConfig> = {}): SmtpChannelConfig {
  return {
    type: 'smtp',
    name: 'mail',
    host: '127.0.0.1',
    port,
    user: 'vigil',
    password: PASSWORD,
    from: 'vigil@contoso.com',
    to: ['soc@contoso.com'],
    targetDomains: ['contoso.com'],
    timeoutMs: 3000,
    ...over,
  };
}

/** the decoded text part: quoted-printable soft breaks joined, =XX decoded */
function textOf(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

describe('SMTP channel against a loopback smtp-server', () => {
  it('mails the admins the evidence and each targeted person in an allowed domain their steps', async () => {
    mails.length = 0;
    const n = createNotifier({
      channels: [smtp()],
      routes: [
        { match: {}, channels: ['mail'], audience: 'admins' },
        { match: {}, channels: ['mail'], audience: 'targets' },
      ],
      egress: { allowPrivate: true },
      contact: 'the IT desk on +1 555 0100',
    });
    const alert = makeAlert({
      id: 'c1',
      kind: 'compromise',
      severity: 'critical',
      users: ['alice@contoso.com', 'ceo@attacker.example'],
      sourceIps: ['198.51.100.23'],
      evidence: { attempts: 12, failures: 11, successes: 1, refs: ['signins.json:40'] },
      campaignId: 'camp-42',
      actor: { name: 'APT28', aliases: ['Fancy Bear'], confidence: 0.6, reasons: [] },
    });
    const r = await n.notify([alert]);
    expect(r).toMatchObject({ sent: 2, failed: 0, skipped: 1 }); // the attacker-chosen address is not mailed
    const admin = mails.find((m) => m.to.includes('soc@contoso.com'))!;
    const adminText = textOf(admin.raw);
    expect(adminText).toContain('Subject: [Vigil critical] Account taken over on contoso.com');
    expect(adminText).toContain('Evidence: 12 attempts, 11 failures, 1 successes');
    expect(adminText).toContain('Campaign: camp-42');
    expect(adminText).toContain('Actor: APT28 (confidence 60%)');
    expect(adminText).toContain('- 198.51.100.23');
    expect(adminText).toContain('- signins.json:40');
    const target = mails.find((m) => m.to.includes('alice@contoso.com'))!;
    const targetText = textOf(target.raw);
    expect(targetText).toContain('Did anyone get in? Yes, very likely');
    expect(targetText).toContain('- Change your password now');
    expect(targetText).toContain('- Sign out of every other session');
    expect(targetText).toContain('phishing-resistant MFA');
    expect(targetText).toContain('call the IT desk on +1 555 0100');
    expect(mails.some((m) => m.to.some((t) => t.includes('attacker.example')))).toBe(false);
    await n.close();
  });

  it('reports a wrong password without revealing it, in errors and logs', async () => {
    const logs: LogEntry[] = [];
    const n = createNotifier({
      channels: [smtp({ password: `${PASSWORD}-wrong` })],
      routes: [{ match: {}, channels: ['mail'], audience: 'admins' }],
      egress: { allowPrivate: true },
      log: (e) => logs.push(e),
    });
    const r = await n.notify([makeAlert({ id: 'w1' })]);
    expect(r.failed).toBe(1);
    expect(r.errors[0]).toMatch(/channel "mail": SMTP 127\.0\.0\.1:\d+: EAUTH/);
    expect(JSON.stringify([r.errors, logs])).not.toContain(PASSWORD);
    await n.close();
  });

  it('refuses a loopback SMTP server unless allowPrivate is set', async () => {
    mails.length = 0;
    const n = createNotifier({ channels: [smtp()], routes: [{ match: {}, channels: ['mail'], audience: 'admins' }] });
    const r = await n.notify([makeAlert({ id: 'p1' })]);
    expect(r.failed).toBe(1);
    expect(r.errors[0]).toContain('127.0.0.1 is not a public unicast address');
    expect(mails).toHaveLength(0);
    await n.close();
  });
});
