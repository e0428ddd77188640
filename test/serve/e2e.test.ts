import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../support/postgres.js';

/**
 * `vigil serve --config vigil.yaml` end to end, once on SQLite and once on PostgreSQL: two tenants,
 * one sending Okta records over HTTP, the other sshd lines over syslog (TCP); alerts reach a
 * loopback SMTP server (admins and the targeted people) and a loopback webhook receiver (signed);
 * the REST API keeps each tenant's alerts to its own tokens.
 */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const PG_URL = TEST_POSTGRES_URL;
const WEBHOOK_SECRET = randomBytes(24).toString('hex');
let dir: string;
let sim: string;

interface Mail {
  to: string;
  subject: string;
  messageId: string;
  body: string;
}
interface Hook {
  tenant: string;
  alertId: string;
  severity: string;
  signed: boolean;
}

function vigil(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`vigil ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Enough of RFC 2045 quoted-printable for the test: soft line breaks and =XX bytes. */
function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        const header = (name: string): string => new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
        const body = /quoted-printable/i.test(raw) ? decodeQuotedPrintable(rest.join('\n\n')) : rest.join('\n\n');
        for (const rcpt of session.envelope.rcptTo) mails.push({ to: rcpt.address, subject: header('Subject'), messageId: header('Message-ID'), body });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

async function startWebhook(): Promise<{ server: Server; url: string; hooks: Hook[] }> {
  const hooks: Hook[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-vigil-signature'] ?? ''));
      const signed = m !== null && m[2] === createHmac('sha256', WEBHOOK_SECRET).update(`${m[1]}.${body}`).digest('hex');
      const p = JSON.parse(body) as { alert?: { id: string; tenant: string; severity: string }; items?: { alert: { id: string; tenant: string; severity: string } }[] };
      for (const a of p.alert ? [p.alert] : (p.items ?? []).map((i) => i.alert)) hooks.push({ tenant: a.tenant, alertId: a.id, severity: a.severity, signed });
      res.writeHead(signed ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/vigil`, hooks };
}

