import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SLACK_WEB_API, type SlackWebApiPolicy } from './limits.ts';
import { messageAsMrkdwn, textSections } from './blocks/as-text.ts';
import { clampBlocks, context, section, type Block } from './blocks/common.ts';
import { slackError } from './deps.ts';
import { BOT_DISPLAY_NAME } from '../identity.ts';
import type { InteractionOutcome } from './interactions.ts';

// Posting to a channel the user chose. A failure is ours to handle, never the user's problem:
// - Slack rejects the formatting (invalid_blocks, msg_too_long): post the same content, all of it, as text sections
//   (blocks/as-text.ts).
// - Slack rate-limits us: wait it out once (bounded), then try again.
// - The channel refuses us (not_in_channel, channel_not_found, is_archived, …) or Slack keeps failing: DM the user
//   what happened, how to fix it, and the full content, so nothing they prepared is lost.
// - Even the DM fails: log the content at error level with the reason, so an operator can recover it.
// A degraded delivery (text version, or DM) is logged at warn level with the content, and reported to the caller
// so the interaction's own log line says what happened (never `ok`).

const HOW_TO_FIX: Record<string, string> = {
  not_in_channel: `I am not a member of that private channel. Invite me with \`/invite @${BOT_DISPLAY_NAME}\` and post again.`,
  channel_not_found: `I cannot see that channel. If it is private, invite me with \`/invite @${BOT_DISPLAY_NAME}\`; otherwise check it still exists.`,
  is_archived: 'That channel is archived. Pick another channel, or unarchive it first.',
  restricted_action: 'Posting in that channel is restricted by a workspace setting. Ask an admin, or pick another channel.',
  ratelimited: 'Slack is rate-limiting me right now. Here it is; try posting again in a minute.',
  slack_webapi_rate_limited_error: 'Slack is rate-limiting me right now. Here it is; try posting again in a minute.',
};
const FORMAT_ERRORS = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'invalid_attachments']);
const RATE_LIMITED = new Set(['ratelimited', 'slack_webapi_rate_limited_error']);

export interface Delivery {
  /** `posted` where asked (`plain` when only the text version was accepted); `dm` to the user instead; `lost` if even that failed (logged). */
  outcome: 'posted' | 'plain' | 'dm' | 'lost';
  ts?: string;
  /** The channel the message landed in (for a DM, the DM's channel id), as Slack answered. */
  channel?: string;
  error?: string;
}

