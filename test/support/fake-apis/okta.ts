/**
 * Fake Okta System Log: `GET /api/v1/logs` with `Authorization: SSWS <token>`, the polling request
 * (`since`, ascending, `Link: <…after=…>; rel="next"` on every answer, empty pages included),
 * `filter` of the form `eventType sw|eq "…" or …`, and `X-Rate-Limit-*` headers. Events are
 * ordered by when they were stored: `add(record, visibleAt)` stores a record late, after others
 * published later, as Okta's eventual consistency does.
 */
import { FakeHttp, type FakeReply, type FakeRequest } from './server.js';

export interface FakeOktaOptions {
  now: () => number;
  apiToken: string;
}

export interface OktaEventOpts {
  uuid: string;
  time: number;
  user?: string;
  ip?: string;
  eventType?: string;
  result?: 'SUCCESS' | 'FAILURE';
}

export function oktaEvent(o: OktaEventOpts): Record<string, unknown> {
  const result = o.result ?? 'FAILURE';
  return {
    uuid: o.uuid,
    published: new Date(o.time).toISOString(),
    eventType: o.eventType ?? 'user.session.start',
    actor: { id: '00u1a2b3c4', type: 'User', alternateId: o.user ?? 'alice@contoso.example' },
    client: { ipAddress: o.ip ?? '198.51.100.7' },
    outcome: result === 'SUCCESS' ? { result, reason: null } : { result, reason: 'INVALID_CREDENTIALS' },
  };
}

function matchesFilter(filter: string | null, eventType: string): boolean {
  if (filter === null) return true;
  return filter.split(' or ').some((clause) => {
    const m = /^eventType (sw|eq) "([^"]*)"$/.exec(clause.trim());
    if (!m) return false;
    return m[1] === 'eq' ? eventType === m[2] : eventType.startsWith(m[2] ?? '');
  });
}

export class FakeOkta {
  private readonly pending: { record: Record<string, unknown>; visibleAt: number }[] = [];
  /** records in the order Okta stored them; a cursor is a position here */
  private readonly stored: Record<string, unknown>[] = [];
  nextLinkOrigin: string | undefined;
  /** answers after which the quota is spent: X-Rate-Limit-Remaining 0 until now + resetSeconds */
  quotaExhaustedFor: number | undefined;
  /** cursors carry the epoch they were issued in; older ones are refused (400), as after an expiry */
  private epoch = 0;

  private constructor(
    private readonly opts: FakeOktaOptions,
    readonly http: FakeHttp,
  ) {}

  static async start(opts: FakeOktaOptions): Promise<FakeOkta> {
    let fake: FakeOkta | undefined;
    const http = await FakeHttp.start((r) => fake!.route(r), () => false);
    fake = new FakeOkta(opts, http);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  add(record: Record<string, unknown>, visibleAt?: number): void {
    this.pending.push({ record, visibleAt: visibleAt ?? this.opts.now() });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Every cursor issued so far is refused from now on. */
  expireCursors(): void {
    this.epoch++;
  }

  private store(): void {
    const now = this.opts.now();
    const due = this.pending.filter((p) => p.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt);
    for (const d of due) {
      this.pending.splice(this.pending.indexOf(d), 1);
      this.stored.push(d.record);
    }
  }

  private route(r: FakeRequest): FakeReply {
    if (r.url.pathname !== '/api/v1/logs' || r.method !== 'GET') return { status: 404, body: { errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method' } };
    if (r.headers.authorization !== `SSWS ${this.opts.apiToken}`) {
      return { status: 401, body: { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorId: 'oae1' } };
    }
    this.store();
    const q = r.url.searchParams;
    const since = Date.parse(q.get('since') ?? '1970-01-01T00:00:00Z');
    const limit = Math.min(1000, Number(q.get('limit') ?? 100));
    const after = q.get('after');
    const cursor = after === null ? undefined : /^(\d+)\.(\d+)$/.exec(after);
    if (cursor === null || (cursor !== undefined && Number(cursor[1]) !== this.epoch)) {
      return { status: 400, body: { errorCode: 'E0000001', errorSummary: 'Api validation failed: after' } };
    }
    let pos = cursor === undefined ? 0 : Number(cursor[2]);
    const page: Record<string, unknown>[] = [];
    while (pos < this.stored.length && page.length < limit) {
      const rec = this.stored[pos]!;
      pos++;
      if (Date.parse(String(rec['published'])) >= since && matchesFilter(q.get('filter'), String(rec['eventType']))) page.push(rec);
    }
    const next = new URLSearchParams(q);
    next.set('after', `${this.epoch}.${pos}`);
    const origin = this.nextLinkOrigin ?? this.http.url;
    const headers: Record<string, string> = {
      link: `<${this.http.url}/api/v1/logs?${q.toString()}>; rel="self", <${origin}/api/v1/logs?${next.toString()}>; rel="next"`,
      'x-rate-limit-limit': '120',
      'x-rate-limit-remaining': '119',
      'x-rate-limit-reset': String(Math.floor(this.opts.now() / 1000) + 60),
    };
    if (this.quotaExhaustedFor !== undefined) {
      headers['x-rate-limit-remaining'] = '0';
      headers['x-rate-limit-reset'] = String(Math.floor(this.opts.now() / 1000) + this.quotaExhaustedFor);
      this.quotaExhaustedFor = undefined;
    }
    return { status: 200, headers, body: page };
  }
}
