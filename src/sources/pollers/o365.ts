/**
 * Office 365 Management Activity API: client credentials (scope `{manage}/.default`, i.e. the
 * manage.office.com resource), `subscriptions/start` per content type (Audit.AzureActiveDirectory
 * by default; Audit.Exchange and others optional), then `subscriptions/content` for a time window
 * (at most 24 h, within the last 7 days; `NextPageUri` header paging) listing content blobs, and a
 * GET of each blob's `contentUri` (a JSON array of records).
 *
 * Checkpoint per content type: the end of the last fully listed window, the listing page being
 * worked on, and the ids of blobs already committed (the API may list a blob again, and each new
 * window re-lists the overlap). Each blob's records are committed with the checkpoint naming it.
 */
import { z } from 'zod';
import { o365Parser } from '../../formats/o365.js';
import { baseUrl, commonConfigShape, DEFAULTS, field, validateConfig, type PollerCommonConfig } from './common.js';
import { ApiClient, PollError, errorDetail, parseJson, where } from './http.js';
import { DIRECTORY_ID } from './graph.js';
import { clientCredentialsToken, expectOk, sendAuthorized } from './oauth.js';
import { PollingSource, type PollContext, type Poller, type PollerDeps } from './runner.js';
import { Redactor } from './secrets.js';
import { SeenIds } from './seen.js';

export const O365_CONTENT_TYPES = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'] as const;
export type O365ContentType = (typeof O365_CONTENT_TYPES)[number];

export interface O365PollerConfig extends PollerCommonConfig {
  /** Entra directory (tenant) id: the API's path names it */
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** default ['Audit.AzureActiveDirectory'] (the sign-ins); others are stored, the o365 parser reads the logons */
  contentTypes?: O365ContentType[];
  /** default https://manage.office.com (GCC High: manage.office365.us, ...) */
  apiBaseUrl?: string;
  /** default https://login.microsoftonline.com */
  loginBaseUrl?: string;
  /** PublisherIdentifier: the quota is counted per publisher (default: tenantId, as Microsoft advises) */
  publisherId?: string;
}

export const o365ConfigSchema = z.object({
  ...commonConfigShape,
  tenantId: z.string().regex(DIRECTORY_ID, 'a directory id (GUID)'),
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(1000),
  contentTypes: z.array(z.enum(O365_CONTENT_TYPES)).min(1).max(5).optional(),
  apiBaseUrl: z.string().optional(),
  loginBaseUrl: z.string().optional(),
  publisherId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
});

const MAX_WINDOW_MS = 24 * 3600_000;
/** a window ending this close to now leaves the rest for the next poll */
const CAUGHT_UP_MS = 60_000;
/** the API keeps content for 7 days; stay an hour inside that */
const MAX_AGE_MS = 7 * 24 * 3600_000 - 3600_000;

const feedSchema = z.object({
  contentType: z.string(),
  /** listing windows are complete up to here (epoch ms) */
  end: z.number(),
  /** the window being listed and the listing page being worked on */
  window: z.object({ start: z.number(), end: z.number(), page: z.string().max(8192) }).optional(),
  blobs: z.array(z.tuple([z.string(), z.number()])),
});
const stateSchema = z.object({ v: z.literal(1), feeds: z.array(feedSchema) });
type FeedState = z.infer<typeof feedSchema>;
type O365State = z.infer<typeof stateSchema>;

/** The API's time format: UTC, no zone letter, whole seconds. */
function apiTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/** CreationTime is UTC without a zone letter. */
function creationTime(r: unknown): number | undefined {
  const v = field(r, 'CreationTime');
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isFinite(t) ? t : undefined;
}

interface Blob {
  id: string;
  uri: string;
  created: number;
}

