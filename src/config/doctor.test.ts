import dgram from 'node:dgram';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../cli/doctor-command.js';
import { hasOpenssl, makeTestPki } from '../sources/test-support.js';
import { checkSource } from './checks/sources.js';
import { formatResult } from './doctor.js';
import type { SyslogSourceConfig } from './types.js';

/** `vigil doctor` against loopback servers: an SMTP relay, an HTTP API and webhook receiver, a temp SQLite store. */
const SMTP_PASSWORD = 'PLANTED-smtp-pw-48d1e0';
const OKTA_TOKEN = 'PLANTED-okta-token-7aa2c3';
const HOOK_SECRET = 'PLANTED-hook-secret-0f9b77e1';
const PG_PASSWORD = 'PLANTED-pg-pw-c0ffee';
const NOW = Date.parse('2026-11-20T12:00:00Z');
const env = { OKTA_TOKEN, HOOK_SECRET, PG_PASSWORD };

const smtp = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, cb) {
    if (auth.username === 'vigil' && auth.password === SMTP_PASSWORD) cb(null, { user: 'vigil' });
    else cb(new Error('Invalid username or password'));
  },
});
const api = http.createServer((_req, res) => {
  res.statusCode = 401;
  res.end('{"errorCode":"E0000011"}');
});
let smtpPort = 0;
let apiPort = 0;
/** a port nothing listens on */
let closedPort = 0;

