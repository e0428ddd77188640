import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, readConfig } from './load.js';
import { Secret } from './secrets.js';
import { notifierConfig, storeLocation } from './wire.js';

const root = join(import.meta.dirname, '..', '..');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-config-'));
}

function secretFile(dir: string, name: string, content: string, mode = 0o600): string {
  const f = join(dir, name);
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}

/** the ConfigError of loading `text` as bad.yaml, its message lines */
function errorsOf(text: string, env: Record<string, string> = {}, dir = tempDir()): string[] {
  try {
    parseConfig(text, join(dir, 'bad.yaml'), { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n').map((l) => l.slice(l.indexOf('bad.yaml')));
  }
  throw new Error('expected the config to be refused');
}

const MINIMAL = `server:
  serverDb: server.db
store:
  sqlite: alerts.db
tenants:
  - id: contoso.com
`;

describe('loadConfig: a full configuration', () => {
  it('loads every section with defaults, relative paths taken from the file folder and secrets resolved', () => {
    const dir = tempDir();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = JSON.stringify({
      type: 'service_account',
      client_email: 'vigil@project.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      token_uri: 'https://oauth2.googleapis.com/token',
    });
    secretFile(dir, 'gws-key.json', key);
    secretFile(dir, 'pg-password', '  pg pass/with@odd:chars \n');
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      `server:
  host: 0.0.0.0
  port: 9000
  serverDb: data/server.db
  limits: { maxBodyBytes: 1048576, maxRecords: 1000 }
store:
  postgres: postgres://vigil@db.internal:5432/vigil?schema=vigil
  password: { file: pg-password }
  maxConnections: 8
enrichment:
  geoDb: data/GeoLite2-City.mmdb
  asnDb: [/srv/ip2asn.tsv.gz]
  torExits: [data/tor.txt]
tenants:
  - id: Contoso.com
    name: Contoso Ltd
    contact: IT desk, +1 555 0100
    targetDomains: [contoso.com]
  - id: fabrikam.org
sources:
  - syslog:
      tenant: contoso.com
      protocol: tls
      port: 6514
      tls: { cert: tls/cert.pem, key: tls/key.pem }
      allowedPeers: [10.0.0.0/8, 192.0.2.7]
  - syslog: { tenant: fabrikam.org, protocol: udp, port: 6514 }
  - tail: { tenant: contoso.com, path: /var/log/auth.log }
  - graph:
      tenant: contoso.com
      tenantId: contoso.onmicrosoft.com
      clientId: app-1
      clientSecret: { env: GRAPH_SECRET }
  - okta: { tenant: fabrikam.org, baseUrl: "https://fabrikam.okta.com/", token: "\${OKTA_TOKEN}", events: all }
  - o365: { tenant: contoso.com, tenantId: t, clientId: c, clientSecret: { env: GRAPH_SECRET }, contentTypes: [Audit.AzureActiveDirectory, Audit.Exchange] }
  - gws: { tenant: fabrikam.org, serviceAccountKey: { file: gws-key.json }, adminEmail: admin@fabrikam.org }
notify:
  contact: SOC
  perMinute: 10
  channels:
    - { name: mail, type: smtp, host: smtp.contoso.com, port: 587, user: vigil, password: { env: SMTP_PASSWORD }, from: vigil@contoso.com, to: [soc@contoso.com] }
    - { name: slack, type: slack, url: { env: SLACK_URL } }
    - { name: teams, type: teams, url: { env: TEAMS_URL }, retry: { maxAttempts: 2 } }
    - { name: hook, type: webhook, url: "https://siem.contoso.com/vigil", secret: { env: HOOK_SECRET } }
  routes:
    - { match: { minSeverity: high, tenants: [contoso.com] }, channels: [mail, slack, teams, hook], audience: admins }
    - { match: { kinds: [compromise] }, channels: [mail], audience: targets }
egress: { allowPrivate: true }
detection: { snapshotIntervalSeconds: 60 }
`,
    );
    const env = {
      GRAPH_SECRET: 'graph-secret-value',
      OKTA_TOKEN: 'okta-token-value',
      SMTP_PASSWORD: 'smtp-password',
      SLACK_URL: 'https://hooks.slack.com/services/T0/B0/xyz',
      TEAMS_URL: 'https://contoso.webhook.office.com/webhookb2/abc',
      HOOK_SECRET: 'a-webhook-secret-of-32-characters',
    };
    const c = loadConfig(file, { env });
    expect(c.file).toBe(file);
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9000, serverDb: join(dir, 'data', 'server.db'), limits: { maxBodyBytes: 1048576, maxRecords: 1000 } });
    expect(c.store).toMatchObject({ kind: 'postgres', url: 'postgres://vigil@db.internal:5432/vigil?schema=vigil', maxConnections: 8 });
    // the password goes into the URL only when the store is opened, percent-encoded
    expect(new URL(storeLocation(c.store)).password).toBe(encodeURIComponent('pg pass/with@odd:chars'));
    expect(c.enrichment).toEqual({
      geoDb: [join(dir, 'data', 'GeoLite2-City.mmdb')],
      asnDb: ['/srv/ip2asn.tsv.gz'],
      torExits: [join(dir, 'data', 'tor.txt')],
      intel: [],
      bundled: true,
    });
    expect(c.tenants).toEqual([
      { id: 'contoso.com', name: 'Contoso Ltd', contact: 'IT desk, +1 555 0100', targetDomains: ['contoso.com'] },
      { id: 'fabrikam.org', name: 'fabrikam.org', targetDomains: [] },
    ]);
    expect(c.sources.map((s) => s.kind)).toEqual(['syslog', 'syslog', 'tail', 'graph', 'okta', 'o365', 'gws']);
    const [tlsSyslog, udpSyslog, tail, graph, okta, o365, gws] = c.sources;
    expect(tlsSyslog).toMatchObject({ protocol: 'tls', host: '127.0.0.1', tls: { cert: join(dir, 'tls', 'cert.pem'), requireClientCert: false } });
    expect(udpSyslog).toMatchObject({ allowedPeers: ["127.0.0.0/8", "::1/128"] });
    expect(tail).toEqual({ kind: 'tail', tenant: 'contoso.com', path: '/var/log/auth.log', pollMs: 1000 });
    expect(graph).toMatchObject({ baseUrl: 'https://graph.microsoft.com', loginUrl: 'https://login.microsoftonline.com', pollSeconds: 60, overlapMinutes: 5 });
    expect(okta).toMatchObject({ baseUrl: 'https://fabrikam.okta.com', events: 'all' });
    expect(o365).toMatchObject({ contentTypes: ['Audit.AzureActiveDirectory', 'Audit.Exchange'], baseUrl: 'https://manage.office.com' });
    expect(gws).toMatchObject({ adminEmail: 'admin@fabrikam.org', tokenUrl: 'https://oauth2.googleapis.com/token' });
    if (graph?.kind !== 'graph' || okta?.kind !== 'okta' || gws?.kind !== 'gws') throw new Error('unexpected source order');
    expect(graph.clientSecret.reveal()).toBe('graph-secret-value');
    expect(okta.token.reveal()).toBe('okta-token-value');
    expect(JSON.parse(gws.serviceAccountKey.reveal())).toMatchObject({ client_email: 'vigil@project.iam.gserviceaccount.com' });
    expect(c.egress).toEqual({ allowPrivate: true });
    expect(c.detection).toEqual({ snapshotIntervalSeconds: 60, batch: 5000 });

    const n = notifierConfig(c)!;
    expect(n.egress).toEqual({ allowPrivate: true });
    expect(n.perMinute).toBe(10);
    expect(n.contact).toBe('SOC');
    expect(n.channels).toEqual([
      { name: 'mail', type: 'smtp', host: 'smtp.contoso.com', port: 587, user: 'vigil', password: 'smtp-password', from: 'vigil@contoso.com', to: ['soc@contoso.com'] },
      { name: 'slack', type: 'slack', url: env.SLACK_URL },
      { name: 'teams', type: 'teams', url: env.TEAMS_URL, retry: { maxAttempts: 2 } },
      { name: 'hook', type: 'webhook', url: 'https://siem.contoso.com/vigil', secret: env.HOOK_SECRET },
    ]);
    expect(n.routes[0]).toEqual({ match: { minSeverity: 'high', tenants: ['contoso.com'] }, channels: ['mail', 'slack', 'teams', 'hook'], audience: 'admins' });
  });

  it('vigil.example.yaml at the repository root loads once its environment variables are set', () => {
    const env = {
      VIGIL_GRAPH_CLIENT_SECRET: 'x-graph',
      VIGIL_OKTA_TOKEN: 'x-okta',
      VIGIL_SMTP_PASSWORD: 'x-smtp',
      VIGIL_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/C',
    };
    const { config, warnings } = readConfig(join(root, 'vigil.example.yaml'), { env });
    expect(warnings).toEqual([]);
    expect(config.tenants.map((t) => t.id)).toEqual(['contoso.com', 'fabrikam.org']);
    expect(config.sources.map((s) => s.kind)).toEqual(['syslog', 'tail', 'graph', 'okta']);
    expect(config.notify?.routes).toHaveLength(2);
    // without them, each missing variable is named at its line
    const err = (() => {
      try {
        loadConfig(join(root, 'vigil.example.yaml'), { env: {} });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toMatch(/vigil\.example\.yaml:\d+:\d+: sources\[2\]\.graph\.clientSecret: environment variable VIGIL_GRAPH_CLIENT_SECRET is not set/);
    expect(err).toMatch(/notify\.channels\[1\]\.url: environment variable VIGIL_SLACK_WEBHOOK_URL is not set/);
  });
});

describe('loadConfig: errors name the key path and the line', () => {
  it('a wrong type, a missing key, a bad enum value, a bad URL: each at its line and column', () => {
    const lines = errorsOf(`server:
  serverDb: s.db
  port: "8787"
store:
  sqlite: a.db
tenants:
  - id: contoso.com
sources:
  - tail: { tenant: contoso.com, path: /var/log/auth.log }
  - syslog:
      tenant: contoso.com
      protocol: sctp
      port: 514
  - okta:
      tenant: contoso.com
      baseUrl: ftp://contoso.okta.com
      token: { env: T }
  - graph:
      tenant: contoso.com
      clientId: app
      clientSecret: { env: T }
`, { T: 'token-value' });
    expect(lines).toEqual([
      'bad.yaml:3:3: server.port: expected number, received string',
      'bad.yaml:12:7: sources[1].syslog.protocol: expected one of "udp"|"tcp"|"tls"',
      'bad.yaml:16:7: sources[2].okta.baseUrl: expected an https:// URL (the Okta org URL, e.g. https://contoso.okta.com)',
      'bad.yaml:18:5: sources[3].graph.tenantId: missing: expected string',
    ]);
  });

  it('an unknown key is an error, with the nearest allowed key suggested', () => {
    expect(errorsOf(`${MINIMAL}egress:\n  allowPrivat: true\n`)).toEqual(['bad.yaml:8:3: egress.allowPrivat: unknown key "allowPrivat"; did you mean "allowPrivate"?']);
    expect(errorsOf(`${MINIMAL}sources:\n  - oktaa: { tenant: contoso.com }\n`)).toEqual(['bad.yaml:8:5: sources[0].oktaa: unknown key "oktaa"; did you mean "okta"?']);
    expect(errorsOf(`${MINIMAL}notfy: {}\n`)).toEqual(['bad.yaml:7:1: notfy: unknown key "notfy"; did you mean "notify"?']);
    expect(errorsOf(`${MINIMAL}colour: blue\n`)).toEqual(['bad.yaml:7:1: colour: unknown key "colour"']);
  });

  it('a channel of an unknown type, a route to a channel that does not exist, an undeclared tenant, a port used twice', () => {
    expect(errorsOf(`${MINIMAL}notify:\n  channels:\n    - { name: a, type: sms }\n`)).toEqual([
      'bad.yaml:9:18: notify.channels[0].type: expected type: smtp, slack, teams or webhook',
    ]);
    expect(
      errorsOf(`${MINIMAL}sources:
  - syslog: { tenant: contoso.com, protocol: tcp, port: 6514 }
  - syslog: { tenant: contoso.com, protocol: tls, port: 6514, tls: { cert: c.pem, key: k.pem } }
  - tail: { tenant: fabrikam.org, path: /var/log/x }
notify:
  channels: [{ name: hook, type: webhook, url: "https://h.example/x", secret: { env: S } }]
  routes:
    - { channels: [hook, mail], audience: admins }
`, { S: 'sixteen-chars-secret' }),
    ).toEqual([
      'bad.yaml:9:51: sources[1].syslog.port: port 6514 is already used by sources[0]',
      'bad.yaml:10:13: sources[2].tail.tenant: tenant fabrikam.org is not declared under tenants:',
      'bad.yaml:14:26: notify.routes[0].channels[1]: no channel named mail under notify.channels',
    ]);
  });

  it('a webhook URL is a plain https URL or a secret reference; a file list is a path or a list of paths', () => {
    const hook = (url: string): string[] =>
      errorsOf(`${MINIMAL}notify:\n  channels:\n    - { name: h, type: webhook, url: ${url}, secret: { env: S } }\n`, { S: 'sixteen-chars-secret', H: 'http://plain.example/x' });
    const at = 'bad.yaml:9:33: notify.channels[0].url: ';
    expect(hook('"ftp://h.example/x"')).toEqual([`${at}expected an https:// URL (webhook receiver)`]);
    expect(hook('{ env: H }')).toEqual([`${at}expected an https:// URL (from env H)`]);
    expect(hook('{ env: NOPE }')).toEqual([`${at}environment variable NOPE is not set`]);
    expect(errorsOf(`${MINIMAL}enrichment:\n  geoDb: 5\n`)).toEqual(['bad.yaml:8:3: enrichment.geoDb: expected a file path or a list of them']);
  });

  it('a store needs exactly one of sqlite and postgres; a postgres URL must not carry the password', () => {
    expect(errorsOf('server: { serverDb: s.db }\nstore: {}\n')).toEqual(['bad.yaml:2:1: store: expected exactly one of sqlite: /path/alerts.db or postgres: postgres://user@host/db']);
    const withPassword = errorsOf('server: { serverDb: s.db }\nstore:\n  postgres: postgres://vigil:pw-in-url@db/vigil\n');
    expect(withPassword).toEqual(['bad.yaml:3:3: store.postgres: the URL holds a password; remove it and set store.password to { env: NAME } or { file: /path }']);
    expect(errorsOf('server: { serverDb: s.db }\nstore:\n  postgres: postgres://db/vigil?sslpassword=x\n')[0]).toContain('the URL holds a password');
    expect(errorsOf('server: { serverDb: s.db }\nstore:\n  sqlite: a.db\n  maxConnections: 3\n')).toEqual(['bad.yaml:4:3: store.maxConnections: only for a postgres store']);
  });

  it('YAML syntax errors and duplicate keys give the line, without quoting the source', () => {
    const dup = errorsOf('server:\n  serverDb: s.db\n  serverDb: t.db\nstore: { sqlite: a.db }\n');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatch(/^bad\.yaml:3:3: YAML: Map keys must be unique$/);
    const syntax = errorsOf('server:\n  serverDb: "unclosed\nstore: x\n');
    expect(syntax[0]).toMatch(/^bad\.yaml:\d+:\d+: YAML: /);
    expect(syntax.join('\n')).not.toContain('unclosed');
    expect(errorsOf('')).toEqual(['bad.yaml:1:1: the file is empty; expected at least server: and store:']);
    expect(errorsOf('- a\n- b\n')).toEqual(['bad.yaml:1:1: expected a mapping of sections (server:, store:, …)']);
  });

  it('a file that does not exist is a CONFIG error naming it', () => {
    expect(() => loadConfig(join(tempDir(), 'nope.yaml'))).toThrow(/nope\.yaml: no such file/);
  });
});

describe('secrets', () => {
  const withSource = (source: string): string => `${MINIMAL}sources:\n  - okta:\n      tenant: contoso.com\n      baseUrl: https://contoso.okta.com\n${source}`;

  it('come from { env }, { file } (trimmed) and "${NAME}"', () => {
    const dir = tempDir();
    secretFile(dir, 'okta', '\n  file-token \n');
    for (const [token, expected] of [
      ['{ env: OKTA }', 'env-token'],
      ['"${OKTA}"', 'env-token'],
      ['{ file: okta }', 'file-token'],
      [`{ file: ${join(dir, 'okta')} }`, 'file-token'],
    ] as const) {
      const c = parseConfig(withSource(`      token: ${token}\n`), join(dir, 'vigil.yaml'), { env: { OKTA: ' env-token\n' } }).config;
      const okta = c.sources[0];
      expect(okta?.kind === 'okta' && okta.token.reveal()).toBe(expected);
    }
  });

  it('are refused inline, from an unset or empty variable, and from a missing, empty or world-readable file', () => {
    const dir = tempDir();
    secretFile(dir, 'open', 'world-readable-token', 0o644);
    secretFile(dir, 'empty', '  \n');
    const cases: [string, string][] = [
      ['plain-inline-token', 'secrets are never written inline: use { env: NAME }, { file: /path } or "${NAME}"'],
      ['{ env: UNSET }', 'environment variable UNSET is not set'],
      ['{ env: EMPTY }', 'environment variable EMPTY is empty'],
      ['{ env: "not a name" }', 'env: expected an environment variable name (letters, digits, _)'],
      ['{ file: missing }', `secret file ${join(dir, 'missing')}: no such file`],
      ['{ file: empty }', `secret file ${join(dir, 'empty')} is empty`],
      ['{ file: open }', `secret file ${join(dir, 'open')} is readable by every user of this host; run: chmod 600 ${join(dir, 'open')}`],
      ['{ env: A, file: b }', 'expected a secret reference: { env: NAME }, { file: /path } or "${NAME}"'],
    ];
    for (const [token, message] of cases) {
      expect(errorsOf(withSource(`      token: ${token}\n`), { EMPTY: '' }, dir)).toEqual([`bad.yaml:11:7: sources[0].okta.token: ${message}`]);
    }
  });

  it('a group- or world-writable secret file loads with a warning', () => {
    const dir = tempDir();
    secretFile(dir, 'okta', 'tok', 0o602);
    const { warnings } = parseConfig(withSource('      token: { file: okta }\n'), join(dir, 'vigil.yaml'));
    expect(warnings).toEqual([`${join(dir, 'vigil.yaml')}:1:1: warning: secret file ${join(dir, 'okta')} is writable by every user of this host; run: chmod 600 ${join(dir, 'okta')}`]);
  });

  it('never appear in error messages, in the JSON of the config, or when it is inspected or interpolated', () => {
    const dir = tempDir();
    const planted = {
      env: 'PLANTED-env-9c41d7',
      file: 'PLANTED-file-5be210',
      inline: 'PLANTED-inline-77aa01',
      url: 'PLANTED-url-pw-3310fe',
      open: 'PLANTED-open-file-a1b2c3',
      short: 'PLANTED-s',
      slack: 'https://hooks.slack.com/services/PLANTED-slack-0f0f0f',
    };
    secretFile(dir, 'smtp', `${planted.file}\n`);
    secretFile(dir, 'open', planted.open, 0o644);
    const env = { OKTA: planted.env, SHORT: planted.short, SLACK: planted.slack };
    const good = `${MINIMAL}sources:
  - okta: { tenant: contoso.com, baseUrl: "https://contoso.okta.com", token: { env: OKTA } }
notify:
  channels:
    - { name: mail, type: smtp, host: smtp.contoso.com, port: 25, user: u, password: { file: smtp }, from: v@contoso.com }
    - { name: slack, type: slack, url: { env: SLACK } }
`;
    const c = parseConfig(good, join(dir, 'vigil.yaml'), { env }).config;
    const shown = [JSON.stringify(c), inspect(c, { depth: null }), `${String(c.sources[0] && 'token' in c.sources[0] ? c.sources[0].token : '')}`];
    const bad = `server: { serverDb: s.db }
store:
  postgres: postgres://vigil:${planted.url}@db/vigil
sources:
  - okta: { tenant: contoso.com, baseUrl: "https://contoso.okta.com", token: ${planted.inline} }
  - okta: { tenant: contoso.com, baseUrl: "https://contoso.okta.com", token: { file: open } }
notify:
  channels:
    - { name: hook, type: webhook, url: "https://h.example/", secret: { env: SHORT } }
    - { name: slack, type: slack, url: ${planted.slack} }
    - { name: teams, type: teams, url: { env: OKTA } }
`;
    const errors = errorsOf(bad, env, dir);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const text of [...shown, ...errors]) {
      for (const value of Object.values(planted)) expect(text).not.toContain(value);
    }
    expect(JSON.stringify(c)).toContain('"token":"[secret]"');
    const s = new Secret('abc-secret', 'env X');
    expect([String(s), `${s}`, JSON.stringify({ s }), inspect({ s })]).toEqual(['[secret]', '[secret]', '{"s":"[secret]"}', "{ s: [secret] }"]);
  });
});
