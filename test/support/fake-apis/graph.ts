/**
 * Fake Microsoft Graph: the identity platform token endpoint (client credentials) and
 * `/v1.0/auditLogs/signIns` with `$filter=createdDateTime ge …`, `$top`, newest first and
 * `@odata.nextLink` paging over a snapshot of the query. Events can arrive late: `add(record,
 * visibleAt)` keeps a record out of every answer until the clock reaches `visibleAt`.
 */
import { randomBytes } from 'node:crypto';
import { microsoftToken } from './ms-token.js';
import { FakeHttp, FakeTokens, type FakeReply, type FakeRequest } from './server.js';

export interface FakeGraphOptions {
  now: () => number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds?: number;
}

export interface SignInOpts {
  id: string;
  time: number;
  user?: string;
  ip?: string;
  errorCode?: number;
}

/** A Graph signIn resource as the entra parser reads it. */
export function graphSignIn(o: SignInOpts): Record<string, unknown> {
  const code = o.errorCode ?? 50126;
  return {
    id: o.id,
    createdDateTime: new Date(o.time).toISOString(),
    userPrincipalName: o.user ?? 'alice@contoso.example',
    appDisplayName: 'Office 365 Exchange Online',
    ipAddress: o.ip ?? '198.51.100.7',
    clientAppUsed: 'Browser',
    status: { errorCode: code, failureReason: code === 0 ? null : 'Invalid username or password.' },
    location: { city: 'Berlin', countryOrRegion: 'DE' },
  };
}

export class FakeGraph {
  readonly tokens: FakeTokens;
  private readonly events: { record: Record<string, unknown>; time: number; visibleAt: number }[] = [];
  private readonly snapshots = new Map<string, { list: Record<string, unknown>[]; offset: number; top: number }>();
  /** when set, next links point at this origin instead of ours (an attacker-steered link) */
  nextLinkOrigin: string | undefined;
  /** consent missing: every API call answers 403 */
  forbidden = false;

  private constructor(
    private readonly opts: FakeGraphOptions,
    readonly http: FakeHttp,
  ) {
    this.tokens = new FakeTokens(opts.now, opts.tokenLifetimeSeconds ?? 3600);
  }

  static async start(opts: FakeGraphOptions): Promise<FakeGraph> {
    let fake: FakeGraph | undefined;
    const http = await FakeHttp.start((r) => fake!.route(r), (r) => r.url.pathname.endsWith('/token'));
    fake = new FakeGraph(opts, http);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  add(record: Record<string, unknown>, visibleAt?: number): void {
    const time = Date.parse(String(record['createdDateTime']));
    this.events.push({ record, time, visibleAt: visibleAt ?? this.opts.now() });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private route(r: FakeRequest): FakeReply {
    if (r.method === 'POST' && r.url.pathname === `/${this.opts.tenantId}/oauth2/v2.0/token`) return this.token(r);
    if (r.method === 'GET' && r.url.pathname === '/v1.0/auditLogs/signIns') {
      if (!this.tokens.accepts(r.headers.authorization)) {
        return { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } } };
      }
      if (this.forbidden) return { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } };
      return this.signIns(r.url);
    }
    return { status: 404, body: { error: { code: 'NotFound', message: 'no such route' } } };
  }

  private token(r: FakeRequest): FakeReply {
    return microsoftToken(r, { clientId: this.opts.clientId, clientSecret: this.opts.clientSecret, scope: `${this.http.url}/.default` }, this.tokens);
  }

  private signIns(url: URL): FakeReply {
    const skip = url.searchParams.get('$skiptoken');
    let snap;
    if (skip !== null) {
      snap = this.snapshots.get(skip);
      if (!snap) return { status: 400, body: { error: { code: 'BadRequest', message: 'invalid skip token' } } };
    } else {
      const m = /^createdDateTime ge (\S+)$/.exec(url.searchParams.get('$filter') ?? '');
      const since = m?.[1] !== undefined ? Date.parse(m[1]) : Number.NEGATIVE_INFINITY;
      if (Number.isNaN(since)) return { status: 400, body: { error: { code: 'BadRequest', message: 'bad $filter' } } };
      const now = this.opts.now();
      const list = this.events
        .filter((e) => e.visibleAt <= now && e.time >= since)
        .sort((a, b) => b.time - a.time || String(a.record['id']).localeCompare(String(b.record['id'])))
        .map((e) => e.record);
      snap = { list, offset: 0, top: Number(url.searchParams.get('$top') ?? 100) };
    }
    const page = snap.list.slice(snap.offset, snap.offset + snap.top);
    const body: Record<string, unknown> = { '@odata.context': `${this.http.url}/v1.0/$metadata#auditLogs/signIns`, value: page };
    if (snap.offset + snap.top < snap.list.length) {
      const key = randomBytes(8).toString('hex');
      this.snapshots.set(key, { ...snap, offset: snap.offset + snap.top });
      body['@odata.nextLink'] = `${this.nextLinkOrigin ?? this.http.url}/v1.0/auditLogs/signIns?$top=${snap.top}&$skiptoken=${key}`;
    }
    return { status: 200, body };
  }
}
