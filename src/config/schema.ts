/**
 * The vigil.yaml schema (zod 4). Every object is strict: a misspelt key is an error, never ignored.
 * The schema is built per load because secrets are resolved (environment, files) and relative paths
 * made absolute while validating, so each error keeps its key path.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ALERT_KINDS, SEVERITIES } from '../export/jsonl.js';
import { PARSERS, parserById } from '../formats/registry.js';
import { envForm, isEnvName, resolveSecret, Secret, type SecretContext, type SecretRef } from './secrets.js';
import type { GwsSourceConfig, StoreConfig, VigilConfig } from './types.js';

export interface SchemaContext extends SecretContext {
  /** non-fatal findings (e.g. a group-writable secret file) */
  warn: (path: (string | number)[], message: string) => void;
}

const SOURCE_KINDS = ['syslog', 'tail', 'graph', 'okta', 'o365', 'gws'] as const;
const MAILBOX = /^[^\s@<>,;"()[\]\\]{1,64}@[A-Za-z0-9.-]{1,253}$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/;

const text = (max = 500) => z.string().trim().min(1, 'must not be empty').max(max);
const port = (min: number) => z.number().int().min(min).max(65535);
const positiveInt = (max: number) => z.number().int().min(1).max(max);
const tenantId = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'must not be empty')
  .max(253)
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, 'expected a tenant id such as contoso.com (letters, digits, . _ @ -)');
const domain = z.string().trim().toLowerCase().max(253).regex(DOMAIN, 'expected a mail domain such as contoso.com');
const mailbox = z.string().trim().regex(MAILBOX, 'expected a mail address such as soc@contoso.com');
/** an Entra directory: its GUID or a verified domain */
const directoryId = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, 'expected the directory (tenant) id: a GUID or a domain such as contoso.onmicrosoft.com');
const formatId = z
  .string()
  .trim()
  .refine((id) => parserById(id) !== undefined, `unknown format; expected one of ${PARSERS.map((p) => p.id).join(', ')}`);

function isCidr(s: string): boolean {
  try {
    if (s.includes('/')) ipaddr.parseCIDR(s);
    else if (net.isIP(s) === 0) return false;
    return true;
  } catch {
    return false;
  }
}

/** http(s) URL without inline credentials; the trailing slash removed. Never echoes the text. */
function httpUrl(what: string) {
  return z.string().trim().transform((s, c) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      c.addIssue({ code: 'custom', message: `expected an https:// URL (${what})` });
      return z.NEVER;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      c.addIssue({ code: 'custom', message: `expected an https:// URL (${what})` });
      return z.NEVER;
    }
    if (u.username !== '' || u.password !== '') {
      c.addIssue({ code: 'custom', message: 'credentials do not belong in a URL; use the secret fields' });
      return z.NEVER;
    }
    return s.replace(/\/+$/, '');
  });
}

