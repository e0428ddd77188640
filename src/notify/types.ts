/** Notification configuration and results: routes pick alerts, channels deliver rendered messages. */
import type { AlertKind, Severity } from '../core/types.js';

/** admins get evidence; targets (the people whose accounts were attacked) get plain-language steps */
export type Audience = 'admins' | 'targets';

export interface RouteMatch {
  minSeverity?: Severity;
  kinds?: AlertKind[];
  tenants?: string[];
}

export interface Route {
  match: RouteMatch;
  /** channel names */
  channels: string[];
  audience: Audience;
}

/** Outbound network policy; private, loopback, link-local and metadata targets need allowPrivate. */
export interface EgressPolicy {
  allowPrivate?: boolean;
}

export interface RetryPolicy {
  /** total attempts including the first (default 4, at most 10) */
  maxAttempts?: number;
  /** first backoff delay (default 500 ms), doubled each attempt */
  baseDelayMs?: number;
  /** backoff cap (default 30 s) */
  maxDelayMs?: number;
}

interface ChannelBase {
  name: string;
  /** per-request timeout (default 10 s) */
  timeoutMs?: number;
}

export interface SmtpChannelConfig extends ChannelBase {
  type: 'smtp';
  host: string;
  port: number;
  /** implicit TLS (465); otherwise STARTTLS is used when the server offers it */
  secure?: boolean;
  requireTLS?: boolean;
  user?: string;
  password?: string;
  from: string;
  /** admin recipients (audience 'admins') */
  to?: string[];
  /**
   * audience 'targets': only users whose address ends in one of these domains are mailed. User
   * names in failed sign-ins are chosen by the attacker, so Vigil never mails an arbitrary address.
   */
  targetDomains?: string[];
  /** user name → mailbox, for accounts whose sign-in name is not their mail address */
  targetAddresses?: Record<string, string>;
  /** accept a self-signed server certificate (tests, internal relays) */
  tlsInsecure?: boolean;
}

export interface SlackChannelConfig extends ChannelBase {
  type: 'slack';
  /** incoming-webhook URL (itself a secret) */
  url: string;
  retry?: RetryPolicy;
}

export interface TeamsChannelConfig extends ChannelBase {
  type: 'teams';
  /** incoming-webhook / Workflows URL (itself a secret) */
  url: string;
  retry?: RetryPolicy;
}

export interface WebhookChannelConfig extends ChannelBase {
  type: 'webhook';
  url: string;
  /** HMAC-SHA256 key for X-Vigil-Signature */
  secret: string;
  retry?: RetryPolicy;
}

export type ChannelConfig = SmtpChannelConfig | SlackChannelConfig | TeamsChannelConfig | WebhookChannelConfig;

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string;
  channel?: string;
  alertId?: string;
}

export interface NotifierConfig {
  channels: ChannelConfig[];
  routes: Route[];
  egress?: EgressPolicy;
  /** messages per channel per minute (default 30); the excess is held and sent as one digest */
  perMinute?: number;
  /** folder with replacement templates (any file missing there falls back to the default) */
  templatesDir?: string;
  /** who the targeted person should call, e.g. "the IT desk, +1 555 0100" */
  contact?: string;
  /** dedupe memory from an earlier run (see Notifier.dedupeState) */
  dedupeState?: Record<string, number>;
  /**
   * called synchronously each time a message is marked notified (key, severity rank): a server
   * writes it to disk here, so a crash after this point never sends the message again
   */
  onNotified?: (key: string, rank: number) => void;
  log?: (entry: LogEntry) => void;
  /** clock, for tests */
  now?: () => number;
}

export interface NotifyResult {
  /** messages delivered (a digest counts once) */
  sent: number;
  /** already notified at this severity or higher */
  deduped: number;
  /** held by the throttle for a later digest */
  queued: number;
  /** deliveries that failed (they are tried again on the next notify) */
  failed: number;
  /** targets that cannot be reached on a channel (no allowed mailbox) */
  skipped: number;
  /** failure descriptions, secrets removed */
  errors: string[];
}

/** One rendered message, in every markup a channel may need. */
export interface Outgoing {
  audience: Audience;
  alertIds: string[];
  /** audience 'targets': the person's user name */
  person?: string;
  subject: string;
  text: string;
  html: string;
  slack: string;
  teams: string;
  /** JSON body for the generic webhook */
  payload: unknown;
  /**
   * the same for every attempt to deliver this message, across restarts: sent as X-Vigil-Delivery
   * so a receiver can drop a copy it already has
   */
  deliveryId?: string;
}

export interface Channel {
  readonly name: string;
  readonly type: ChannelConfig['type'];
  /** false when this channel cannot reach the person (e.g. no allowed mailbox) */
  canReach(person: string): boolean;
  send(msg: Outgoing): Promise<void>;
  close(): void;
}
