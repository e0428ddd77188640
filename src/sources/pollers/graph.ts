/**
 * Microsoft Graph sign-in logs (`GET /v1.0/auditLogs/signIns`), app-only: client credentials at
 * `{login}/{tenantId}/oauth2/v2.0/token` with scope `{graph}/.default` (the app needs
 * AuditLog.Read.All and an Entra ID P1/P2 tenant). Each poll asks for
 * `$filter=createdDateTime ge <newest committed - overlap>` and follows `@odata.nextLink`.
 */
import { z } from 'zod';
import { entraParser } from '../../formats/entra.js';
import { baseUrl, commonConfigShape, field, timeOf, validateConfig, type PollerCommonConfig } from './common.js';
import { ApiClient, PollError, parseJson } from './http.js';
import { clientCredentialsToken, expectOk, sendAuthorized } from './oauth.js';
import { pagedPoller, type PagedApi } from './paged.js';
import type { Poller, PollerDeps } from './runner.js';
import { Redactor } from './secrets.js';

export interface GraphPollerConfig extends PollerCommonConfig {
  /** Entra directory (tenant) id or its primary domain */
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** default https://graph.microsoft.com (national clouds: graph.microsoft.us, ...) */
  graphBaseUrl?: string;
  /** default https://login.microsoftonline.com */
  loginBaseUrl?: string;
  /** `$top`, records per page (default 1000, the API's maximum) */
  pageSize?: number;
}

export const DIRECTORY_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/;

export const graphConfigSchema = z.object({
  ...commonConfigShape,
  tenantId: z.string().regex(DIRECTORY_ID, 'a directory id (GUID) or domain'),
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(1000),
  graphBaseUrl: z.string().optional(),
  loginBaseUrl: z.string().optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
});

/** OData DateTimeOffset literal, whole seconds (rounding down only widens the window). */
function odataTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function createGraphPoller(config: GraphPollerConfig, deps: PollerDeps): Poller {
  const c = validateConfig('graph', graphConfigSchema, config);
  const graph = baseUrl('graph', 'graphBaseUrl', c.graphBaseUrl ?? 'https://graph.microsoft.com');
  const login = baseUrl('graph', 'loginBaseUrl', c.loginBaseUrl ?? 'https://login.microsoftonline.com');
  const now = deps.now ?? Date.now;
  const redactor = new Redactor([c.clientSecret]);
  const client = new ApiClient({
    allowedOrigins: [graph, login],
    egress: c.egress ?? {},
    retry: c.retry ?? {},
    timeoutMs: c.timeoutMs ?? 30_000,
    now,
    redact: (t) => redactor.redact(t),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const tokens = clientCredentialsToken(
    client,
    { tokenUrl: `${login}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`, clientId: c.clientId, clientSecret: c.clientSecret, scope: `${new URL(graph).origin}/.default` },
    redactor,
    now,
  );
  const top = c.pageSize ?? 1000;

  const api: PagedApi = {
    mode: 'sweep',
    firstUrl: (since) => `${graph}/v1.0/auditLogs/signIns?$filter=${encodeURIComponent(`createdDateTime ge ${odataTime(since)}`)}&$top=${top}`,
    async fetchPage(raw, signal) {
      const url = client.checkUrl(raw, 'next link');
      const res = expectOk(client, await sendAuthorized(client, tokens, { method: 'GET', url: url.href }, signal), url);
      const doc = parseJson(res, url);
      const value = field(doc, 'value');
      if (!Array.isArray(value)) throw new PollError(`${url.host}: answer has no value array`, 'http');
      const next = field(doc, '@odata.nextLink');
      return typeof next === 'string' && next !== '' ? { records: value, next } : { records: value };
    },
    checkNext: (next) => void client.checkUrl(next, 'next link'),
    idOf: (r) => {
      const id = field(r, 'id');
      return typeof id === 'string' && id !== '' ? id : undefined;
    },
    timeOf: (r) => timeOf(field(r, 'createdDateTime')),
  };

  return pagedPoller('graph', c, entraParser, api, deps, redactor);
}