export function buildConfigSchema(ctx: SchemaContext) {
  const filePath = z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .transform((p) => ctx.resolvePath(p));
  const fileList = z
    .union([filePath, z.array(filePath)], { error: 'expected a file path or a list of them' })
    .transform((v) => (Array.isArray(v) ? v : [v]));

  /**
   * A secret reference resolved into a Secret. Inline values are refused; no message here ever
   * contains the text that was written, since it may be the secret itself.
   */
  const secret = (check?: (value: string) => string | undefined) =>
    z.unknown().transform((v, c) => {
      let ref: SecretRef | undefined;
      if (typeof v === 'string') {
        ref = envForm(v);
        if (!ref) {
          c.addIssue({ code: 'custom', message: 'secrets are never written inline: use { env: NAME }, { file: /path } or "${NAME}"' });
          return z.NEVER;
        }
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 1 && typeof o.env === 'string') {
          if (!isEnvName(o.env)) {
            c.addIssue({ code: 'custom', message: 'env: expected an environment variable name (letters, digits, _)' });
            return z.NEVER;
          }
          ref = { env: o.env };
        } else if (keys.length === 1 && typeof o.file === 'string' && o.file.trim() !== '') {
          ref = { file: o.file.trim() };
        }
      }
      if (!ref) {
        c.addIssue({ code: 'custom', message: 'expected a secret reference: { env: NAME }, { file: /path } or "${NAME}"' });
        return z.NEVER;
      }
      const r = resolveSecret(ref, ctx);
      if (!r.ok) {
        c.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      const problem = check?.(r.secret.reveal());
      if (problem !== undefined) {
        c.addIssue({ code: 'custom', message: `${problem} (from ${r.secret.origin})` });
        return z.NEVER;
      }
      if (r.warning !== undefined) ctx.warn([], r.warning);
      return r.secret;
    });
  const secretHttpsUrl = secret((v) => {
    try {
      return new URL(v).protocol === 'https:' ? undefined : 'expected an https:// URL';
    } catch {
      return 'expected an https:// URL';
    }
  });

  // a webhook URL: plain, or a secret reference when the URL itself carries a credential
  const plainWebhookUrl = httpUrl('webhook receiver');
  const urlOrSecret = z.unknown().transform((v, c): string | Secret => {
    const schema = typeof v === 'string' && envForm(v) === undefined ? plainWebhookUrl : secretHttpsUrl;
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    for (const i of r.error.issues) c.addIssue({ code: 'custom', message: i.message });
    return z.NEVER;
  });

  const server = z.strictObject({
    host: text(253).default('127.0.0.1'),
    port: port(0).default(8787),
    serverDb: filePath,
    limits: z
      .strictObject({
        maxBodyBytes: positiveInt(1024 * 1024 * 1024).optional(),
        maxRecords: positiveInt(10_000_000).optional(),
      })
      .prefault({}),
  });

  const postgresUrl = z
    .string()
    .trim()
    .superRefine((s, c) => {
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        c.addIssue({ code: 'custom', message: 'expected a postgres:// URL' });
        return;
      }
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') c.addIssue({ code: 'custom', message: 'expected a postgres:// URL' });
      // the password goes in store.password, as a reference: a URL is printed, copied and logged
      else if (u.password !== '' || u.searchParams.has('password') || u.searchParams.has('sslpassword')) {
        c.addIssue({ code: 'custom', message: 'the URL holds a password; remove it and set store.password to { env: NAME } or { file: /path }' });
      }
    });
  const store = z
    .strictObject({
      sqlite: filePath.optional(),
      postgres: postgresUrl.optional(),
      password: secret().optional(),
      maxConnections: positiveInt(100).optional(),
      connectTimeoutMs: positiveInt(600_000).optional(),
    })
    .superRefine((s, c) => {
      if ((s.sqlite === undefined) === (s.postgres === undefined)) {
        c.addIssue({ code: 'custom', message: 'expected exactly one of sqlite: /path/alerts.db or postgres: postgres://user@host/db' });
        return;
      }
      if (s.sqlite !== undefined) {
        for (const k of ['password', 'maxConnections', 'connectTimeoutMs'] as const) {
          if (s[k] !== undefined) c.addIssue({ code: 'custom', path: [k], message: 'only for a postgres store' });
        }
      }
    })
    .transform((s): StoreConfig => {
      if (s.sqlite !== undefined) return { kind: 'sqlite', path: s.sqlite };
      return {
        kind: 'postgres',
        url: s.postgres!,
        ...(s.password ? { password: s.password } : {}),
        ...(s.maxConnections !== undefined ? { maxConnections: s.maxConnections } : {}),
        ...(s.connectTimeoutMs !== undefined ? { connectTimeoutMs: s.connectTimeoutMs } : {}),
      };
    });

  const enrichment = z.strictObject({
    geoDb: fileList.prefault([]),
    asnDb: fileList.prefault([]),
    torExits: fileList.prefault([]),
    intel: fileList.prefault([]),
    hostingFile: filePath.optional(),
    bundled: z.boolean().default(true),
  });

  const tenant = z
    .strictObject({
      id: tenantId,
      name: text(200).optional(),
      contact: text(500).optional(),
      targetDomains: z.array(domain).default([]),
    })
    .transform((t) => ({ ...t, name: t.name ?? t.id }));

  const sourceName = z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9:._@/-]*$/, 'letters, digits and : . _ @ / -').optional();
  const pollerCommon = {
    name: sourceName,
    tenant: tenantId,
    pollSeconds: positiveInt(86_400).default(60),
    overlapMinutes: z.number().int().min(0).max(1440).default(5),
    lookbackMinutes: z.number().int().min(0).max(180 * 1440).default(60),
    maxPagesPerPoll: positiveInt(100_000).optional(),
    timeoutMs: positiveInt(600_000).optional(),
  };
  const pageSize = positiveInt(1000).optional();
  const cidr = z.string().trim().refine(isCidr, 'expected an address or CIDR such as 10.0.0.0/8');

  const syslog = z
    .strictObject({
      name: sourceName,
      tenant: tenantId,
      tenantByPeer: z.array(z.strictObject({ peers: z.array(cidr).min(1), tenant: tenantId })).optional(),
      protocol: z.enum(['udp', 'tcp', 'tls']),
      host: text(253).default('127.0.0.1'),
      port: port(1),
      format: formatId.optional(),
      allowedPeers: z.array(cidr).default(['127.0.0.0/8', '::1/128']),
      tls: z
        .strictObject({ cert: filePath, key: filePath, ca: filePath.optional(), requireClientCert: z.boolean().default(false) })
        .superRefine((t, c) => {
          // without a CA any publicly issued certificate would pass
          if (t.requireClientCert && t.ca === undefined) c.addIssue({ code: 'custom', path: ['ca'], message: 'requireClientCert needs ca: the CA that issues the senders\' certificates' });
        })
        .optional(),
      maxMessageBytes: positiveInt(16 * 1024 * 1024).optional(),
      maxConnections: positiveInt(100_000).optional(),
      flushMs: positiveInt(60_000).optional(),
      maxBatch: positiveInt(1_000_000).optional(),
      maxPending: positiveInt(10_000_000).optional(),
    })
    .superRefine((s, c) => {
      if (s.protocol === 'tls' && !s.tls) c.addIssue({ code: 'custom', path: ['tls'], message: 'protocol tls needs tls: { cert, key }' });
      if (s.protocol !== 'tls' && s.tls) c.addIssue({ code: 'custom', path: ['tls'], message: 'only for protocol tls' });
    })
    .transform((s) => ({ kind: 'syslog' as const, ...s }));

  const tail = z
    .strictObject({
      name: sourceName,
      tenant: tenantId,
      path: filePath,
      format: formatId.optional(),
      pollMs: positiveInt(3_600_000).default(1000),
      startAt: z.enum(['beginning', 'end']).optional(),
      maxLineBytes: positiveInt(64 * 1024 * 1024).optional(),
      maxBatchLines: positiveInt(1_000_000).optional(),
    })
    .transform((s) => ({ kind: 'tail' as const, ...s }));

  const graph = z
    .strictObject({
      ...pollerCommon,
      tenantId: directoryId,
      clientId: text(200),
      clientSecret: secret(),
      baseUrl: httpUrl('Graph API base').default('https://graph.microsoft.com'),
      loginUrl: httpUrl('OAuth authority').default('https://login.microsoftonline.com'),
      pageSize,
    })
    .transform((s) => ({ kind: 'graph' as const, ...s }));

  const okta = z
    .strictObject({
      ...pollerCommon,
      baseUrl: httpUrl('the Okta org URL, e.g. https://contoso.okta.com'),
      token: secret(),
      events: z.enum(['authentication', 'all']).default('authentication'),
      pageSize,
    })
    .transform((s) => ({ kind: 'okta' as const, ...s }));

  const o365 = z
    .strictObject({
      ...pollerCommon,
      tenantId: directoryId,
      clientId: text(200),
      clientSecret: secret(),
      contentTypes: z
        .array(z.enum(['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All']))
        .min(1)
        .default(['Audit.AzureActiveDirectory']),
      baseUrl: httpUrl('Management Activity API base').default('https://manage.office.com'),
      loginUrl: httpUrl('OAuth authority').default('https://login.microsoftonline.com'),
      publisherId: text(200).optional(),
    })
    .transform((s) => ({ kind: 'o365' as const, ...s }));

  const serviceAccountKey = secret((v) => {
    let key: unknown;
    try {
      key = JSON.parse(v);
    } catch {
      return 'not a service-account JSON key (the file from Google Cloud console)';
    }
    const k = key as Record<string, unknown>;
    if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string' || !k.private_key.includes('PRIVATE KEY')) {
      return 'not a service-account JSON key: client_email or private_key missing';
    }
    return undefined;
  });
  const gws = z
    .strictObject({
      ...pollerCommon,
      serviceAccountKey: serviceAccountKey,
      adminEmail: mailbox,
      customerId: z.string().trim().regex(/^[A-Za-z0-9_]{1,64}$/, 'expected a customer id such as C01abc23d or my_customer').optional(),
      baseUrl: httpUrl('Admin SDK base').default('https://admin.googleapis.com'),
      tokenUrl: httpUrl('OAuth token URL').optional(),
      pageSize,
    })
    .transform(
      (s): GwsSourceConfig => ({
        kind: 'gws' as const,
        ...s,
        tokenUrl: s.tokenUrl ?? tokenUriOf(s.serviceAccountKey) ?? 'https://oauth2.googleapis.com/token',
      }),
    );

  const sourceEntry = z
    .strictObject({
      syslog: syslog.optional(),
      tail: tail.optional(),
      graph: graph.optional(),
      okta: okta.optional(),
      o365: o365.optional(),
      gws: gws.optional(),
    })
    .superRefine((o, c) => {
      const given = SOURCE_KINDS.filter((k) => o[k] !== undefined);
      // an unknown key (a misspelt kind) has been reported already
      if (given.length === 0 && c.issues.some((i) => i.code === 'unrecognized_keys')) return;
      if (given.length === 0) c.addIssue({ code: 'custom', message: `expected one source: ${SOURCE_KINDS.join(', ')}` });
      else if (given.length > 1) c.addIssue({ code: 'custom', message: `one source per list item; found ${given.join(' and ')}` });
    })
    // with no kind given an issue has been reported; NEVER keeps the value out of the result
    .transform((o) => o.syslog ?? o.tail ?? o.graph ?? o.okta ?? o.o365 ?? o.gws ?? z.NEVER);

  const retry = z
    .strictObject({
      maxAttempts: positiveInt(10).optional(),
      baseDelayMs: positiveInt(600_000).optional(),
      maxDelayMs: positiveInt(3_600_000).optional(),
    })
    .optional();
  const channelCommon = { name: text(100), timeoutMs: positiveInt(600_000).optional() };
  const channel = z.discriminatedUnion('type', [
    z.strictObject({
      ...channelCommon,
      type: z.literal('smtp'),
      host: text(253),
      port: port(1),
      secure: z.boolean().optional(),
      requireTLS: z.boolean().optional(),
      user: text(320).optional(),
      password: secret().optional(),
      from: text(320),
      to: z.array(mailbox).optional(),
      targetDomains: z.array(domain).optional(),
      targetAddresses: z.record(z.string().min(1), mailbox).optional(),
      tlsInsecure: z.boolean().optional(),
    }),
    z.strictObject({ ...channelCommon, type: z.literal('slack'), url: secretHttpsUrl, retry }),
    z.strictObject({ ...channelCommon, type: z.literal('teams'), url: secretHttpsUrl, retry }),
    z.strictObject({
      ...channelCommon,
      type: z.literal('webhook'),
      url: urlOrSecret,
      secret: secret((v) => (v.length < 16 ? 'the webhook secret must be at least 16 characters' : undefined)),
      retry,
    }),
  ]);

  const route = z.strictObject({
    match: z
      .strictObject({
        minSeverity: z.enum(SEVERITIES).optional(),
        kinds: z.array(z.enum(ALERT_KINDS)).optional(),
        tenants: z.array(tenantId).optional(),
      })
      .prefault({}),
    channels: z.array(text(100)).min(1),
    audience: z.enum(['admins', 'targets']),
  });

  const notify = z.strictObject({
    channels: z.array(channel).default([]),
    routes: z.array(route).default([]),
    perMinute: positiveInt(10_000).optional(),
    templatesDir: filePath.optional(),
    contact: text(500).optional(),
  });

  return z
    .strictObject({
      server,
      store,
      enrichment: enrichment.prefault({}),
      tenants: z.array(tenant).default([]),
      sources: z.array(sourceEntry).default([]),
      notify: notify.optional(),
      egress: z.strictObject({ allowPrivate: z.boolean().default(false) }).prefault({}),
      detection: z
        .strictObject({
          snapshotIntervalSeconds: positiveInt(86_400).default(300),
          batch: positiveInt(1_000_000).default(5000),
        })
        .prefault({}),
    })
    // references are checked once everything else is valid (the values are then of their types)
    .superRefine(crossCheck, { when: (payload) => payload.issues.length === 0 });
}

