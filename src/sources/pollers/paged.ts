/**
 * The time-window polling shared by Graph, Okta and Google Workspace: query from the newest event
 * time already committed minus the overlap, follow the API's next-page links, and commit every page
 * with a checkpoint `{since, next, seen}` in the same transaction as its records.
 *
 * - `sweep` APIs (Graph, Google: newest first, links valid for one query): a poll reads the whole
 *   query; `since` moves to the newest event of the sweep only when its last page is committed, so
 *   a crash mid-sweep resumes from the stored link, or re-runs the sweep when the link went stale.
 * - `cursor` APIs (Okta's polling request): the next link is kept between polls and followed until
 *   a page comes back empty; `since` only matters when the cursor is lost.
 * Records whose id is in `seen` (ids of the overlap window) are not committed again.
 */
import { z } from 'zod';
import type { FormatParser } from '../../formats/types.js';
import { DEFAULTS, type PollerCommonConfig } from './common.js';
import { PollError } from './http.js';
import { PollingSource, type PollContext, type Poller, type PollerDeps, type PollerKind } from './runner.js';
import type { Redactor } from './secrets.js';
import { SeenIds } from './seen.js';

export interface Page {
  records: unknown[];
  next?: string;
}

export interface PagedApi {
  mode: 'sweep' | 'cursor';
  /** the first page of a query for events at or after `lowerBoundMs` */
  firstUrl(lowerBoundMs: number): string;
  fetchPage(url: string, signal: AbortSignal): Promise<Page>;
  /** refuses (throws) a next link that leaves the configured API host */
  checkNext(url: string): void;
  idOf(record: unknown): string | undefined;
  timeOf(record: unknown): number | undefined;
}

export interface PagedOptions {
  overlapMs: number;
  lookbackMs: number;
  maxPages: number;
}

const stateSchema = z.object({
  v: z.literal(1),
  since: z.number(),
  next: z.string().max(8192).optional(),
  sweepNewest: z.number().optional(),
  seen: z.array(z.tuple([z.string(), z.number()])),
});
type PagedState = z.infer<typeof stateSchema>;

function loadState(ctx: PollContext, opts: PagedOptions): PagedState {
  const text = ctx.savedState();
  if (text !== undefined) {
    try {
      const parsed = stateSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: a damaged checkpoint starts a fresh window
    }
    ctx.log('checkpoint unreadable; starting from the look-back window');
  }
  return { v: 1, since: ctx.now() - opts.lookbackMs, seen: [] };
}

/** A stored link the API no longer honours (expired skip token, changed base URL). */
function isStaleLink(e: unknown): boolean {
  return e instanceof PollError && (e.kind === 'refused' || e.status === 400 || e.status === 404 || e.status === 410);
}

/**
 * The ids the checkpoint keeps. Mid-sweep only those a resumed sweep or the next poll can meet
 * again: older than `since` (the previous overlap, still ahead in a newest-first sweep) or within
 * the overlap of the sweep's newest event. The ones in between matter only if a stale link forces
 * the sweep to start over, and then the journal still refuses sign-ins it holds by vendor id; so
 * the checkpoint stays the size of the overlap, not of the sweep.
 */
function persistedSeen(seen: SeenIds, state: PagedState, overlapMs: number): [string, number][] {
  const all = seen.entries();
  if (state.sweepNewest === undefined) return all;
  const keepFrom = state.sweepNewest - overlapMs;
  return all.filter(([, t]) => t < state.since || t >= keepFrom);
}

export async function pollPaged(ctx: PollContext, api: PagedApi, opts: PagedOptions): Promise<void> {
  const state = loadState(ctx, opts);
  const seen = new SeenIds(state.seen);
  const firstUrl = (): string => api.firstUrl(Math.floor(state.since - opts.overlapMs));
  let fromCheckpoint = state.next !== undefined;
  let url = state.next ?? firstUrl();
  for (let pages = 0; pages < opts.maxPages; pages++) {
    let page: Page;
    try {
      page = await api.fetchPage(url, ctx.signal);
    } catch (e) {
      if (!fromCheckpoint || !isStaleLink(e)) throw e;
      ctx.log('stored next-page link no longer valid; re-reading the window');
      fromCheckpoint = false;
      state.next = undefined;
      state.sweepNewest = undefined;
      url = firstUrl();
      continue;
    }
    fromCheckpoint = false;
    if (page.next !== undefined) api.checkNext(page.next);

    const fresh: unknown[] = [];
    let pageNewest: number | undefined;
    for (const r of page.records) {
      const id = api.idOf(r);
      if (id !== undefined && seen.has(id)) continue;
      const t = api.timeOf(r);
      if (t !== undefined && (pageNewest === undefined || t > pageNewest)) pageNewest = t;
      if (id !== undefined) seen.add(id, t ?? ctx.now());
      fresh.push(r);
    }

    let done: boolean;
    if (api.mode === 'sweep') {
      if (pageNewest !== undefined) state.sweepNewest = Math.max(state.sweepNewest ?? pageNewest, pageNewest);
      if (page.next !== undefined) {
        state.next = page.next;
        done = false;
      } else {
        state.since = Math.max(state.since, state.sweepNewest ?? state.since);
        state.next = undefined;
        state.sweepNewest = undefined;
        seen.prune(state.since - opts.overlapMs);
        done = true;
      }
    } else {
      if (pageNewest !== undefined) state.since = Math.max(state.since, pageNewest);
      state.next = page.next; // none (not a polling request after all): the next poll re-queries from since
      seen.prune(state.since - opts.overlapMs);
      done = page.records.length === 0 || page.next === undefined;
    }
    state.seen = persistedSeen(seen, state, opts.overlapMs);
    ctx.commit(fresh, state, pageNewest);
    if (done || state.next === undefined) return;
    url = state.next;
  }
}

/** A poller of one time-windowed, paged API (Graph, Okta, Google Workspace) with the common settings. */
export function pagedPoller(
  kind: PollerKind,
  c: PollerCommonConfig,
  parser: FormatParser,
  api: PagedApi,
  deps: PollerDeps,
  redactor: Redactor,
): Poller {
  return new PollingSource({
    name: c.name ?? `${kind}:${c.tenant}`,
    kind,
    tenant: c.tenant,
    parser,
    intervalMs: c.intervalMs ?? DEFAULTS.intervalMs,
    deps,
    redactor,
    poll: (ctx) =>
      pollPaged(ctx, api, {
        overlapMs: c.overlapMs ?? DEFAULTS.overlapMs,
        lookbackMs: c.lookbackMs ?? DEFAULTS.lookbackMs,
        maxPages: c.maxPagesPerPoll ?? DEFAULTS.maxPagesPerPoll,
      }),
  });
}