beforeAll(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  apiPort = (api.address() as AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => api.close(() => r()));
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TorDNSEL exit-addresses file whose newest observation is `daysOld` days before NOW. */
function torList(dir: string, daysOld: number): string {
  const t = new Date(NOW - daysOld * 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
  const f = join(dir, `exit-addresses-${daysOld}.txt`);
  writeFileSync(f, `ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished ${t}\nLastStatus ${t}\nExitAddress 162.247.74.201 ${t}\n`);
  return f;
}

interface Setup {
  dir: string;
  store?: string;
  smtpPort?: number;
  torDaysOld?: number;
  allowPrivate?: boolean;
  syslogPort: number;
  hookUrl?: string;
}

function writeConfig(s: Setup): string {
  const secretFile = join(s.dir, 'smtp-password');
  writeFileSync(secretFile, SMTP_PASSWORD);
  chmodSync(secretFile, 0o600);
  writeFileSync(join(s.dir, 'auth.log'), 'Nov 20 10:00:00 host sshd[1]: Accepted password for a from 10.0.0.1 port 22 ssh2\n');
  const file = join(s.dir, 'vigil.yaml');
  writeFileSync(
    file,
    `server:
  serverDb: server.db
store:
  ${s.store ?? 'sqlite: alerts.db'}
enrichment:
  torExits: [${torList(s.dir, s.torDaysOld ?? 1)}]
tenants:
  - id: contoso.com
sources:
  - syslog: { tenant: contoso.com, protocol: udp, port: ${s.syslogPort} }
  - tail: { tenant: contoso.com, path: auth.log }
  - okta: { tenant: contoso.com, baseUrl: "http://127.0.0.1:${apiPort}", token: { env: OKTA_TOKEN } }
notify:
  channels:
    - { name: mail, type: smtp, host: 127.0.0.1, port: ${s.smtpPort ?? smtpPort}, user: vigil, password: { file: smtp-password }, from: vigil@contoso.com, to: [soc@contoso.com], timeoutMs: 3000 }
    - { name: hook, type: webhook, url: "${s.hookUrl ?? `http://127.0.0.1:${apiPort}/hook`}", secret: { env: HOOK_SECRET } }
  routes:
    - { channels: [mail, hook], audience: admins }
egress: { allowPrivate: ${s.allowPrivate ?? true} }
`,
  );
  return file;
}

async function run(file: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await doctor(file, (l) => lines.push(l), { env, now: NOW, timeoutMs: 3000 });
  return { code, lines };
}

function expectNoSecrets(lines: string[]): void {
  const text = lines.join('\n');
  for (const s of [SMTP_PASSWORD, OKTA_TOKEN, HOOK_SECRET, PG_PASSWORD]) expect(text).not.toContain(s);
}

describe('vigil doctor', () => {
  it('passes with a loopback SMTP relay, a temp SQLite store, a fresh Tor list, a free syslog port and reachable hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    const { code, lines } = await run(writeConfig({ dir, syslogPort: await freeUdpPort() }));
    expect(lines.filter((l) => !l.startsWith('ok  '))).toEqual(['all checks passed']);
    expect(code).toBe(0);
    expect(lines).toContain(`ok    store: SQLite ${join(dir, 'alerts.db')} opens and is migrated`);
    expect(lines).toContain(`ok    server database: ${join(dir, 'server.db')} opens and is writable`);
    expect(lines).toContain(`ok    tor list ${join(dir, 'exit-addresses-1.txt')}: 1 exits, data of 2026-11-19 (1 day old)`);
    expect(lines.some((l) => l.startsWith('ok    channel mail (smtp): 127.0.0.1:') && l.endsWith('accepts EHLO and the login'))).toBe(true);
    expect(lines.some((l) => l.startsWith(`ok    source okta contoso.com: http://127.0.0.1:${apiPort} answers (HTTP 401)`))).toBe(true);
    expect(lines.some((l) => l.startsWith('ok    channel hook (webhook): 127.0.0.1:') && l.includes('accepts connections'))).toBe(true);
    expectNoSecrets(lines);
  });

  it('fails, with a clear line and a fix, for an unreachable store, an unreachable relay, a stale Tor list and a busy syslog port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    const busy = dgram.createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    try {
      const file = writeConfig({
        dir,
        store: `postgres: postgres://vigil@127.0.0.1:${closedPort}/vigil\n  password: { env: PG_PASSWORD }\n  connectTimeoutMs: 2000`,
        smtpPort: closedPort,
        torDaysOld: 40,
        syslogPort: busy.address().port,
      });
      const { code, lines } = await run(file);
      expect(code).toBe(1);
      const failed = lines.filter((l) => l.startsWith('FAIL'));
      expect(failed).toHaveLength(4);
      expect(failed[0]).toMatch(new RegExp(`^FAIL  store: PostgreSQL postgres://vigil@127\\.0\\.0\\.1:${closedPort}/vigil: .+ — fix: check that the server is up`));
      expect(failed[1]).toMatch(/^FAIL {2}tor list .*exit-addresses-40\.txt: 1 exits, data of 2026-10-11 \(40 days old\): older than 30 days — fix: download a fresh list daily/);
      expect(failed[2]).toMatch(new RegExp(`^FAIL  source syslog udp:${busy.address().port} \\(contoso\\.com\\): 127\\.0\\.0\\.1:\\d+ is in use — fix: `));
      expect(failed[3]).toMatch(new RegExp(`^FAIL  channel mail \\(smtp\\): 127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED.* — fix: check host, port`));
      expect(lines[lines.length - 1]).toBe('4 check(s) failed, 0 warning(s)');
      expectNoSecrets(lines);
    } finally {
      busy.close();
    }
  });

  it('warns for a Tor list a week old, fails a refused SMTP login and a private webhook the egress policy forbids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    const file = writeConfig({ dir, torDaysOld: 9, allowPrivate: false, syslogPort: await freeUdpPort() });
    writeFileSync(join(dir, 'smtp-password'), 'wrong-password');
    const { code, lines } = await run(file);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^WARN {2}tor list .*: 1 exits, data of 2026-11-11 \(9 days old\): older than 7 days — fix: /));
    // with allowPrivate false the loopback relay and receiver are refused before any byte is sent
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}channel mail \(smtp\): .*not a public unicast address.* — fix: .*egress\.allowPrivate/));
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}channel hook \(webhook\): 127\.0\.0\.1:\d+: address 127\.0\.0\.1 is not a public unicast address/));
    // the pollers' egress policy is the same: a loopback API needs allowPrivate
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}source okta contoso\.com: http:\/\/127\.0\.0\.1:\d+: address 127\.0\.0\.1 is not a public unicast address.* — fix: use the public API host/));
    expectNoSecrets(lines);

    writeFileSync(file, (await import('node:fs')).readFileSync(file, 'utf8').replace('allowPrivate: false', 'allowPrivate: true'));
    const again = await run(file);
    expect(again.lines).toContainEqual(expect.stringMatching(/^FAIL {2}channel mail \(smtp\): 127\.0\.0\.1:\d+: EAUTH .* — fix: check user and password/));
    expectNoSecrets(again.lines);
  });

  it('reports an invalid vigil.yaml as failing lines that name key and line, and checks nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, `server:\n  serverDb: s.db\nstore:\n  sqlite: a.db\nsources:\n  - okta: { tenant: x, baseUrl: "https://x.okta.com", token: ${OKTA_TOKEN} }\n`);
    const { code, lines } = await run(file);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `FAIL  config: ${file}:6:55: sources[0].okta.token: secrets are never written inline: use { env: NAME }, { file: /path } or "\${NAME}" — fix: correct vigil.yaml (docs/configuration.md); nothing else was checked`,
      '1 check(s) failed, 0 warning(s)',
    ]);
    expectNoSecrets(lines);
  });
});

describe.skipIf(!hasOpenssl())('vigil doctor: syslog over TLS', () => {
  it('loads and pairs the certificate and key as the listener would', async () => {
    const pki = makeTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-tls-'));
    for (const [f, pem] of [['server.crt', pki.serverCert], ['server.key', pki.serverKey], ['client.key', pki.clientKey]] as const) writeFileSync(join(dir, f), pem);
    const port = await freeUdpPort();
    const base: Omit<SyslogSourceConfig, 'tls'> = { kind: 'syslog', tenant: 'contoso.com', protocol: 'tls', host: '127.0.0.1', port, allowedPeers: ['127.0.0.0/8'] };
    const opts = { timeoutMs: 3000, now: NOW };
    const good = await checkSource({ ...base, tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), requireClientCert: false } }, {}, opts);
    expect(good.status).toBe('ok');
    const mismatched = await checkSource({ ...base, tls: { cert: join(dir, 'server.crt'), key: join(dir, 'client.key'), requireClientCert: false } }, {}, opts);
    expect(mismatched).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^TLS files: .*key values mismatch/) });
    expect(formatResult(mismatched)).toContain('— fix: check tls.cert / tls.key / tls.ca');
  });
});