function readBlobs(doc: unknown, where: string): Blob[] {
  if (!Array.isArray(doc)) throw new PollError(`${where}: content listing is not an array`, 'http');
  const out: Blob[] = [];
  for (const b of doc) {
    const id = field(b, 'contentId');
    const uri = field(b, 'contentUri');
    const created = Date.parse(String(field(b, 'contentCreated') ?? ''));
    if (typeof id !== 'string' || typeof uri !== 'string') continue;
    out.push({ id, uri, created: Number.isFinite(created) ? created : 0 });
  }
  return out;
}

function isStale(e: unknown): boolean {
  return e instanceof PollError && (e.kind === 'refused' || e.status === 400 || e.status === 404 || e.status === 410);
}

export function createO365Poller(config: O365PollerConfig, deps: PollerDeps): Poller {
  const c = validateConfig('o365', o365ConfigSchema, config);
  const api = baseUrl('o365', 'apiBaseUrl', c.apiBaseUrl ?? 'https://manage.office.com');
  const login = baseUrl('o365', 'loginBaseUrl', c.loginBaseUrl ?? 'https://login.microsoftonline.com');
  const now = deps.now ?? Date.now;
  const redactor = new Redactor([c.clientSecret]);
  const client = new ApiClient({
    allowedOrigins: [api, login],
    egress: c.egress ?? {},
    retry: c.retry ?? {},
    timeoutMs: c.timeoutMs ?? 60_000,
    now,
    redact: (t) => redactor.redact(t),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const tokens = clientCredentialsToken(
    client,
    { tokenUrl: `${login}/${encodeURIComponent(c.tenantId)}/oauth2/v2.0/token`, clientId: c.clientId, clientSecret: c.clientSecret, scope: `${new URL(api).origin}/.default` },
    redactor,
    now,
  );
  const feedBase = `${api}/api/v1.0/${encodeURIComponent(c.tenantId)}/activity/feed`;
  const publisher = c.publisherId ?? c.tenantId;
  const contentTypes = c.contentTypes ?? ['Audit.AzureActiveDirectory'];
  const overlapMs = c.overlapMs ?? DEFAULTS.overlapMs;
  const lookbackMs = c.lookbackMs ?? DEFAULTS.lookbackMs;
  const maxPages = c.maxPagesPerPoll ?? DEFAULTS.maxPagesPerPoll;
  const subscribed = new Set<string>();

  const get = async (raw: string, what: string, signal: AbortSignal): Promise<{ doc: unknown; nextPage?: string }> => {
    const url = client.checkUrl(raw, what);
    const res = expectOk(client, await sendAuthorized(client, tokens, { method: 'GET', url: url.href }, signal), url);
    const np = res.headers['nextpageuri'];
    const nextPage = Array.isArray(np) ? np[0] : np;
    return nextPage !== undefined && nextPage !== '' ? { doc: parseJson(res, url), nextPage } : { doc: parseJson(res, url) };
  };

  /** Start the subscription once per process; "already enabled" (AF20024) is success. */
  const subscribe = async (contentType: string, signal: AbortSignal): Promise<void> => {
    if (subscribed.has(contentType)) return;
    const url = client.checkUrl(`${feedBase}/subscriptions/start?${new URLSearchParams({ contentType, PublisherIdentifier: publisher })}`, 'subscription');
    const res = await sendAuthorized(client, tokens, { method: 'POST', url: url.href, headers: { 'content-type': 'application/json' }, body: '{}' }, signal);
    if (!(res.status >= 200 && res.status < 300) && !(res.status === 400 && res.body.includes('AF20024'))) {
      throw new PollError(`subscription to ${contentType} at ${where(url)} failed: HTTP ${res.status}${errorDetail(res, client.redact)}`, res.status === 401 || res.status === 403 ? 'auth' : 'http', res.status);
    }
    subscribed.add(contentType);
  };

  const listUrl = (contentType: string, start: number, end: number): string =>
    `${feedBase}/subscriptions/content?${new URLSearchParams({ contentType, startTime: apiTime(start), endTime: apiTime(end), PublisherIdentifier: publisher })}`;

  /** List and fetch windows of one content type until caught up or out of pages for this poll. */
  const pollFeed = async (ctx: PollContext, state: O365State, feed: FeedState, budget: { pages: number }): Promise<void> => {
    await subscribe(feed.contentType, ctx.signal);
    const blobs = new SeenIds(feed.blobs);
    const save = (): void => {
      feed.blobs = blobs.entries();
    };
    while (budget.pages > 0) {
      if (!feed.window) {
        const start = Math.max(feed.end - overlapMs, ctx.now() - MAX_AGE_MS);
        const end = Math.min(ctx.now(), start + MAX_WINDOW_MS);
        if (end - start < 1000) return;
        feed.window = { start, end, page: listUrl(feed.contentType, start, end) };
      }
      const window = feed.window;
      budget.pages--;
      let listing: { doc: unknown; nextPage?: string };
      try {
        listing = await get(window.page, 'content listing', ctx.signal);
      } catch (e) {
        // AF20022: no subscription (disabled since we started it): start it again on the next poll
        if (e instanceof PollError && e.message.includes('AF20022')) subscribed.delete(feed.contentType);
        const first = listUrl(feed.contentType, window.start, window.end);
        if (window.page === first || !isStale(e)) throw e;
        ctx.log(`${feed.contentType}: stored listing page no longer valid; listing the window again`);
        window.page = first;
        continue;
      }
      if (listing.nextPage !== undefined) client.checkUrl(listing.nextPage, 'NextPageUri');
      for (const blob of readBlobs(listing.doc, feed.contentType)) {
        if (blobs.has(blob.id)) continue;
        const content = await get(blob.uri, 'contentUri', ctx.signal);
        if (!Array.isArray(content.doc)) throw new PollError(`${feed.contentType}: content blob is not an array of records`, 'http');
        let newest: number | undefined;
        for (const r of content.doc) {
          const t = creationTime(r);
          if (t !== undefined && (newest === undefined || t > newest)) newest = t;
        }
        blobs.add(blob.id, blob.created || window.end);
        save();
        ctx.commit(content.doc, state, newest);
      }
      let caughtUp = false;
      if (listing.nextPage !== undefined) {
        window.page = listing.nextPage;
      } else {
        feed.end = window.end;
        feed.window = undefined;
        // a later window starts at end - overlap: blobs created before that are not listed again (an hour's margin)
        blobs.prune(feed.end - overlapMs - 3600_000);
        // a window that ended a while ago (catching up, or resumed after a restart) is followed by the next one
        caughtUp = ctx.now() - window.end < CAUGHT_UP_MS;
      }
      save();
      ctx.commit([], state);
      if (caughtUp) return;
    }
  };

  return new PollingSource({
    name: c.name ?? `o365:${c.tenant}`,
    kind: 'o365',
    tenant: c.tenant,
    parser: o365Parser,
    intervalMs: c.intervalMs ?? DEFAULTS.intervalMs,
    deps,
    redactor,
    async poll(ctx) {
      const state = loadState(ctx, contentTypes, lookbackMs);
      const budget = { pages: maxPages };
      for (const feed of state.feeds) await pollFeed(ctx, state, feed, budget);
    },
  });
}

function loadState(ctx: PollContext, contentTypes: readonly string[], lookbackMs: number): O365State {
  let saved: O365State | undefined;
  const text = ctx.savedState();
  if (text !== undefined) {
    try {
      const r = stateSchema.safeParse(JSON.parse(text));
      if (r.success) saved = r.data;
    } catch {
      // a damaged checkpoint starts from the look-back window
    }
    if (!saved) ctx.log('checkpoint unreadable; starting from the look-back window');
  }
  // content types added to the config start fresh; removed ones are dropped
  const feeds = contentTypes.map(
    (contentType): FeedState => saved?.feeds.find((f) => f.contentType === contentType) ?? { contentType, end: ctx.now() - lookbackMs, blobs: [] },
  );
  return { v: 1, feeds };
}
