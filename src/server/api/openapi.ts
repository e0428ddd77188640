import type { Hono } from 'hono';
import { ALERT_KINDS, SEVERITIES } from '../../export/jsonl.js';
import { ROLES, type Role } from '../tokens.js';
import type { ApiContext, ApiEnv } from './types.js';

/**
 * The OpenAPI 3.1 description of every route of `vigil serve` (ingest and REST API). A test checks
 * that the routes the app registers and the paths here are the same set.
 */

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', minimum: 0 };
const time: Schema = { type: 'string', format: 'date-time' };
const strings: Schema = { type: 'array', items: str };
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({ type: 'object', properties, required });

const SEVERITY: Schema = { type: 'string', enum: [...SEVERITIES] };
const KIND: Schema = { type: 'string', enum: [...ALERT_KINDS] };

const schemas: Record<string, Schema> = {
  Error: obj({ error: str }),
  Actor: obj(
    { name: str, aliases: strings, attackId: str, confidence: { type: 'number', minimum: 0, maximum: 1 }, reasons: strings },
    ['name', 'aliases', 'confidence', 'reasons'],
  ),
  Alert: obj(
    {
      id: str,
      kind: KIND,
      technique: str,
      severity: SEVERITY,
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      tenant: str,
      users: strings,
      sourceIps: strings,
      firstSeen: time,
      lastSeen: time,
      evidence: obj({ attempts: int, failures: int, successes: int, refs: strings }),
      explanation: str,
      actions: strings,
      detectedAt: time,
      campaignId: str,
      actor: ref('Actor'),
    },
    ['id', 'kind', 'technique', 'severity', 'confidence', 'tenant', 'users', 'sourceIps', 'firstSeen', 'lastSeen', 'evidence', 'explanation'],
  ),
  Campaign: {
    ...obj(
      {
        id: str,
        name: str,
        kinds: { type: 'array', items: KIND },
        techniques: strings,
        severity: SEVERITY,
        firstSeen: { type: ['string', 'null'], format: 'date-time' },
        lastSeen: { type: ['string', 'null'], format: 'date-time' },
        tenants: { ...strings, description: "the caller's tenants among the campaign's targets (an admin: all)" },
        usersByTenant: { type: 'object', additionalProperties: strings },
        userCount: int,
        sourceIps: obj({ count: int, sample: strings }),
        asns: { type: 'array', items: obj({ asn: int, addresses: int }) },
        userAgents: { type: 'array', items: obj({ userAgent: str, addresses: int }) },
        anonymizerShare: obj({ tor: { type: 'number' }, hosting: { type: 'number' }, vpn: { type: 'number' }, proxy: { type: 'number' } }),
        alertIds: strings,
        attempts: int,
        successes: int,
        links: { type: 'array', items: obj({ from: str, to: str, reason: str }) },
        elsewhere: {
          ...obj({ organizations: int, alerts: int, summary: str }),
          description: "other organizations' share of the campaign, as counts only",
        },
        actor: ref('Actor'),
      },
      // every property but actor
      ['id', 'name', 'kinds', 'techniques', 'severity', 'firstSeen', 'lastSeen', 'tenants', 'usersByTenant', 'userCount', 'sourceIps', 'asns', 'userAgents', 'anonymizerShare', 'alertIds', 'attempts', 'successes', 'links', 'elsewhere'],
    ),
    description: "A campaign computed over every tenant's alerts; an analyst sees only its own tenants' accounts, alerts, links and addresses, and counts of the rest.",
  },
  Tenant: obj({
    tenant: str,
    alerts: obj({ total: int, bySeverity: obj({ low: int, medium: int, high: int, critical: int }) }),
    journal: obj({ records: int, lastSeq: int }),
  }),
  Indicator: obj(
    {
      id: int,
      file: str,
      kind: { type: 'string', enum: ['ip', 'cidr', 'domain', 'url'] },
      value: str,
      source: str,
      actors: { type: 'array', items: obj({ name: str, aliases: strings, attackId: str, stixId: str }, ['name']) },
      validFrom: time,
      validUntil: time,
      ref: str,
      addedAt: time,
    },
    ['id', 'file', 'kind', 'value', 'source', 'actors', 'addedAt'],
  ),
  Token: obj(
    { id: str, tenant: str, tenants: strings, role: { type: 'string', enum: [...ROLES] }, label: str, createdAt: time, revokedAt: time },
    ['id', 'tenant', 'tenants', 'role', 'label', 'createdAt'],
  ),
  TokenCreated: obj({ id: str, token: { ...str, description: 'the secret: shown in this answer only' }, tenant: str, tenants: strings, role: { type: 'string', enum: [...ROLES] }, label: str }),
  AuditEntry: obj({
    id: int,
    at: time,
    tokenId: { type: ['string', 'null'] },
    action: str,
    tenant: { type: ['string', 'null'] },
    target: { type: ['string', 'null'] },
    detail: { type: 'object' },
  }),
  Source: obj(
    {
      name: str,
      kind: str,
      recordsIn: int,
      rejected: int,
      lastSuccessAt: time,
      newestEventAt: time,
      lagSeconds: int,
      lastError: str,
      lastErrorAt: time,
    },
    ['name', 'kind', 'recordsIn', 'rejected'],
  ),
  IngestResponse: obj({
    batchId: str,
    accepted: int,
    duplicates: int,
    rejected: { type: 'array', items: obj({ index: int, line: int, reason: str }, ['index', 'reason']) },
  }),
};

interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  schema: Schema;
  required?: boolean;
}

const q = (name: string, description: string, schema: Schema = str): Param => ({ name, in: 'query', description, schema });
const pathId = (name: string, description: string): Param => ({ name, in: 'path', required: true, description, schema: str });
const limitQ = (max: number): Param => q('limit', `at most this many items (default ${Math.min(100, max)})`, { type: 'integer', minimum: 1, maximum: max });
const sinceQ = q('since', 'ISO 8601 time or epoch milliseconds: only what was last seen at or after it');

const json = (schema: Schema, description: string): Schema => ({ description, content: { 'application/json': { schema } } });
const err = (description: string): Schema => json(ref('Error'), description);
const list = (key: string, item: string, extra: Record<string, Schema> = {}): Schema => obj({ [key]: { type: 'array', items: ref(item) }, ...extra });

interface Op {
  summary: string;
  /** roles allowed; empty = public */
  roles: readonly Role[] | 'any';
  parameters?: Param[];
  requestBody?: Schema;
  ok: [status: string, response: Schema];
  /** more answers besides 401/403 (and 404 of paths with ids) */
  errors?: Record<string, string>;
}

function operation(op: Op, hasId: boolean): Schema {
  const responses: Record<string, Schema> = { [op.ok[0]]: op.ok[1] };
  const isPublic = op.roles !== 'any' && op.roles.length === 0;
  if (!isPublic) {
    responses['401'] = err('no token, or a malformed, unknown or revoked one');
    if (op.roles !== 'any') responses['403'] = err(`the token's role is not ${op.roles.join(' or ')}`);
  }
  if (hasId) responses['404'] = err("unknown, or another tenant's (the same answer)");
  for (const [status, why] of Object.entries(op.errors ?? {})) responses[status] = err(why);
  const out: Schema = {
    summary: op.summary,
    security: isPublic ? [] : [{ bearer: [] }],
    'x-vigil-roles': op.roles === 'any' ? [...ROLES] : [...op.roles],
    responses,
  };
  if (op.parameters) out['parameters'] = op.parameters;
  if (op.requestBody) out['requestBody'] = op.requestBody;
  return out;
}

