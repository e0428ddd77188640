/**
 * Fake Office 365 Management Activity API: the identity platform token endpoint, then under
 * `/api/v1.0/{tenant}/activity/feed/`: `subscriptions/start` (AF20024 when already enabled),
 * `subscriptions/content` (AF20022 before a subscription; windows over 24 h or older than 7 days
 * refused; blobs listed by `contentCreated`, `NextPageUri` header paging) and the blobs themselves
 * (`audit/{contentId}`, a JSON array). A blob can become listable late (`visibleAt`), and the
 * listing can repeat a blob (`repeatListings`), as the real API may.
 */
import { microsoftToken } from './ms-token.js';
import { FakeHttp, FakeTokens, type FakeReply, type FakeRequest } from './server.js';

export interface FakeO365Options {
  now: () => number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds?: number;
  /** blobs per listing page (default 100) */
  listPageSize?: number;
}

export interface LogonOpts {
  id: string;
  time: number;
  user?: string;
  ip?: string;
  failed?: boolean;
}

/** An AzureActiveDirectoryStsLogon record as the o365 parser reads it (CreationTime without a zone). */
export function o365Logon(o: LogonOpts): Record<string, unknown> {
  const failed = o.failed ?? true;
  return {
    CreationTime: new Date(o.time).toISOString().slice(0, 19),
    Id: o.id,
    Operation: failed ? 'UserLoginFailed' : 'UserLoggedIn',
    OrganizationId: 'org-1',
    RecordType: 15,
    ResultStatus: 'Success',
    UserId: o.user ?? 'alice@contoso.example',
    ClientIP: o.ip ?? '198.51.100.7',
    Workload: 'AzureActiveDirectory',
    ...(failed ? { ErrorNumber: '50126', LogonError: 'InvalidUserNameOrPassword' } : { ErrorNumber: '0' }),
  };
}

interface Blob {
  id: string;
  contentType: string;
  created: number;
  visibleAt: number;
  records: Record<string, unknown>[];
}

const parseApiTime = (s: string | null): number => (s === null ? Number.NaN : Date.parse(`${s}Z`));

export class FakeO365 {
  readonly tokens: FakeTokens;
  private readonly blobs: Blob[] = [];
  private readonly subscriptions = new Set<string>();
  private readonly pages = new Map<string, string[]>();
  private nextId = 1;
  /** list every blob twice in a listing */
  repeatListings = false;
  /** origin used in contentUri / NextPageUri values instead of ours */
  contentUriOrigin: string | undefined;
  nextPageOrigin: string | undefined;

  private constructor(
    private readonly opts: FakeO365Options,
    readonly http: FakeHttp,
  ) {
    this.tokens = new FakeTokens(opts.now, opts.tokenLifetimeSeconds ?? 3600);
  }

  static async start(opts: FakeO365Options): Promise<FakeO365> {
    let fake: FakeO365 | undefined;
    const http = await FakeHttp.start((r) => fake!.route(r), (r) => r.url.pathname.endsWith('/token'));
    fake = new FakeO365(opts, http);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  private get feed(): string {
    return `/api/v1.0/${this.opts.tenantId}/activity/feed`;
  }

  /** A content blob of these records, created at `created` (default now), listable from `visibleAt`. */
  addBlob(records: Record<string, unknown>[], opts: { contentType?: string; created?: number; visibleAt?: number } = {}): string {
    const id = `blob${this.nextId++}`;
    const created = opts.created ?? this.opts.now();
    this.blobs.push({ id, contentType: opts.contentType ?? 'Audit.AzureActiveDirectory', created, visibleAt: opts.visibleAt ?? created, records });
    return id;
  }

  /** contentIds fetched, in order */
  fetchedBlobs(): string[] {
    return this.http.requests.filter((r) => r.url.pathname.startsWith(`${this.feed}/audit/`)).map((r) => r.url.pathname.split('/').pop() ?? '');
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private route(r: FakeRequest): FakeReply {
    const p = r.url.pathname;
    if (r.method === 'POST' && p === `/${this.opts.tenantId}/oauth2/v2.0/token`) {
      return microsoftToken(r, { clientId: this.opts.clientId, clientSecret: this.opts.clientSecret, scope: `${this.http.url}/.default` }, this.tokens);
    }
    if (!p.startsWith(this.feed)) return { status: 404, body: { error: { code: 'NotFound', message: 'no such route' } } };
    if (!this.tokens.accepts(r.headers.authorization)) return { status: 401, body: { error: { code: 'AF10001', message: 'The permission set () sent in the request does not include the expected permission.' } } };
    const ct = r.url.searchParams.get('contentType') ?? '';
    if (r.method === 'POST' && p === `${this.feed}/subscriptions/start`) {
      if (this.subscriptions.has(ct)) return { status: 400, body: { error: { code: 'AF20024', message: 'The subscription is already enabled. No property change.' } } };
      this.subscriptions.add(ct);
      return { status: 200, body: { contentType: ct, status: 'enabled', webhook: null } };
    }
    if (r.method === 'GET' && p === `${this.feed}/subscriptions/content`) return this.list(r.url, ct);
    if (r.method === 'GET' && p.startsWith(`${this.feed}/audit/`)) {
      const blob = this.blobs.find((b) => b.id === p.split('/').pop());
      return blob ? { status: 200, body: blob.records } : { status: 404, body: { error: { code: 'AF20051', message: 'Content requested with the key does not exist.' } } };
    }
    return { status: 404, body: { error: { code: 'NotFound', message: 'no such route' } } };
  }

  private list(url: URL, ct: string): FakeReply {
    if (!this.subscriptions.has(ct)) return { status: 400, body: { error: { code: 'AF20022', message: 'No subscription found for the specified content type' } } };
    const token = url.searchParams.get('nextPage');
    let ids: string[];
    if (token !== null) {
      const rest = this.pages.get(token);
      if (!rest) return { status: 400, body: { error: { code: 'AF20030', message: 'Invalid nextPage' } } };
      ids = rest;
    } else {
      const start = parseApiTime(url.searchParams.get('startTime'));
      const end = parseApiTime(url.searchParams.get('endTime'));
      const now = this.opts.now();
      if (!(start < end) || end - start > 24 * 3600_000 || start < now - 7 * 24 * 3600_000) {
        return { status: 400, body: { error: { code: 'AF20055', message: 'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart.' } } };
      }
      ids = this.blobs.filter((b) => b.contentType === ct && b.visibleAt <= now && b.created >= start && b.created < end).map((b) => b.id);
      if (this.repeatListings) ids = ids.flatMap((id) => [id, id]);
    }
    const size = this.opts.listPageSize ?? 100;
    const page = ids.slice(0, size);
    const headers: Record<string, string> = {};
    if (ids.length > size) {
      const key = `p${this.pages.size + 1}`;
      this.pages.set(key, ids.slice(size));
      const next = new URL(url.href);
      next.searchParams.set('nextPage', key);
      headers['NextPageUri'] = `${this.nextPageOrigin ?? this.http.url}${next.pathname}${next.search}`;
    }
    const body = page.map((id) => {
      const b = this.blobs.find((x) => x.id === id)!;
      return {
        contentType: b.contentType,
        contentId: b.id,
        contentUri: `${this.contentUriOrigin ?? this.http.url}${this.feed}/audit/${b.id}`,
        contentCreated: new Date(b.created).toISOString(),
        contentExpiration: new Date(b.created + 7 * 24 * 3600_000).toISOString(),
      };
    });
    return { status: 200, headers, body };
  }
}
