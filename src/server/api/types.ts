import type { ActorCatalog } from '../../attribute/catalog.js';
import type { SourceStatus } from '../../sources/types.js';
import type { AsyncVigilStore } from '../../store/async.js';
import type { AuthEnv } from '../auth.js';
import type { ServerDb } from '../db.js';
import type { Journal } from '../journal.js';
import type { TokenStore } from '../tokens.js';
import type { VigilMetrics } from './metrics-registry.js';

export interface ApiLimits {
  /** bytes of a request body (POST /v1/intel, /v1/tokens), on the wire and after gunzip; 413 beyond */
  maxBodyBytes: number;
  /** the most items a list returns (`limit` above it is refused with 400) */
  maxListLimit: number;
  /** the most stored alerts (most severe, then most recent first) campaigns are computed from */
  maxCampaignAlerts: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = { maxBodyBytes: 1024 * 1024, maxListLimit: 1000, maxCampaignAlerts: 50_000 };

/** What the REST API reads and writes. */
export interface ApiDeps {
  /** alerts and intel indicators (SQLite or PostgreSQL) */
  store: AsyncVigilStore;
  tokens: TokenStore;
  /** the server database: audit_log, api_token_tenants */
  db: ServerDb;
  journal: Journal;
  metrics: VigilMetrics;
  /** status of each configured source (GET /v1/sources, source lag in /metrics) */
  sources?: () => SourceStatus[];
  limits?: Partial<ApiLimits>;
  /** actor profiles for campaign attribution (default data/actors.json) */
  catalog?: ActorCatalog;
  /** a line for the operator's log (internal errors); never given secrets */
  log?: (msg: string) => void;
  /** injectable clock (tests) */
  now?: () => number;
}

/** ApiDeps with the defaults filled in, as the route modules see them. */
export interface ApiContext extends Omit<ApiDeps, 'limits' | 'catalog' | 'now'> {
  limits: ApiLimits;
  catalog: () => ActorCatalog;
  now: () => number;
}

export type ApiEnv = AuthEnv;
