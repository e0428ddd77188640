/**
 * Fake Google Workspace: an OAuth token endpoint for the service-account JWT grant (checks the
 * RS256 signature against the test's public key, issuer, subject, scope, audience and expiry) and
 * the Reports API `activities.list` for applicationName `login` (`startTime`, newest first,
 * `maxResults`, `nextPageToken`). `add(record, visibleAt)` delays a record, as Google's reporting
 * lag does.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { FakeHttp, FakeTokens, formOf, type FakeReply, type FakeRequest } from './server.js';

export interface FakeGwsOptions {
  now: () => number;
  /** PEM public key of the service account */
  publicKey: string;
  clientEmail: string;
  adminEmail: string;
  tokenLifetimeSeconds?: number;
}

export interface ActivityOpts {
  time: number;
  qualifier: string;
  user?: string;
  ip?: string;
  name?: 'login_success' | 'login_failure';
}

export function gwsActivity(o: ActivityOpts): Record<string, unknown> {
  const name = o.name ?? 'login_failure';
  const parameters: Record<string, unknown>[] = [{ name: 'login_type', value: 'google_password' }];
  if (name === 'login_failure') parameters.push({ name: 'login_failure_type', value: 'login_failure_invalid_password' });
  return {
    kind: 'admin#reports#activity',
    id: { time: new Date(o.time).toISOString(), uniqueQualifier: o.qualifier, applicationName: 'login', customerId: 'C0test' },
    actor: { callerType: 'USER', email: o.user ?? 'alice@contoso.example', profileId: '1040000' },
    ipAddress: o.ip ?? '198.51.100.7',
    events: [{ type: 'login', name, parameters }],
  };
}

const LIST_PATH = '/admin/reports/v1/activity/users/all/applications/login';
const SCOPE = 'https://www.googleapis.com/auth/admin.reports.audit.readonly';

export class FakeGws {
  readonly tokens: FakeTokens;
  private readonly key: KeyObject;
  private readonly events: { record: Record<string, unknown>; time: number; visibleAt: number }[] = [];
  private readonly snapshots = new Map<string, { list: Record<string, unknown>[]; offset: number; max: number }>();
  /** claims of the last assertion presented, for the tests */
  lastClaims: Record<string, unknown> | undefined;
  /** the API refuses every access token (e.g. delegation revoked after issue) */
  refuseAllTokens = false;

  private constructor(
    private readonly opts: FakeGwsOptions,
    readonly http: FakeHttp,
  ) {
    this.tokens = new FakeTokens(opts.now, opts.tokenLifetimeSeconds ?? 3600);
    this.key = createPublicKey(opts.publicKey);
  }

  static async start(opts: FakeGwsOptions): Promise<FakeGws> {
    let fake: FakeGws | undefined;
    const http = await FakeHttp.start((r) => fake!.route(r), (r) => r.url.pathname === '/token');
    fake = new FakeGws(opts, http);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  add(record: Record<string, unknown>, visibleAt?: number): void {
    const id = record['id'] as Record<string, unknown>;
    this.events.push({ record, time: Date.parse(String(id['time'])), visibleAt: visibleAt ?? this.opts.now() });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private route(r: FakeRequest): FakeReply {
    if (r.method === 'POST' && r.url.pathname === '/token') return this.token(r);
    if (r.method === 'GET' && r.url.pathname === LIST_PATH) {
      if (this.refuseAllTokens || !this.tokens.accepts(r.headers.authorization)) {
        return { status: 401, body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } };
      }
      return this.list(r.url);
    }
    return { status: 404, body: { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } } };
  }

  private token(r: FakeRequest): FakeReply {
    const f = formOf(r);
    const refuse = (why: string): FakeReply => ({ status: 400, body: { error: 'invalid_grant', error_description: why } });
    if (f.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const parts = (f.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return refuse('Invalid JWT.');
    const [h, c, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header['alg'] !== 'RS256') return refuse('Invalid JWT: alg');
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), this.key, Buffer.from(s, 'base64url'))) return refuse('Invalid JWT Signature.');
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
    this.lastClaims = claims;
    const now = Math.floor(this.opts.now() / 1000);
    if (claims['iss'] !== this.opts.clientEmail) return refuse('Invalid issuer');
    if (claims['aud'] !== `${this.http.url}/token`) return refuse('Invalid JWT audience');
    if (claims['scope'] !== SCOPE) return refuse('Invalid scope');
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= now || typeof claims['iat'] !== 'number' || claims['iat'] > now + 60) return refuse('Invalid JWT: Token must be a short-lived token');
    if (claims['sub'] !== this.opts.adminEmail) return { status: 401, body: { error: 'unauthorized_client', error_description: 'Client is unauthorized to retrieve access tokens using this method.' } };
    return { status: 200, body: this.tokens.issue() };
  }

  private list(url: URL): FakeReply {
    const pageToken = url.searchParams.get('pageToken');
    let snap;
    if (pageToken !== null) {
      snap = this.snapshots.get(pageToken);
      if (!snap) return { status: 400, body: { error: { code: 400, message: 'Invalid pageToken', status: 'INVALID_ARGUMENT' } } };
    } else {
      const since = Date.parse(url.searchParams.get('startTime') ?? '1970-01-01T00:00:00Z');
      const now = this.opts.now();
      const list = this.events
        .filter((e) => e.visibleAt <= now && e.time >= since)
        .sort((a, b) => b.time - a.time)
        .map((e) => e.record);
      snap = { list, offset: 0, max: Number(url.searchParams.get('maxResults') ?? 1000) };
    }
    const items = snap.list.slice(snap.offset, snap.offset + snap.max);
    const body: Record<string, unknown> = { kind: 'admin#reports#activities', etag: '"e"' };
    if (items.length > 0) body['items'] = items;
    if (snap.offset + snap.max < snap.list.length) {
      const token = randomBytes(8).toString('hex');
      this.snapshots.set(token, { ...snap, offset: snap.offset + snap.max });
      body['nextPageToken'] = token;
    }
    return { status: 200, body };
  }
}