export function openApiDocument(ctx: Pick<ApiContext, 'limits'>): Schema {
  const max = ctx.limits.maxListLimit;
  const paths: Record<string, Record<string, Op>> = {
    '/v1/health': { get: { summary: 'liveness; answers only the status', roles: [], ok: ['200', json(obj({ status: { const: 'ok' } }), 'up')] } },
    '/v1/ingest': {
      post: {
        summary: "store a batch of sign-in records under the token's tenant; answered after the commit",
        roles: ['ingest', 'admin'],
        parameters: [q('format', 'force a parser (okta, entra, sshd, ...) instead of detecting each record')],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { oneOf: [{ type: 'array' }, { type: 'object' }] } },
            'application/x-ndjson': { schema: str },
            'text/plain': { schema: str },
          },
        },
        ok: ['200', json(ref('IngestResponse'), 'committed (rejected records listed)')],
        errors: { '400': 'not JSON, bad gzip, bad Idempotency-Key or unknown format', '413': 'body or record count over the limit', '415': 'unsupported Content-Encoding', '422': 'Idempotency-Key reused with another body', '503': 'journal unavailable; retry' },
      },
    },
    '/v1/journal': {
      get: { summary: "records held for the token's tenant", roles: ['analyst', 'admin'], ok: ['200', json(obj({ tenant: str, records: int, lastSeq: int }), 'journal stats')] },
    },
    '/v1/alerts': {
      get: {
        summary: "stored alerts of the caller's tenants, most severe then most recent first",
        roles: ['analyst', 'admin'],
        parameters: [
          q('kind', 'alert kind', KIND),
          q('minSeverity', 'lowest severity', SEVERITY),
          q('user', 'an account named by the alert'),
          q('ip', 'a source address named by the alert'),
          sinceQ,
          limitQ(max),
          q('tenant', "one of the caller's tenants (another tenant gives an empty list)"),
        ],
        ok: ['200', json(list('alerts', 'Alert', { count: int, limit: int }), 'alerts')],
        errors: { '400': 'a bad filter value' },
      },
    },
    '/v1/alerts/{id}': {
      get: { summary: 'one alert', roles: ['analyst', 'admin'], parameters: [pathId('id', 'alert id')], ok: ['200', json(ref('Alert'), 'the alert')] },
    },
    '/v1/campaigns': {
      get: {
        summary: "campaigns (correlated and attributed alerts) touching the caller's tenants, most recent first",
        roles: ['analyst', 'admin'],
        parameters: [sinceQ, q('minSeverity', 'lowest severity', SEVERITY), limitQ(max)],
        ok: ['200', json(list('campaigns', 'Campaign', { count: int, total: int, complete: { type: 'boolean', description: 'false when the alert cap left older alerts out' } }), 'campaigns')],
        errors: { '400': 'a bad filter value' },
      },
    },
    '/v1/campaigns/{id}': {
      get: { summary: 'one campaign', roles: ['analyst', 'admin'], parameters: [pathId('id', 'campaign id')], ok: ['200', json(ref('Campaign'), 'the campaign')] },
    },
    '/v1/tenants': {
      get: { summary: 'tenants the caller may see, with alert counts and journal stats', roles: ['analyst', 'admin'], ok: ['200', json(list('tenants', 'Tenant'), 'tenants')] },
    },
    '/v1/intel': {
      get: {
        summary: 'stored threat-intelligence indicators (shared by all tenants)',
        roles: ['analyst', 'admin'],
        parameters: [q('file', 'only the indicators stored under this name'), limitQ(max), q('offset', 'skip this many', int)],
        ok: ['200', json(list('indicators', 'Indicator', { total: int, offset: int, limit: int }), 'indicators')],
        errors: { '400': 'a bad parameter' },
      },
      post: {
        summary: 'store the indicators of a STIX 2.1 bundle, MISP event or CSV list under a name (replacing that name); audit logged',
        roles: ['admin'],
        parameters: [{ ...q('name', 'feed or file name: 1-100 letters, digits, ".", "_", "-"'), required: true }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: str }, 'text/plain': { schema: str } } },
        ok: ['201', json(obj({ name: str, stored: int, skipped: int, problems: strings }), 'stored')],
        errors: { '400': 'bad name or unreadable body', '413': 'body over the limit', '422': 'no usable indicator' },
      },
    },
    '/v1/intel/{ref}': {
      delete: {
        summary: 'remove the indicators stored under a name, or one indicator by id; audit logged',
        roles: ['admin'],
        parameters: [pathId('ref', 'a name given to POST /v1/intel, or an indicator id')],
        ok: ['200', json(obj({ removed: int }), 'removed')],
      },
    },
    '/v1/tokens': {
      get: { summary: 'every API token, without secrets', roles: ['admin'], ok: ['200', json(list('tokens', 'Token'), 'tokens')] },
      post: {
        summary: 'a new token; the secret is in this answer only; audit logged',
        roles: ['admin'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['tenant', 'role'],
                properties: { tenant: str, role: { type: 'string', enum: [...ROLES] }, label: str, tenants: { ...strings, description: 'more tenants an analyst token may read' } },
              },
            },
          },
        },
        ok: ['201', json(ref('TokenCreated'), 'created')],
        errors: { '400': 'bad tenant, role or tenants', '413': 'body over the limit' },
      },
    },
    '/v1/tokens/{id}': {
      delete: { summary: 'revoke a token; audit logged', roles: ['admin'], parameters: [pathId('id', 'token id (not the token)')], ok: ['200', json(obj({ revoked: str }), 'revoked')] },
    },
    '/v1/audit': {
      get: {
        summary: 'administrative actions, newest first',
        roles: ['admin'],
        parameters: [q('action', 'token.create, token.revoke, intel.add, intel.remove'), sinceQ, limitQ(max)],
        ok: ['200', json(list('entries', 'AuditEntry', { count: int, limit: int }), 'entries')],
      },
    },
    '/v1/sources': { get: { summary: 'status of each configured source', roles: ['admin'], ok: ['200', json(list('sources', 'Source'), 'sources')] } },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        roles: ['admin', 'metrics'],
        ok: ['200', { description: 'metrics', content: { 'text/plain': { schema: str } } }],
      },
    },
    '/openapi.json': { get: { summary: 'this document', roles: 'any', ok: ['200', json({ type: 'object' }, 'OpenAPI 3.1')] } },
  };
  const built: Record<string, Record<string, Schema>> = {};
  for (const [path, ops] of Object.entries(paths)) {
    built[path] = {};
    for (const [method, op] of Object.entries(ops)) built[path][method] = operation(op, path.includes('{'));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil server API',
      version: '1',
      description:
        'Tokens go in the Authorization header only (never the URL). Roles: ingest (POST /v1/ingest), analyst (read its tenants), admin (everything, every tenant), metrics (GET /metrics). Another tenant\'s object answers 404, as an unknown one does.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'vgl_<id>_<secret>' } }, schemas },
    security: [{ bearer: [] }],
    paths: built,
  };
}

/** GET /openapi.json   any valid token */
export function openApiRoutes(app: Hono<ApiEnv>, ctx: ApiContext): void {
  const doc = openApiDocument(ctx);
  app.get('/openapi.json', (c) => c.json(doc));
}
