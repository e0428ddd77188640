/**
 * Access tokens for the pollers: OAuth 2.0 client credentials (Microsoft identity platform) and
 * the shared cache/refresh logic. A token is reused until shortly before it expires; a 401 from
 * the API drops it and asks for a new one once, then the poll fails with an auth error.
 */
import { ApiClient, PollError, errorDetail, parseJson, where, type HttpRequest, type HttpResponse } from './http.js';
import type { Redactor } from './secrets.js';

export interface TokenSource {
  /** a valid access token, fetched when none is cached or the cached one is about to expire */
  token(signal?: AbortSignal): Promise<string>;
  /** forget the cached token (the API refused it) */
  invalidate(): void;
}

export interface TokenGrant {
  accessToken: string;
  /** lifetime in seconds as the token endpoint reported it */
  expiresIn: number;
}

/** Caches what `fetchToken` returns until `expiresIn` minus a margin (a tenth of it, at most 60 s). */
export class CachedToken implements TokenSource {
  private cached: { token: string; refreshAt: number } | undefined;

  constructor(
    private readonly fetchToken: (signal?: AbortSignal) => Promise<TokenGrant>,
    private readonly now: () => number,
  ) {}

  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    const grant = await this.fetchToken(signal);
    const lifeMs = Math.max(0, grant.expiresIn * 1000);
    this.cached = { token: grant.accessToken, refreshAt: this.now() + lifeMs - Math.min(60_000, lifeMs / 10) };
    return grant.accessToken;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

/** POST a form to a token endpoint and read `{access_token, expires_in}`; refusals are auth errors. */
export async function requestToken(
  client: ApiClient,
  tokenUrl: string,
  form: Record<string, string>,
  redactor: Redactor,
  signal?: AbortSignal,
): Promise<TokenGrant> {
  const url = client.checkUrl(tokenUrl, 'token endpoint');
  const res = await client.send(
    { method: 'POST', url: url.href, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() },
    signal,
  );
  if (res.status < 200 || res.status >= 300) {
    const kind = res.status === 400 || res.status === 401 || res.status === 403 ? 'auth' : 'http';
    throw new PollError(`token request to ${where(url)} refused: HTTP ${res.status}${errorDetail(res, (t) => redactor.redact(t))}`, kind, res.status);
  }
  const doc = parseJson(res, url) as Record<string, unknown> | null;
  const accessToken = doc?.['access_token'];
  const expiresIn = Number(doc?.['expires_in'] ?? 3600);
  if (typeof accessToken !== 'string' || accessToken === '') throw new PollError(`token endpoint ${url.host} sent no access_token`, 'auth');
  redactor.addRotating(accessToken);
  return { accessToken, expiresIn: Number.isFinite(expiresIn) ? expiresIn : 3600 };
}

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/** Microsoft identity platform v2 client-credentials grant. */
export function clientCredentialsToken(client: ApiClient, creds: ClientCredentials, redactor: Redactor, now: () => number): TokenSource {
  redactor.add(creds.clientSecret);
  return new CachedToken(
    (signal) =>
      requestToken(
        client,
        creds.tokenUrl,
        { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope: creds.scope },
        redactor,
        signal,
      ),
    now,
  );
}

/**
 * Send with `Authorization: Bearer`; on 401 get a fresh token and try once more. A second 401 is
 * an auth PollError (the app lacks consent or the token is refused).
 */
export async function sendAuthorized(client: ApiClient, tokens: TokenSource, req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
  for (let round = 1; ; round++) {
    const token = await tokens.token(signal);
    const res = await client.send({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } }, signal);
    if (res.status !== 401) return res;
    tokens.invalidate();
    if (round >= 2) {
      const url = new URL(req.url);
      throw new PollError(`${where(url)} refused a freshly issued access token: HTTP 401${errorDetail(res, client.redact)}`, 'auth', 401);
    }
  }
}

/** A 2xx answer, else a PollError naming the request and the API's own explanation. */
export function expectOk(client: ApiClient, res: HttpResponse, url: URL): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const kind = res.status === 401 || res.status === 403 ? 'auth' : 'http';
  const why = res.status >= 300 && res.status < 400 ? 'a redirect (not followed)' : `HTTP ${res.status}`;
  throw new PollError(`${where(url)} answered ${why}${errorDetail(res, client.redact)}`, kind, res.status);
}