export interface OutgoingMessage {
  channel: string;
  user: string;
  blocks: Block[];
  text: string;
  /** Post as a reply in this thread (its parent message's ts). */
  threadTs?: string;
  /** What it is, in words for the user: "recommendation", "answer". */
  what: string;
  /** Extra fields for the log line if everything fails (e.g. the requirements, to recreate it). */
  recover?: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(err: unknown, policy: SlackWebApiPolicy): number {
  const seconds = Number((err as { retryAfter?: number }).retryAfter ?? 1);
  return Math.min(Math.max(0, seconds * 1000), policy.maxRateLimitWaitMs);
}

type Posted = { ts?: string; channel?: string };

async function post(client: webApi.WebClient, channel: string, blocks: Block[], text: string, policy: SlackWebApiPolicy, threadTs?: string): Promise<Posted> {
  const send = async (): Promise<Posted> => {
    const answer = await client.chat.postMessage({ channel, blocks, text, unfurl_links: false, ...(threadTs ? { thread_ts: threadTs } : {}) });
    return { ...(answer.ts ? { ts: answer.ts } : {}), ...(answer.channel ? { channel: answer.channel } : {}) };
  };
  try {
    return await send();
  } catch (err) {
    if (!RATE_LIMITED.has(slackError(err))) throw err;
    await sleep(retryAfterMs(err, policy));
    return await send();
  }
}

/**
 * Posts to a channel, a user (the app's DM with them) or a thread, with no one to fall back to (messages the product
 * sends on its own: notify.ts). A rate limit is waited out once, bounded; blocks Slack rejects for their format are
 * posted again as text sections (`plain`). Any other failure throws, with the Slack error code as `slackError()` reads it.
 */
export async function postWithTextFallback(
  client: webApi.WebClient,
  message: { channel: string; blocks: Block[]; text: string; threadTs?: string },
  policy: SlackWebApiPolicy = SLACK_WEB_API,
): Promise<Posted & { plain: boolean }> {
  try {
    return { ...(await post(client, message.channel, message.blocks, message.text, policy, message.threadTs)), plain: false };
  } catch (err) {
    if (!FORMAT_ERRORS.has(slackError(err))) throw err;
  }
  const asText = textSections(messageAsMrkdwn(message.blocks));
  return { ...(await post(client, message.channel, asText, message.text, policy, message.threadTs)), plain: true };
}

export async function postOrDeliverToUser(
  client: webApi.WebClient,
  logger: Logger,
  message: OutgoingMessage,
  policy: SlackWebApiPolicy = SLACK_WEB_API,
): Promise<Delivery> {
  const { channel, user, blocks, text, what } = message;
  let error: string;
  try {
    const posted = await post(client, channel, blocks, text, policy, message.threadTs);
    return { outcome: 'posted', ...posted };
  } catch (err) {
    error = slackError(err);
  }
  // Built only on this (rare) path: the whole message as mrkdwn, for the text version and for the log.
  const content = messageAsMrkdwn(blocks);
  const asText = textSections(content);
  if (FORMAT_ERRORS.has(error)) {
    try {
      const posted = await post(client, channel, asText, text, policy, message.threadTs);
      logger.warn({ error, channel, what, outcome: 'plain', ...message.recover, content }, `Slack rejected the ${what}'s blocks; posted its text version`);
      return { outcome: 'plain', error, ...posted };
    } catch (err) {
      error = slackError(err);
    }
  }
  const why = HOW_TO_FIX[error] ?? `Slack answered \`${error}\`.`;
  const notice: Block[] = [section(`:warning: *I could not post the ${what} in <#${channel}>.* ${why}`), context('Here it is, so nothing is lost:')];
  let dmError: string | undefined;
  for (const body of FORMAT_ERRORS.has(error) ? [asText] : [blocks, asText]) {
    try {
      const posted = await post(client, user, clampBlocks([...notice, ...body]), text, policy);
      logger.warn({ error, channel, user, what, outcome: 'dm', ...message.recover, content }, `could not post the ${what} in the channel; delivered it to the user by DM`);
      return { outcome: 'dm', error, ...posted };
    } catch (err) {
      dmError = slackError(err);
      if (!FORMAT_ERRORS.has(dmError)) break;
    }
  }
  logger.error({ error, dmError, channel, user, what, outcome: 'lost', ...message.recover, content }, `could not deliver the ${what} to the channel nor by DM`);
  return { outcome: 'lost', error };
}

/** How a delivery should read in the interaction's log line: anything but a normal post is degraded. */
export function deliveryOutcome(delivery: Delivery): InteractionOutcome | undefined {
  if (delivery.outcome === 'posted') return undefined;
  return { outcome: delivery.outcome, level: delivery.outcome === 'lost' ? 'error' : 'warn', ...(delivery.error ? { error: delivery.error } : {}) };
}

/**
 * A link to a posted message (chat.getPermalink), for the history; undefined when Slack does not give one. Called
 * after the post, so the user never waits for it.
 */
export async function permalink(client: webApi.WebClient, logger: Logger, delivery: Delivery): Promise<string | undefined> {
  if (!delivery.channel || !delivery.ts) return undefined;
  try {
    return (await client.chat.getPermalink({ channel: delivery.channel, message_ts: delivery.ts })).permalink;
  } catch (err) {
    logger.debug({ error: slackError(err) }, 'chat.getPermalink failed; the recommendation is recorded without a link');
    return undefined;
  }
}
