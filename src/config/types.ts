/**
 * The loaded vigil.yaml: defaults filled in, paths absolute (relative ones are taken from the
 * config file's folder), secrets resolved into `Secret`s that print as `[secret]`.
 */
import type { AlertKind, Severity } from '../core/types.js';
import type { Audience, RetryPolicy } from '../notify/types.js';
import type { Secret } from './secrets.js';

export interface VigilConfig {
  /** absolute path of the file this came from */
  file: string;
  server: ServerConfig;
  store: StoreConfig;
  enrichment: EnrichmentConfig;
  tenants: TenantConfig[];
  sources: SourceConfig[];
  /** absent: no notifications */
  notify?: NotifyConfig;
  egress: { allowPrivate: boolean };
  detection: DetectionConfig;
}

export interface ServerConfig {
  /** default 127.0.0.1 */
  host: string;
  /** default 8787; 0 = any free port */
  port: number;
  /** ingest journal, checkpoints, API tokens (SQLite) */
  serverDb: string;
  limits: { maxBodyBytes?: number; maxRecords?: number };
}

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres';
      /** the URL without a password (the config refuses one there); `?schema=` allowed */
      url: string;
      password?: Secret;
      maxConnections?: number;
      connectTimeoutMs?: number;
    };

export interface EnrichmentConfig {
  /** MMDB files, consulted first, in order */
  geoDb: string[];
  /** iptoasn.com ip2asn TSV files */
  asnDb: string[];
  /** Tor bulk exit lists / TorDNSEL exit-addresses files */
  torExits: string[];
  /** IP/CIDR indicator lists */
  intel: string[];
  hostingFile?: string;
  /** use the bundled @ip-location-db data last (default true) */
  bundled: boolean;
}

export interface TenantConfig {
  /** lower case, the tenant that tokens, sources and alerts carry (e.g. contoso.com) */
  id: string;
  /** display name (default: the id) */
  name: string;
  /** who a targeted person should call, e.g. "the IT desk, +1 555 0100" */
  contact?: string;
  /** mail domains of this tenant's people: notifications to targets go only there */
  targetDomains: string[];
}

export type SourceConfig = SyslogSourceConfig | TailSourceConfig | GraphSourceConfig | OktaSourceConfig | O365SourceConfig | GwsSourceConfig;

export interface SyslogSourceConfig {
  kind: 'syslog';
  /** checkpoint / status name; default chosen by the source */
  name?: string;
  /** tenant of senders no tenantByPeer entry matches */
  tenant: string;
  /** sender address → tenant, first match wins (the address, not the HOSTNAME field any sender can write) */
  tenantByPeer?: { peers: string[]; tenant: string }[];
  protocol: 'udp' | 'tcp' | 'tls';
  /** default 127.0.0.1 */
  host: string;
  port: number;
  /** parser id; default: detected per line (sshd text, Windows JSON, …) */
  format?: string;
  /** senders allowed, as CIDRs (default loopback only) */
  allowedPeers: string[];
  /** required when protocol is tls: PEM files (ca required with requireClientCert) */
  tls?: { cert: string; key: string; ca?: string; requireClientCert: boolean };
  maxMessageBytes?: number;
  maxConnections?: number;
  /** batching: commit every flushMs or maxBatch messages; maxPending held at most */
  flushMs?: number;
  maxBatch?: number;
  maxPending?: number;
}

export interface TailSourceConfig {
  kind: 'tail';
  name?: string;
  tenant: string;
  path: string;
  /** parser id; default: detected line by line */
  format?: string;
  /** default 1000 */
  pollMs: number;
  /** first start only (no checkpoint yet): read the file from the beginning or only new lines */
  startAt?: 'beginning' | 'end';
  maxLineBytes?: number;
  maxBatchLines?: number;
}

interface PollerCommon {
  /** checkpoint name; default `<kind>:<tenant>` */
  name?: string;
  tenant: string;
  /** seconds between polls (default 60) */
  pollSeconds: number;
  /** minutes re-queried each poll for late events (default 5) */
  overlapMinutes: number;
  /** how far back the very first poll reads (default 60 minutes) */
  lookbackMinutes: number;
  maxPagesPerPoll?: number;
  /** per-request timeout */
  timeoutMs?: number;
}

export interface GraphSourceConfig extends PollerCommon {
  kind: 'graph';
  /** Entra directory (tenant) id or domain */
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
  /** default https://graph.microsoft.com */
  baseUrl: string;
  /** OAuth authority, default https://login.microsoftonline.com (…/{tenantId}/oauth2/v2.0/token) */
  loginUrl: string;
  pageSize?: number;
}

export interface OktaSourceConfig extends PollerCommon {
  kind: 'okta';
  /** the org URL, e.g. https://contoso.okta.com */
  baseUrl: string;
  /** API token (Authorization: SSWS …) */
  token: Secret;
  /** which System Log events to fetch (default authentication) */
  events: 'authentication' | 'all';
  pageSize?: number;
}

export type O365ContentType = 'Audit.AzureActiveDirectory' | 'Audit.Exchange' | 'Audit.SharePoint' | 'Audit.General' | 'DLP.All';

export interface O365SourceConfig extends PollerCommon {
  kind: 'o365';
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
  /** default [Audit.AzureActiveDirectory] */
  contentTypes: O365ContentType[];
  /** default https://manage.office.com */
  baseUrl: string;
  /** default https://login.microsoftonline.com */
  loginUrl: string;
  publisherId?: string;
}

export interface GwsSourceConfig extends PollerCommon {
  kind: 'gws';
  /** the service account's JSON key (checked to hold client_email and private_key) */
  serviceAccountKey: Secret;
  /** admin mailbox the service account impersonates (the JWT `sub`) */
  adminEmail: string;
  /** default: the admin's own customer */
  customerId?: string;
  /** default https://admin.googleapis.com */
  baseUrl: string;
  /** default: the key's token_uri, else https://oauth2.googleapis.com/token */
  tokenUrl: string;
  pageSize?: number;
}

export interface RouteConfig {
  match: { minSeverity?: Severity; kinds?: AlertKind[]; tenants?: string[] };
  channels: string[];
  audience: Audience;
}

interface ChannelCommon {
  name: string;
  timeoutMs?: number;
}

export interface SmtpChannelSettings extends ChannelCommon {
  type: 'smtp';
  host: string;
  port: number;
  secure?: boolean;
  requireTLS?: boolean;
  user?: string;
  password?: Secret;
  from: string;
  to?: string[];
  targetDomains?: string[];
  targetAddresses?: Record<string, string>;
  tlsInsecure?: boolean;
}

export interface SlackChannelSettings extends ChannelCommon {
  type: 'slack';
  url: Secret;
  retry?: RetryPolicy;
}

export interface TeamsChannelSettings extends ChannelCommon {
  type: 'teams';
  url: Secret;
  retry?: RetryPolicy;
}

export interface WebhookChannelSettings extends ChannelCommon {
  type: 'webhook';
  /** a plain URL or a secret reference (when the URL itself carries a credential) */
  url: string | Secret;
  secret: Secret;
  retry?: RetryPolicy;
}

export type ChannelSettings = SmtpChannelSettings | SlackChannelSettings | TeamsChannelSettings | WebhookChannelSettings;

export interface NotifyConfig {
  channels: ChannelSettings[];
  routes: RouteConfig[];
  perMinute?: number;
  templatesDir?: string;
  contact?: string;
}

export interface DetectionConfig {
  /** how often detector state is snapshotted to the store (default 300 s) */
  snapshotIntervalSeconds: number;
  /** journal records per detection step (default 5000) */
  batch: number;
}
