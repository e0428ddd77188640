/**
 * Generic webhook: the JSON payload, signed. X-Vigil-Signature is `t=<unix seconds>,v1=<hex>` where
 * hex is HMAC-SHA256(secret, `${t}.${body}`); a receiver recomputes it and rejects stale t.
 */
import { createHmac } from 'node:crypto';
import { postWithRetry } from './http-post.js';
import type { Channel, EgressPolicy, Outgoing, WebhookChannelConfig } from './types.js';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function createWebhookChannel(c: WebhookChannelConfig, policy: EgressPolicy, now: () => number): Channel {
  return {
    name: c.name,
    type: 'webhook',
    canReach: () => true,
    async send(msg: Outgoing): Promise<void> {
      const body = JSON.stringify(msg.payload);
      await postWithRetry(
        {
          url: c.url,
          body,
          headers: () => ({
            'x-vigil-signature': signatureHeader(c.secret, body, Math.floor(now() / 1000)),
            ...(msg.deliveryId !== undefined ? { 'x-vigil-delivery': msg.deliveryId } : {}),
          }),
          policy,
          timeoutMs: c.timeoutMs ?? 10_000,
        },
        c.retry,
      );
    },
    close: () => undefined,
  };
}
