import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphConfigSchema, gwsConfigSchema, o365ConfigSchema, oktaConfigSchema } from '../sources/pollers/index.js';
import { parseConfig } from './load.js';
import { pollerOptions, syslogOptions, tailOptions } from './sources-wire.js';

/** vigil.yaml sources become options the source factories accept, secrets revealed only there. */
describe('source options from vigil.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-wire-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'gws.json');
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }));
  chmodSync(keyFile, 0o600);
  const env = { SECRET: 'client-secret-value', OKTA: 'okta-api-token-value' };
  const { config } = parseConfig(
    `server: { serverDb: s.db }
store: { sqlite: a.db }
tenants: [{ id: contoso.com }, { id: fabrikam.org }]
sources:
  - syslog:
      tenant: contoso.com
      tenantByPeer: [{ peers: [10.30.0.0/16], tenant: fabrikam.org }]
      protocol: tls
      port: 6514
      allowedPeers: [10.0.0.0/8]
      tls: { cert: c.pem, key: k.pem, ca: ca.pem, requireClientCert: true }
      flushMs: 100
  - tail: { tenant: contoso.com, path: /var/log/auth.log, format: sshd, startAt: end }
  - graph: { tenant: contoso.com, tenantId: contoso.onmicrosoft.com, clientId: app, clientSecret: { env: SECRET }, pollSeconds: 30, overlapMinutes: 10 }
  - okta: { tenant: fabrikam.org, baseUrl: "https://fabrikam.okta.com", token: { env: OKTA }, pageSize: 200 }
  - o365: { tenant: contoso.com, tenantId: 00000000-0000-0000-0000-000000000001, clientId: app, clientSecret: { env: SECRET } }
  - gws: { tenant: fabrikam.org, serviceAccountKey: { file: gws.json }, adminEmail: admin@fabrikam.org, lookbackMinutes: 1440 }
`,
    join(dir, 'vigil.yaml'),
    { env },
  );

  it('syslog: PEM files read, peers and batching passed on', () => {
    const read: string[] = [];
    const opts = syslogOptions(config.sources[0] as Extract<(typeof config.sources)[number], { kind: 'syslog' }>, (f) => {
      read.push(f);
      return Buffer.from(`PEM of ${f}`);
    });
    expect(read).toEqual([join(dir, 'c.pem'), join(dir, 'k.pem'), join(dir, 'ca.pem')]);
    expect(opts).toEqual({
      tenant: 'contoso.com',
      tenantByPeer: [{ peers: ['10.30.0.0/16'], tenant: 'fabrikam.org' }],
      protocol: 'tls',
      host: '127.0.0.1',
      port: 6514,
      allowedPeers: ['10.0.0.0/8'],
      flushMs: 100,
      tls: { cert: Buffer.from(`PEM of ${join(dir, 'c.pem')}`), key: Buffer.from(`PEM of ${join(dir, 'k.pem')}`), ca: Buffer.from(`PEM of ${join(dir, 'ca.pem')}`), requireClientCert: true },
    });
  });

  it('tail: the same fields', () => {
    expect(tailOptions(config.sources[1] as Extract<(typeof config.sources)[number], { kind: 'tail' }>)).toEqual({
      tenant: 'contoso.com',
      path: '/var/log/auth.log',
      format: 'sshd',
      pollMs: 1000,
      startAt: 'end',
    });
  });

  it('pollers: options their own schemas accept, with times in ms and the egress policy', () => {
    const egress = { allowPrivate: false };
    const [graph, okta, o365, gws] = config.sources.slice(2).map((s) => pollerOptions(s, egress));
    expect(graph?.kind).toBe('graph');
    expect(graphConfigSchema.parse(graph?.config)).toMatchObject({ intervalMs: 30_000, overlapMs: 600_000, lookbackMs: 3_600_000, clientSecret: 'client-secret-value', egress });
    expect(oktaConfigSchema.parse(okta?.config)).toMatchObject({ apiToken: 'okta-api-token-value', baseUrl: 'https://fabrikam.okta.com', pageSize: 200, events: 'authentication' });
    expect(o365ConfigSchema.parse(o365?.config)).toMatchObject({ contentTypes: ['Audit.AzureActiveDirectory'], apiBaseUrl: 'https://manage.office.com' });
    expect(gwsConfigSchema.parse(gws?.config)).toMatchObject({ adminEmail: 'admin@fabrikam.org', lookbackMs: 86_400_000, serviceAccountKey: { client_email: 'sa@p.iam.gserviceaccount.com' } });
    expect(pollerOptions(config.sources[0]!, egress)).toBeUndefined();
  });
});
