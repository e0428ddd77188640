/** Microsoft Teams incoming webhook (Workflows): a message carrying one Adaptive Card. */
import { postWithRetry } from './http-post.js';
import { escapeFor } from './templates.js';
import type { Channel, EgressPolicy, Outgoing, TeamsChannelConfig } from './types.js';

export function teamsPayload(msg: Outgoing): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: escapeFor('teams', msg.subject), weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: msg.teams, wrap: true },
          ],
        },
      },
    ],
  };
}

export function createTeamsChannel(c: TeamsChannelConfig, policy: EgressPolicy): Channel {
  return {
    name: c.name,
    type: 'teams',
    canReach: () => true,
    async send(msg: Outgoing): Promise<void> {
      const body = JSON.stringify(teamsPayload(msg));
      await postWithRetry({ url: c.url, body, headers: () => ({}), policy, timeoutMs: c.timeoutMs ?? 10_000 }, c.retry);
    },
    close: () => undefined,
  };
}
