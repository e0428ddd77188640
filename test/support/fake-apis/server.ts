/**
 * Shared plumbing of the fake vendor APIs: a node:http server on 127.0.0.1 (ephemeral port), a log
 * of requests, throttling on demand (429/503 + Retry-After for the next n API calls), and an access
 * token issuer whose tokens expire on the test's clock.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string */
  body?: unknown;
}

export type Route = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface Throttle {
  status: 429 | 503;
  headers: Record<string, string>;
}

export class FakeHttp {
  readonly requests: FakeRequest[] = [];
  private throttles: Throttle[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(route: Route, isTokenRequest: (r: FakeRequest) => boolean): Promise<FakeHttp> {
    let fake: FakeHttp | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: FakeRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        fake?.requests.push(r);
        const throttle = !isTokenRequest(r) ? fake?.throttles.shift() : undefined;
        const reply = throttle ? Promise.resolve<FakeReply>({ status: throttle.status, headers: throttle.headers, body: { error: 'throttled' } }) : Promise.resolve(route(r));
        reply.then(
          (out) => {
            const text = out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
            res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
            res.end(text);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeHttp(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** The next `count` API calls (not token requests) answer `status` with these headers. */
  throttleNext(count: number, headers: Record<string, string> = { 'retry-after': '2' }, status: 429 | 503 = 429): void {
    for (let i = 0; i < count; i++) this.throttles.push({ status, headers });
  }

  /** API calls (token requests excluded) whose path ends with `suffix`. */
  calls(suffix: string): FakeRequest[] {
    return this.requests.filter((r) => r.url.pathname.endsWith(suffix));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Access tokens with a lifetime on the test's clock; `revokeAll` makes every issued one fail. */
export class FakeTokens {
  private readonly live = new Map<string, number>();
  issued = 0;

  constructor(
    private readonly now: () => number,
    readonly lifetimeSeconds: number,
  ) {}

  issue(): { access_token: string; token_type: string; expires_in: number } {
    const token = randomBytes(24).toString('base64url');
    this.live.set(token, this.now() + this.lifetimeSeconds * 1000);
    this.issued++;
    return { access_token: token, token_type: 'Bearer', expires_in: this.lifetimeSeconds };
  }

  /** true for `Bearer <token>` of a token issued here and not yet expired */
  accepts(authorization: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(authorization ?? '');
    const expires = m?.[1] !== undefined ? this.live.get(m[1]) : undefined;
    return expires !== undefined && this.now() < expires;
  }

  revokeAll(): void {
    this.live.clear();
  }
}

/** The form fields of a token request. */
export function formOf(req: FakeRequest): URLSearchParams {
  return new URLSearchParams(req.body);
}
