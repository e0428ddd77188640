/**
 * Okta System Log (`GET /api/v1/logs`) with an API token (`Authorization: SSWS …`). Uses Okta's
 * polling request: `since` without `until`, ascending, then the `Link: rel="next"` cursor, which is
 * kept in the checkpoint and followed on every poll even after an empty page (Okta orders a polling
 * request by the time events were stored, so events that arrive late still come through the
 * cursor). When the cursor is lost the poll re-queries from the newest event minus the overlap.
 * `X-Rate-Limit-Remaining: 0` pauses until `X-Rate-Limit-Reset`; a 429 waits for that reset too.
 */
import { z } from 'zod';
import { oktaParser } from '../../formats/okta.js';
import { baseUrl, commonConfigShape, field, timeOf, validateConfig, type PollerCommonConfig } from './common.js';
import { ApiClient, PollError, errorDetail, parseJson, where } from './http.js';
import { nextLink } from './link-header.js';
import { expectOk } from './oauth.js';
import { pagedPoller, type PagedApi } from './paged.js';
import type { Poller, PollerDeps } from './runner.js';
import { Redactor } from './secrets.js';

export interface OktaPollerConfig extends PollerCommonConfig {
  /** the org URL, e.g. https://contoso.okta.com */
  baseUrl: string;
  /** API token (sent as `SSWS <token>`); a read-only admin's token is enough */
  apiToken: string;
  /** 'authentication' (default): only the sign-in event types Vigil reads; 'all': everything */
  events?: 'authentication' | 'all';
  /** `limit`, records per page (default 1000, the API's maximum) */
  pageSize?: number;
}

export const oktaConfigSchema = z.object({
  ...commonConfigShape,
  baseUrl: z.string().min(1).max(500),
  apiToken: z.string().min(8).max(500),
  events: z.enum(['authentication', 'all']).optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
});

/** The event types src/formats/okta.ts turns into sign-ins (prefixes with `sw`). */
export const OKTA_AUTH_FILTER = [
  'eventType sw "user.session"',
  'eventType sw "user.authentication"',
  'eventType sw "user.account.lock"',
  'eventType eq "system.push.send_factor_verify_push"',
  'eventType sw "user.mfa.okta_verify.deny_push"',
  'eventType eq "security.threat.detected"',
  'eventType eq "security.request.blocked"',
].join(' or ');

export function createOktaPoller(config: OktaPollerConfig, deps: PollerDeps): Poller {
  const c = validateConfig('okta', oktaConfigSchema, config);
  const base = baseUrl('okta', 'baseUrl', c.baseUrl);
  const now = deps.now ?? Date.now;
  const redactor = new Redactor([c.apiToken]);
  const client = new ApiClient({
    allowedOrigins: [base],
    egress: c.egress ?? {},
    retry: c.retry ?? {},
    timeoutMs: c.timeoutMs ?? 30_000,
    now,
    redact: (t) => redactor.redact(t),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const limit = c.pageSize ?? 1000;

  const api: PagedApi = {
    mode: 'cursor',
    firstUrl: (since) => {
      const q = new URLSearchParams({ since: new Date(since).toISOString(), sortOrder: 'ASCENDING', limit: String(limit) });
      if ((c.events ?? 'authentication') === 'authentication') q.set('filter', OKTA_AUTH_FILTER);
      return `${base}/api/v1/logs?${q.toString()}`;
    },
    async fetchPage(raw, signal) {
      const url = client.checkUrl(raw, 'next link');
      const res = await client.send({ method: 'GET', url: url.href, headers: { authorization: `SSWS ${c.apiToken}` } }, signal);
      if (res.status === 401 || res.status === 403) {
        throw new PollError(`${where(url)} refused the API token: HTTP ${res.status}${errorDetail(res, client.redact)}`, 'auth', res.status);
      }
      expectOk(client, res, url);
      const records = parseJson(res, url);
      if (!Array.isArray(records)) throw new PollError(`${url.host}: answer is not an array of events`, 'http');
      const next = nextLink(res.headers['link']);
      return next !== undefined ? { records, next: new URL(next, url).href } : { records };
    },
    checkNext: (next) => void client.checkUrl(next, 'next link'),
    idOf: (r) => {
      const id = field(r, 'uuid');
      return typeof id === 'string' && id !== '' ? id : undefined;
    },
    timeOf: (r) => timeOf(field(r, 'published')),
  };

  return pagedPoller('okta', c, oktaParser, api, deps, redactor);
}