async function startServe(config: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--config', config], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
    child.once('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

interface ApiAlert {
  id: string;
  tenant: string;
  kind: string;
  severity: string;
  users: string[];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  sim = join(dir, 'sim');
  vigil(['simulate', '--out', sim, '--seed', 'e2e', '--orgs', '2', '--users-per-org', '20-40', '--days', '2', '--format', 'okta,sshd']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backends = ['sqlite', 'postgres'] as const;

describe.each(backends)('vigil serve end to end on %s', (backend) => {
  it('detects both tenants\' attacks from HTTP and syslog, mails admins and targeted people, calls the signed webhook, and keeps tenants apart', async (ctx) => {
    const schema = `vigil_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
    if (backend === 'postgres' && (await postgresUnavailable()) !== undefined) {
      ctx.skip();
      return;
    }
    const work = mkdtempSync(join(dir, `${backend}-`));
    const smtp = await startSmtp();
    const hook = await startWebhook();
    const syslogPort = await freePort();
    const serverDb = join(work, 'server.db');
    const store = backend === 'sqlite' ? `  sqlite: ${join(work, 'alerts.db')}` : `  postgres: ${PG_URL}?schema=${schema}`;
    const config = join(work, 'vigil.yaml');
    writeFileSync(
      config,
      `server:
  host: 127.0.0.1
  port: 0
  serverDb: ${serverDb}
store:
${store}
tenants:
  - id: org1.example
    name: Org One
    targetDomains: [org1.example]
  - id: org2.example
    name: Org Two
    targetDomains: [org2.example]
sources:
  - syslog:
      tenant: org2.example
      protocol: tcp
      host: 127.0.0.1
      port: ${syslogPort}
      format: sshd
      allowedPeers: [127.0.0.1/32]
notify:
  contact: the e2e help desk
  perMinute: 10000
  channels:
    - name: mail
      type: smtp
      host: 127.0.0.1
      port: ${smtp.port}
      from: Vigil <vigil@e2e.example>
      to: [soc@e2e.example]
      targetDomains: [org1.example, org2.example]
    - name: hook
      type: webhook
      url: ${hook.url}
      secret: { env: E2E_WEBHOOK_SECRET }
  routes:
    - match: { minSeverity: high }
      channels: [mail, hook]
      audience: admins
    - match: { kinds: [compromise] }
      channels: [mail]
      audience: targets
egress:
  allowPrivate: true
detection:
  snapshotIntervalSeconds: 5
  batch: 2000
`,
    );
    const env = { E2E_WEBHOOK_SECRET: WEBHOOK_SECRET };
    const token = (tenant: string, role: string): string =>
      (JSON.parse(vigil(['token', 'create', '--config', config, '--tenant', tenant, '--role', role], env)) as { token: string }).token;
    const ingest1 = token('org1.example', 'ingest');
    const analyst1 = token('org1.example', 'analyst');
    const analyst2 = token('org2.example', 'analyst');
    const admin = token('org1.example', 'admin');
    const serve = await startServe(config, env);
    try {
      // org1: Okta over HTTP, in batches
      const okta = readFileSync(join(sim, 'okta', 'org1.jsonl'), 'utf8').trim().split('\n');
      for (let i = 0; i < okta.length; i += 500) {
        const r = await fetch(`${serve.url}/v1/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ingest1}`, 'content-type': 'application/x-ndjson' },
          body: okta.slice(i, i + 500).join('\n'),
        });
        expect(r.status).toBe(200);
        expect(((await r.json()) as { rejected: unknown[] }).rejected).toEqual([]);
      }
      // org2: sshd lines over syslog TCP, newline framed, as a forwarder sends them
      const sshd = readFileSync(join(sim, 'sshd', 'org2.log'), 'utf8').trim().split('\n');
      await new Promise<void>((resolve, reject) => {
        const sock = connect(syslogPort, '127.0.0.1', () => {
          sock.end(sshd.map((l) => `<38>1 ${l.replace(/^(\S+) (\S+) sshd\[(\d+)\]: /, '$1 $2 sshd $3 - - ')}\n`).join(''), () => resolve());
        });
        sock.on('error', reject);
      });

      const get = async <T>(path: string, bearer?: string): Promise<{ status: number; body: T }> => {
        const r = await fetch(`${serve.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
        return { status: r.status, body: (await r.json()) as T };
      };
      const alertsOf = async (bearer: string): Promise<ApiAlert[]> => {
        const r = await get<{ alerts: ApiAlert[] }>('/v1/alerts?limit=1000', bearer);
        expect(r.status).toBe(200);
        return r.body.alerts;
      };
      // wait for detection to go through both tenants' records
      let a1: ApiAlert[] = [];
      let a2: ApiAlert[] = [];
      for (let i = 0; i < 120; i++) {
        a1 = await alertsOf(analyst1);
        a2 = await alertsOf(analyst2);
        const journal = await get<{ records: number }>('/v1/journal', analyst2);
        if (journal.body.records >= sshd.length && a1.some((a) => a.kind === 'compromise') && a2.some((a) => a.kind === 'brute_force')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const truth = JSON.parse(readFileSync(join(sim, 'truth.json'), 'utf8')) as { campaigns: { kind: string; tenants: string[]; compromisedUsers: string[] }[] };
      // every tenant has alerts, and only its own
      expect(a1.length).toBeGreaterThan(0);
      expect(a2.length).toBeGreaterThan(0);
      expect(new Set(a1.map((a) => a.tenant))).toEqual(new Set(['org1.example']));
      expect(new Set(a2.map((a) => a.tenant))).toEqual(new Set(['org2.example']));
      // the Okta compromises of the simulation are reported as critical compromises
      // truth names accounts as tenant|user
      const compromised1 = new Set(
        truth.campaigns.flatMap((c) => c.compromisedUsers).filter((u) => u.startsWith('org1.example|')).map((u) => u.slice('org1.example|'.length)),
      );
      expect(compromised1.size).toBeGreaterThan(0);
      const reported1 = new Set(a1.filter((a) => a.kind === 'compromise' && a.severity === 'critical').flatMap((a) => a.users));
      for (const u of compromised1) expect(reported1.has(u), `compromise of ${u}`).toBe(true);
      expect(a2.some((a) => a.kind === 'brute_force' || a.kind === 'credential_stuffing' || a.kind === 'password_spray')).toBe(true);

      // tenant isolation: a token of one tenant never sees the other's objects
      for (const other of a2.slice(0, 5)) {
        expect((await get(`/v1/alerts/${encodeURIComponent(other.id)}`, analyst1)).status).toBe(404);
        expect((await get(`/v1/alerts/${encodeURIComponent(other.id)}`, analyst2)).status).toBe(200);
      }
      expect((await get('/v1/alerts', undefined)).status).toBe(401);
      expect((await get('/v1/alerts', 'vgl_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
      expect((await get('/v1/alerts', ingest1)).status).toBe(403);
      // the admin sees both
      const all = await alertsOf(admin);
      expect(new Set(all.map((a) => a.tenant))).toEqual(new Set(['org1.example', 'org2.example']));

      // notifications settle: every high or critical alert mailed to the admins and posted, signed
      const high = all.filter((a) => a.severity === 'high' || a.severity === 'critical');
      expect(high.length).toBeGreaterThan(0);
      for (let i = 0; i < 60; i++) {
        const mailed = new Set(smtp.mails.filter((m) => m.to === 'soc@e2e.example').map((m) => /Alert id: (\S+)/.exec(m.body)?.[1]));
        const posted = new Set(hook.hooks.map((h) => h.alertId));
        if (high.every((a) => mailed.has(a.id) && posted.has(a.id))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const adminMails = smtp.mails.filter((m) => m.to === 'soc@e2e.example');
      for (const a of high) {
        expect(adminMails.some((m) => m.body.includes(`Alert id: ${a.id}`)), `admin mail for ${a.id}`).toBe(true);
        expect(hook.hooks.some((h) => h.alertId === a.id && h.tenant === a.tenant), `webhook for ${a.id}`).toBe(true);
      }
      expect(new Set(hook.hooks.map((h) => h.tenant))).toEqual(new Set(['org1.example', 'org2.example']));
      // the admins are told which campaign an alert belongs to
      expect(adminMails.every((m) => /Campaign: cp-[0-9a-f]+/.test(m.body))).toBe(true);
      expect(hook.hooks.every((h) => h.signed)).toBe(true);
      // the targeted people of org1 get their own plain-language mail
      for (const u of compromised1) {
        const mine = smtp.mails.filter((m) => m.to === u);
        expect(mine.length, `mail to ${u}`).toBeGreaterThan(0);
        expect(mine[0]!.subject).toContain('Security notice about your account');
        expect(mine[0]!.body).toMatch(/password/i);
        expect(mine[0]!.body).toContain('the e2e help desk');
      }
      // every message once (a stable Message-ID per message)
      const ids = smtp.mails.map((m) => `${m.to} ${m.messageId}`);
      expect(new Set(ids).size).toBe(ids.length);
      // the webhook secret was never logged
      expect(serve.stderr()).not.toContain(WEBHOOK_SECRET);

      // metrics count what came in
      const metrics = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
      const text = await metrics.text();
      expect(text).toMatch(/vigil_events_ingested_total\{source="http",tenant="org1\.example"\} \d+/);
      expect(text).toMatch(/vigil_alerts_total\{/);
    } finally {
      serve.child.kill('SIGTERM');
      await new Promise((r) => serve.child.once('exit', r));
      await new Promise<void>((r) => smtp.server.close(() => r()));
      await new Promise<void>((r) => hook.server.close(() => r()));
      if (backend === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    }
  }, 240_000);
});
