import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Reply } from '../../src/index.ts';
import type { Destination, Sent } from '../notify.ts';
import { BOT_DISPLAY_NAME } from '../identity.ts';
import { clampBlocks } from './blocks/common.ts';
import { slackMessage } from './blocks/reply.ts';
import { postWithTextFallback } from './delivery.ts';
import { slackError } from './deps.ts';
import { SLACK_WEB_API, type SlackWebApiPolicy } from './limits.ts';

// Slack's side of the Notifier (adapters/notify.ts): chat.postMessage to a user id (Slack posts it in the app's DM
// with them, and answers with that DM's channel id) or to a channel, in a thread when `thread` is the parent's ts.
// The reply is drawn by the same renderer as in a DM (blocks/reply.ts, with its fallback text); each call is bounded
// by SLACK_WEB_API (timeout, retries of network errors and 5xx); a rate limit is waited out once, and blocks Slack
// rejects for their format go again as text (delivery.ts). Never throws: a failure is a Sent with ok:false, in words.
// One bot token is one workspace: a destination's `workspace` is not needed to reach it. A DM's Sent.channelId is the
// DM channel Slack answers with (D…), which is where a reply in its thread must go.

/** What an operator can do about each refusal. */
const WHY: Record<string, string> = {
  channel_not_found: `Slack cannot find that channel, or it is private and the app is not in it: invite it with \`/invite @${BOT_DISPLAY_NAME}\`, or check the channel id`,
  not_in_channel: `the app is not a member of that channel: invite it with \`/invite @${BOT_DISPLAY_NAME}\``,
  is_archived: 'the channel is archived',
  user_not_found: 'Slack knows no such user in this workspace: check the user id (U… or W…)',
  user_disabled: 'that user is deactivated',
  account_inactive: 'the app\'s token is no longer valid (the app was uninstalled or the token revoked)',
  invalid_auth: 'Slack refuses the app\'s token (SLACK_BOT_TOKEN)',
  not_authed: 'Slack refuses the app\'s token (SLACK_BOT_TOKEN)',
  cannot_dm_bot: 'that user is a bot; the app cannot message it',
  messages_tab_disabled: 'the app\'s Messages tab is turned off, so it cannot DM anyone: turn it on under App Home in the app\'s settings',
  restricted_action: 'a workspace setting restricts posting there',
  thread_not_found: 'the thread\'s parent message no longer exists',
  msg_too_long: 'the message is too long for Slack, even as text',
  ratelimited: 'Slack is rate-limiting the app',
  slack_webapi_rate_limited_error: 'Slack is rate-limiting the app',
};

/** Errors where trying again later may work: rate limits, Slack's own trouble, a network that failed. */
const RETRYABLE = new Set([
  'ratelimited',
  'slack_webapi_rate_limited_error',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'slack_webapi_request_error',
  'slack_webapi_http_error',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
]);

export interface SlackNotifierOptions {
  /** The Web API client once Slack is connected (Bolt's app.client); undefined until then. */
  client: () => webApi.WebClient | undefined;
  logger: Logger;
  policy?: SlackWebApiPolicy;
}

export class SlackNotifier {
  private readonly log: Logger;
  private readonly policy: SlackWebApiPolicy;

  constructor(private readonly options: SlackNotifierOptions) {
    this.log = options.logger.child({ component: 'slack-notify' });
    this.policy = options.policy ?? SLACK_WEB_API;
  }

  async send(to: Destination, reply: Reply): Promise<Sent> {
    const channel = to.kind === 'person' ? to.userId : to.channelId;
    const thread = to.kind === 'channel' ? (to.thread ?? undefined) : undefined;
    const where = { to: to.kind, channel, ...(thread ? { thread } : {}), reply: reply.kind };
    const client = this.options.client();
    if (!client) {
      const error = 'Slack is not connected yet (auth.test has not answered); try again shortly';
      this.log.warn({ ...where, error }, `Slack message not sent: ${error}`);
      return { ok: false, error, retryable: true };
    }
    try {
      const message = slackMessage(reply, 'dm');
      const posted = await postWithTextFallback(client, { channel, blocks: clampBlocks(message.blocks), text: message.text, ...(thread ? { threadTs: thread } : {}) }, this.policy);
      if (!posted.ts) throw Object.assign(new Error('Slack answered without a message ts'), { code: 'no_ts' });
      if (posted.plain) this.log.warn({ ...where, outcome: 'plain' }, 'Slack rejected the blocks of a message sent on our own; sent its text version');
      else this.log.info({ ...where, landed: posted.channel, ts: posted.ts }, 'Slack message sent');
      return { ok: true, ref: posted.ts, channelId: posted.channel ?? channel };
    } catch (err) {
      const code = slackError(err);
      const error = `Slack refused the message to ${to.kind === 'person' ? `user ${channel}` : `channel ${channel}${thread ? ` (thread ${thread})` : ''}`}: ${code}${WHY[code] ? `; ${WHY[code]}` : ''}`;
      const retryable = RETRYABLE.has(code) || /timeout|timed out|ECONN|socket hang up/i.test(code);
      this.log.warn({ ...where, error: code, retryable }, error);
      return { ok: false, error, retryable };
    }
  }
}
