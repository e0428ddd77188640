/**
 * createNotifier: routes alerts to channels for admins and for the targeted people, with dedupe,
 * per-channel throttling into digests, and secrets scrubbed from every error and log line.
 */
import { createHash } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import { SEVERITY_RANK, type Alert } from '../core/types.js';
import { DedupeBook, dedupeKey } from './dedupe.js';
import { buildDigest, buildMessage } from './message.js';
import { makeRedactor, secretsOf } from './redact.js';
import { routesFor } from './route.js';
import { createSlackChannel } from './slack.js';
import { createSmtpChannel } from './smtp.js';
import { createTeamsChannel } from './teams.js';
import { loadTemplates, type TemplateSet } from './templates.js';
import { Throttle } from './throttle.js';
import type { Audience, Channel, ChannelConfig, EgressPolicy, LogEntry, NotifierConfig, NotifyResult, Outgoing } from './types.js';
import { createWebhookChannel } from './webhook.js';

export type * from './types.js';
export { isPublicUnicast, addressAllowed } from './egress-guard.js';
export { signatureHeader } from './webhook.js';

export interface Notifier {
  notify(alerts: readonly Alert[]): Promise<NotifyResult>;
  /** sends held digests for channels that have room again and retries failed deliveries; call it every minute or so */
  flush(): Promise<NotifyResult>;
  /** alerts waiting for another try after a failed delivery */
  pendingRetries(): number;
  /** whether notify() would send (or hold) at least one message for this alert now */
  wouldNotify(alert: Alert): boolean;
  /** what was notified, to persist and pass back as config.dedupeState after a restart */
  dedupeState(): Record<string, number>;
  /** tries once more to send held digests (ignoring the throttle), then closes connections */
  close(): Promise<void>;
}

/** at most this many people are told about one alert on one channel */
const MAX_TARGETS_PER_ALERT = 200;
/** held messages per channel/person before the oldest are dropped (they stay in the alert store) */
const MAX_HELD = 1000;
/** alerts with a failed delivery kept for another try; the oldest are dropped beyond this */
const MAX_RETRY = 10_000;

interface HeldGroup {
  channel: Channel;
  items: Outgoing[];
}

/** A short stable id of what a message says, for receivers that drop copies. */
function deliveryId(of: string): string {
  return createHash('sha256').update(of).digest('hex').slice(0, 32);
}

function emptyResult(): NotifyResult {
  return { sent: 0, deduped: 0, queued: 0, failed: 0, skipped: 0, errors: [] };
}

function makeChannel(c: ChannelConfig, policy: EgressPolicy, now: () => number): Channel {
  switch (c.type) {
    case 'smtp':
      return createSmtpChannel(c, policy);
    case 'slack':
      return createSlackChannel(c, policy);
    case 'teams':
      return createTeamsChannel(c, policy);
    case 'webhook':
      return createWebhookChannel(c, policy, now);
  }
}

function validate(config: NotifierConfig): void {
  const names = new Set<string>();
  for (const c of config.channels) {
    if (typeof c.name !== 'string' || c.name === '') throw new VigilError('CONFIG', 'notify.channels: every channel needs a name');
    if (names.has(c.name)) throw new VigilError('CONFIG', `notify.channels: duplicate channel name "${c.name}"`);
    if (!['smtp', 'slack', 'teams', 'webhook'].includes(c.type)) {
      throw new VigilError('CONFIG', `notify.channels.${c.name}.type: unknown channel type`);
    }
    if (c.type === 'webhook' && (typeof c.secret !== 'string' || c.secret.length < 16)) {
      throw new VigilError('CONFIG', `notify.channels.${c.name}.secret: at least 16 characters are required`);
    }
    names.add(c.name);
  }
  config.routes.forEach((r, i) => {
    if (r.audience !== 'admins' && r.audience !== 'targets') {
      throw new VigilError('CONFIG', `notify.routes[${i}].audience: must be "admins" or "targets"`);
    }
    for (const ch of r.channels) {
      if (!names.has(ch)) throw new VigilError('CONFIG', `notify.routes[${i}].channels: no channel named "${ch}"`);
    }
  });
  const pm = config.perMinute;
  if (pm !== undefined && (!Number.isInteger(pm) || pm < 1)) throw new VigilError('CONFIG', 'notify.perMinute: must be a positive integer');
}

function looksLikeAlert(a: unknown): a is Alert {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Partial<Alert>;
  return typeof x.id === 'string' && typeof x.severity === 'string' && Object.hasOwn(SEVERITY_RANK, x.severity) && Array.isArray(x.users) && typeof x.evidence === 'object' && x.evidence !== null;
}

