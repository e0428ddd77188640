/**
 * Google Workspace Reports API, login audit (`activities.list`, applicationName `login`): a
 * service account with domain-wide delegation signs a JWT (RS256) impersonating an admin, scope
 * admin.reports.audit.readonly, exchanged at the key file's token URI. Each poll asks for
 * `startTime=<newest committed - overlap>` and follows `nextPageToken`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { VigilError } from '../../core/errors.js';
import { gwsParser } from '../../formats/gws.js';
import { baseUrl, commonConfigShape, field, timeOf, validateConfig, type PollerCommonConfig } from './common.js';
import { GOOGLE_TOKEN_URL, serviceAccountKeySchema, serviceAccountToken, type ServiceAccountKey } from './google-jwt.js';
import { ApiClient, PollError, parseJson } from './http.js';
import { expectOk, sendAuthorized } from './oauth.js';
import { pagedPoller, type PagedApi } from './paged.js';
import type { Poller, PollerDeps } from './runner.js';
import { Redactor } from './secrets.js';

export const GWS_SCOPE = 'https://www.googleapis.com/auth/admin.reports.audit.readonly';

export interface GwsPollerConfig extends PollerCommonConfig {
  /** the service account's JSON key: the parsed object, or give `serviceAccountKeyFile` */
  serviceAccountKey?: ServiceAccountKey;
  /** path of the JSON key file (read once, at creation) */
  serviceAccountKeyFile?: string;
  /** the Workspace admin the service account acts as (domain-wide delegation) */
  adminEmail: string;
  /** default: the admin's own customer (`my_customer`, i.e. not sent) */
  customerId?: string;
  /** default https://admin.googleapis.com */
  apiBaseUrl?: string;
  /** default: the key file's token_uri, else https://oauth2.googleapis.com/token */
  tokenUrl?: string;
  /** `maxResults`, records per page (default 1000, the API's maximum) */
  pageSize?: number;
}

export const gwsConfigSchema = z.object({
  ...commonConfigShape,
  serviceAccountKey: serviceAccountKeySchema.optional(),
  serviceAccountKeyFile: z.string().min(1).max(4096).optional(),
  adminEmail: z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'an email address'),
  customerId: z.string().regex(/^[A-Za-z0-9_]{1,64}$/).optional(),
  apiBaseUrl: z.string().optional(),
  tokenUrl: z.string().optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
});

function loadKey(c: z.infer<typeof gwsConfigSchema>): ServiceAccountKey {
  if (c.serviceAccountKey) return c.serviceAccountKey;
  if (c.serviceAccountKeyFile === undefined) throw new VigilError('CONFIG', 'gws poller: give serviceAccountKey or serviceAccountKeyFile');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(c.serviceAccountKeyFile, 'utf8'));
  } catch {
    throw new VigilError('CONFIG', `gws poller: serviceAccountKeyFile ${c.serviceAccountKeyFile}: cannot read a JSON key from it`);
  }
  const parsed = serviceAccountKeySchema.safeParse(doc);
  if (!parsed.success) throw new VigilError('CONFIG', `gws poller: serviceAccountKeyFile ${c.serviceAccountKeyFile}: not a service-account key (needs client_email and private_key)`);
  return parsed.data;
}

export function createGwsPoller(config: GwsPollerConfig, deps: PollerDeps): Poller {
  const c = validateConfig('gws', gwsConfigSchema, config);
  const key = loadKey(c);
  const api0 = baseUrl('gws', 'apiBaseUrl', c.apiBaseUrl ?? 'https://admin.googleapis.com');
  const tokenUrl = baseUrl('gws', 'tokenUrl', c.tokenUrl ?? key.token_uri ?? GOOGLE_TOKEN_URL);
  const now = deps.now ?? Date.now;
  const redactor = new Redactor([key.private_key]);
  const client = new ApiClient({
    allowedOrigins: [api0, tokenUrl],
    egress: c.egress ?? {},
    retry: c.retry ?? {},
    timeoutMs: c.timeoutMs ?? 30_000,
    now,
    redact: (t) => redactor.redact(t),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const tokens = serviceAccountToken(client, { key, subject: c.adminEmail, scope: GWS_SCOPE, tokenUrl }, redactor, now);
  const listUrl = `${api0}/admin/reports/v1/activity/users/all/applications/login`;

  const api: PagedApi = {
    mode: 'sweep',
    firstUrl: (since) => {
      const q = new URLSearchParams({ startTime: new Date(since).toISOString(), maxResults: String(c.pageSize ?? 1000) });
      if (c.customerId !== undefined) q.set('customerId', c.customerId);
      return `${listUrl}?${q.toString()}`;
    },
    async fetchPage(raw, signal) {
      const url = client.checkUrl(raw, 'next page');
      const res = expectOk(client, await sendAuthorized(client, tokens, { method: 'GET', url: url.href }, signal), url);
      const doc = parseJson(res, url);
      const items = field(doc, 'items') ?? []; // an empty result has no items at all
      if (!Array.isArray(items)) throw new PollError(`${url.host}: items is not an array`, 'http');
      const token = field(doc, 'nextPageToken');
      if (typeof token !== 'string' || token === '') return { records: items };
      // the token is only valid with the query it came from
      const next = new URL(url.href);
      next.searchParams.set('pageToken', token);
      return { records: items, next: next.href };
    },
    checkNext: (next) => void client.checkUrl(next, 'next page'),
    idOf: (r) => {
      const t = field(r, 'id', 'time');
      const q = field(r, 'id', 'uniqueQualifier');
      return typeof t === 'string' && (typeof q === 'string' || typeof q === 'number') ? `${t}/${q}` : undefined;
    },
    timeOf: (r) => timeOf(field(r, 'id', 'time')),
  };

  return pagedPoller('gws', c, gwsParser, api, deps, redactor);
}