type ConfigBody = Omit<VigilConfig, 'file'>;
type Ctx = z.RefinementCtx;

/** References between sections: tenants named by sources and routes, channels named by routes, ports. */
function crossCheck(cfg: ConfigBody, c: Ctx): void {
  const issue = (path: (string | number)[], message: string): void => c.addIssue({ code: 'custom', path, message });
  const tenants = new Set<string>();
  cfg.tenants.forEach((t, i) => {
    if (tenants.has(t.id)) issue(['tenants', i, 'id'], `tenant ${t.id} is declared twice`);
    tenants.add(t.id);
  });
  const undeclared = (id: string): string => `tenant ${id} is not declared under tenants:`;

  const listeners = new Map<string, number>();
  if (cfg.server.port !== 0) listeners.set(`tcp:${cfg.server.port}`, -1);
  cfg.sources.forEach((s, i) => {
    if (!tenants.has(s.tenant)) issue(['sources', i, s.kind, 'tenant'], undeclared(s.tenant));
    if (s.kind !== 'syslog') return;
    (s.tenantByPeer ?? []).forEach((route, j) => {
      if (!tenants.has(route.tenant)) issue(['sources', i, 'syslog', 'tenantByPeer', j, 'tenant'], undeclared(route.tenant));
    });
    const key = `${s.protocol === 'udp' ? 'udp' : 'tcp'}:${s.port}`;
    const other = listeners.get(key);
    if (other !== undefined) {
      issue(['sources', i, 'syslog', 'port'], other < 0 ? `port ${s.port} is the server's port` : `port ${s.port} is already used by sources[${other}]`);
    } else listeners.set(key, i);
  });

  if (!cfg.notify) return;
  const channels = new Set<string>();
  cfg.notify.channels.forEach((ch, i) => {
    if (channels.has(ch.name)) issue(['notify', 'channels', i, 'name'], `channel ${ch.name} is declared twice`);
    channels.add(ch.name);
  });
  cfg.notify.routes.forEach((r, i) => {
    r.channels.forEach((name, j) => {
      if (!channels.has(name)) issue(['notify', 'routes', i, 'channels', j], `no channel named ${name} under notify.channels`);
    });
    (r.match.tenants ?? []).forEach((t, j) => {
      if (!tenants.has(t)) issue(['notify', 'routes', i, 'match', 'tenants', j], undeclared(t));
    });
  });
}

/** The key file's own token endpoint (already checked to be JSON by the secret's check). */
function tokenUriOf(key: Secret): string | undefined {
  const uri = (JSON.parse(key.reveal()) as { token_uri?: unknown }).token_uri;
  return typeof uri === 'string' && uri.startsWith('https://') ? uri : undefined;
}