export function createNotifier(config: NotifierConfig): Notifier {
  validate(config);
  const policy: EgressPolicy = config.egress ?? {};
  const now = config.now ?? Date.now;
  const redact = makeRedactor(secretsOf(config.channels));
  const log = (e: LogEntry): void => config.log?.({ ...e, msg: redact(e.msg) });
  const contact = config.contact ?? 'your IT administrator';
  const templates: Record<Audience, TemplateSet> = {
    admins: loadTemplates('admins', config.templatesDir),
    targets: loadTemplates('targets', config.templatesDir),
  };
  const channels = new Map(config.channels.map((c) => [c.name, makeChannel(c, policy, now)]));
  const dedupe = new DedupeBook(config.dedupeState ?? {}, undefined, config.onNotified);
  const throttle = new Throttle(config.perMinute ?? 30);
  const held = new Map<string, HeldGroup>();
  /** alerts of which some delivery failed, latest version by id: routed again by flush() and notify() */
  const retry = new Map<string, Alert>();

  async function deliver(ch: Channel, msg: Outgoing, result: NotifyResult): Promise<boolean> {
    throttle.record(ch.name, now());
    try {
      await ch.send(msg);
      result.sent++;
      log({ level: 'info', msg: `sent "${msg.subject}"`, channel: ch.name, alertId: msg.alertIds.join(',') });
      return true;
    } catch (e) {
      result.failed++;
      const text = redact(`channel "${ch.name}": ${e instanceof Error ? e.message : 'delivery failed'}`);
      result.errors.push(text);
      log({ level: 'error', msg: text, channel: ch.name, alertId: msg.alertIds.join(',') });
      return false;
    }
  }

  function hold(ch: Channel, msg: Outgoing, result: NotifyResult): void {
    const key = JSON.stringify([ch.name, msg.audience, msg.person ?? '']);
    const group = held.get(key) ?? { channel: ch, items: [] };
    group.items.push(msg);
    if (group.items.length > MAX_HELD) {
      group.items.shift();
      log({ level: 'warn', msg: `digest queue full: oldest held message dropped`, channel: ch.name });
    }
    held.set(key, group);
    result.queued++;
  }

  async function flushHeld(result: NotifyResult, force: boolean): Promise<void> {
    for (const [key, group] of [...held]) {
      if (!force && !throttle.hasRoom(group.channel.name, now())) continue;
      const msg = group.items.length === 1 ? group.items[0]! : buildDigest(group.items);
      if (msg.deliveryId === undefined) msg.deliveryId = deliveryId(group.items.map((m) => m.deliveryId ?? '').join('\u0000'));
      if (await deliver(group.channel, msg, result)) held.delete(key);
    }
  }

  function keepForRetry(alert: Alert): void {
    retry.delete(alert.id);
    retry.set(alert.id, alert);
    if (retry.size > MAX_RETRY) {
      const oldest = retry.keys().next();
      if (oldest.done !== true) {
        retry.delete(oldest.value);
        log({ level: 'warn', msg: 'retry queue full: the oldest failed notification is dropped (the alert stays in the store)', alertId: oldest.value });
      }
    }
  }

  /** deliveries that failed before: routed again; what went out since is deduped */
  async function retryFailed(result: NotifyResult): Promise<void> {
    const again = [...retry.values()];
    retry.clear();
    for (const a of again) await route(a, result);
  }

  async function route(alert: Alert, result: NotifyResult): Promise<void> {
    for (const r of routesFor(config.routes, alert)) {
      for (const name of r.channels) {
        const ch = channels.get(name)!;
        const people: (string | undefined)[] = r.audience === 'admins' ? [undefined] : alert.users.slice(0, MAX_TARGETS_PER_ALERT);
        if (r.audience === 'targets' && alert.users.length > MAX_TARGETS_PER_ALERT) {
          result.skipped += alert.users.length - MAX_TARGETS_PER_ALERT;
          log({ level: 'warn', msg: `only the first ${MAX_TARGETS_PER_ALERT} of ${alert.users.length} people are notified`, channel: name, alertId: alert.id });
        }
        for (const person of people) {
          if (person !== undefined && !ch.canReach(person)) {
            result.skipped++;
            continue;
          }
          const key = dedupeKey(alert.id, r.audience, name, person);
          if (!dedupe.isNew(key, alert.severity)) {
            result.deduped++;
            continue;
          }
          const msg = buildMessage(alert, r.audience, templates[r.audience], contact, person);
          msg.deliveryId = deliveryId(`${key}\u0000${alert.severity}`);
          if (throttle.hasRoom(name, now())) {
            if (await deliver(ch, msg, result)) dedupe.markSent(key, alert.severity);
            else keepForRetry(alert);
          } else {
            hold(ch, msg, result);
            dedupe.markSent(key, alert.severity); // the held message is retried until its digest goes out
          }
        }
      }
    }
  }

  /** one call at a time: a flush() racing a notify() would pass the same dedupe check twice */
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(f: () => Promise<T>): Promise<T> {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    notify: (alerts) => serial(async () => {
      const result = emptyResult();
      await flushHeld(result, false);
      for (const a of alerts) {
        if (!looksLikeAlert(a)) {
          result.skipped++;
          continue;
        }
        retry.delete(a.id); // routed now, in its newest version
        await route(a, result);
      }
      return result;
    }),
    flush: () => serial(async () => {
      const result = emptyResult();
      await flushHeld(result, false);
      await retryFailed(result);
      return result;
    }),
    pendingRetries: () => retry.size,
    wouldNotify: (alert) =>
      routesFor(config.routes, alert).some((r) =>
        r.channels.some((name) => {
          const people: (string | undefined)[] = r.audience === 'admins' ? [undefined] : alert.users.slice(0, MAX_TARGETS_PER_ALERT);
          return people.some((person) => dedupe.isNew(dedupeKey(alert.id, r.audience, name, person), alert.severity));
        }),
      ),
    dedupeState: () => dedupe.snapshot(),
    close: () => serial(async () => {
      await flushHeld(emptyResult(), true);
      for (const ch of channels.values()) ch.close();
    }),
  };
}
