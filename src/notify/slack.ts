/** Slack incoming webhook: `text` (the notification fallback) plus a header and a mrkdwn section. */
import { postWithRetry } from './http-post.js';
import { escapeFor } from './templates.js';
import type { Channel, EgressPolicy, Outgoing, SlackChannelConfig } from './types.js';

const SECTION_MAX = 3000; // Slack's limit for a section's text

export function slackPayload(msg: Outgoing): unknown {
  const subject = msg.subject.slice(0, 150); // header blocks take at most 150 characters
  const body = msg.slack.length > SECTION_MAX ? `${msg.slack.slice(0, SECTION_MAX - 1)}…` : msg.slack;
  return {
    text: escapeFor('slack', subject),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subject } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
    ],
  };
}

export function createSlackChannel(c: SlackChannelConfig, policy: EgressPolicy): Channel {
  return {
    name: c.name,
    type: 'slack',
    canReach: () => true,
    async send(msg: Outgoing): Promise<void> {
      const body = JSON.stringify(slackPayload(msg));
      await postWithRetry({ url: c.url, body, headers: () => ({}), policy, timeoutMs: c.timeoutMs ?? 10_000 }, c.retry);
    },
    close: () => undefined,
  };
}
