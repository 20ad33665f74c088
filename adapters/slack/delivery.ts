import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SLACK_LIMITS } from './limits.ts';
import { clampBlocks, context, section, type Block } from './blocks/common.ts';
import { slackError } from './deps.ts';
import { BOT_DISPLAY_NAME } from './identity.ts';

// Posting to a channel the user chose. A failure is ours to handle: the user is told what happened and how to
// fix it, and gets the full content in a DM from the app, so nothing they prepared is lost.

const HOW_TO_FIX: Record<string, string> = {
  not_in_channel: `I am not a member of that private channel. Invite me with \`/invite @${BOT_DISPLAY_NAME}\` and post again.`,
  channel_not_found: `I cannot see that channel. If it is private, invite me with \`/invite @${BOT_DISPLAY_NAME}\`; otherwise check it still exists.`,
  is_archived: 'That channel is archived. Pick another channel, or unarchive it first.',
  restricted_action: 'Posting in that channel is restricted by a workspace setting. Ask an admin, or pick another channel.',
  msg_too_long: 'The message was too long for Slack. Here it is in full.',
  invalid_blocks: 'Slack rejected the formatting of the message. Here it is as I prepared it.',
  ratelimited: 'Slack is rate-limiting me right now. Here it is; try posting again in a minute.',
};

export interface Delivery {
  /** `posted` where asked; `dm` when it went to the user instead; `lost` only when even the DM failed (logged). */
  outcome: 'posted' | 'dm' | 'lost';
  ts?: string;
  error?: string;
}

export async function postOrDeliverToUser(
  client: webApi.WebClient,
  logger: Logger,
  message: { channel: string; user: string; blocks: Block[]; text: string; what: string },
): Promise<Delivery> {
  try {
    const res = await client.chat.postMessage({ channel: message.channel, blocks: message.blocks as never, text: message.text, unfurl_links: false });
    return { outcome: 'posted', ...(res.ts ? { ts: res.ts } : {}) };
  } catch (err) {
    const error = slackError(err);
    logger.warn({ error, channel: message.channel, what: message.what }, 'posting failed; delivering to the user by DM');
    const why = HOW_TO_FIX[error] ?? `Slack answered \`${error}\`.`;
    const notice: Block[] = [
      section(`:warning: *I could not post the ${message.what} in <#${message.channel}>.* ${why}`),
      context('Here it is, so nothing is lost:'),
    ];
    try {
      const res = await client.chat.postMessage({
        channel: message.user,
        blocks: clampBlocks([...notice, ...message.blocks], SLACK_LIMITS.blocksPerMessage) as never,
        text: message.text,
        unfurl_links: false,
      });
      return { outcome: 'dm', error, ...(res.ts ? { ts: res.ts } : {}) };
    } catch (dmErr) {
      logger.error({ error, dmError: slackError(dmErr), channel: message.channel, user: message.user, what: message.what }, 'could not deliver to the channel nor by DM');
      return { outcome: 'lost', error };
    }
  }
}
