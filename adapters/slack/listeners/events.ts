import type { SayFn } from '@slack/bolt';
import { presentHelp, route, type Reply } from '../../../src/index.ts';
import { CALLBACKS } from '../blocks/common.ts';
import { homeIntro } from '../blocks/help.ts';
import { homeView } from '../blocks/report.ts';
import { slackMessage } from '../blocks/reply.ts';
import { EVENT_KEY_TTL_MS } from '../dedupe.ts';
import { answerTyped, feedbackFor, isOwner, questionFor, recentFor, recordQuestion, reportReply, teamOf, type SlackAsker, type SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';
import type { ListenerTable } from './table.ts';
import { relayExpertReply } from '../../store/experts.ts';
import { messageWords } from '../text.ts';

// App Home, direct messages and the global shortcut.

export function registerEvents(app: ListenerTable, deps: SlackDeps): void {
  const { knowledge } = deps;

  app.event(['app_home_opened', 'message'], (args) =>
    deps.interactions.run(args, async () => {
      const { event, client, say, body } = args as typeof args & { say: SayFn };
      // A reply in a thread of EXPERTS_CHANNEL: the first one under an expert question goes to the asker.
      const expertReply = event.type === 'message' && deps.experts ? expertThreadReply(event as unknown as Record<string, unknown>, deps.experts.channels.slack) : undefined;
      if (expertReply && deps.experts) {
        const outcome = await relayExpertReply(
          deps.experts,
          { platform: 'slack', channelId: expertReply.channel, parent: expertReply.thread, workspace: teamOf(body) ?? null },
          { by: { platform: 'slack', userId: expertReply.user }, text: expertReply.text, files: expertReply.files },
        );
        if (outcome !== 'not-ours') deps.logger.debug({ outcome }, 'expert thread reply');
        return;
      }
      // What needs no answer is dropped before the claim (our own DM posts come back as message events).
      if (event.type === 'app_home_opened' ? event.tab !== 'home' : !isPersonsDirectMessage(event as unknown as Record<string, unknown>)) return;
      // Slack redelivers an event it thinks we missed (X-Slack-Retry-Num), possibly to another replica: answer
      // each event once. Bolt has acked the event already; the claim is made in the store.
      const eventId = (body as { event_id?: string }).event_id ?? `${event.type}:${(event as { event_ts?: string }).event_ts}`;
      if (!(await deps.claim(`slack:event:${eventId}`, EVENT_KEY_TTL_MS, 'act'))) return;
      if (event.type === 'app_home_opened') {
        await publishHome(deps, client, { user: event.user, team: teamOf(body) });
        return;
      }
      const message = event as unknown as { text: string; user?: string };
      const routed = route(message.text, knowledge, deps.present);
      // The DM is private: history and (for the knowledge owners) the report are shown here as in the slash command.
      const reply: Reply = message.user ? await answerTyped(deps, client, { user: message.user, team: teamOf(body) }, routed) : routed;
      const question = questionFor(deps, reply, message.user);
      await say(slackMessage(reply, 'dm', feedbackFor(question)));
      recordQuestion(deps, question);
    }),
  );

  app.shortcut(CALLBACKS.shortcut, (args) =>
    deps.interactions.run(args, async () => {
      await args.ack();
      await openRequirementsModal(args.client, deps, { triggerId: args.shortcut.trigger_id, prefill: {} });
    }),
  );
}

/**
 * A person's reply in a thread of the experts' channel (`channel`): its channel, thread (the parent's ts), author and
 * words (mentions and links as a person reads them), and how many files came with it. A reply also sent to the channel
 * (thread_broadcast) and one with files (file_share) count; never a bot's message (our own follow-up), an edit or a join.
 */
function expertThreadReply(message: Record<string, unknown>, channel: string | undefined): { channel: string; thread: string; user: string; text: string; files: number } | undefined {
  const subtype = message.subtype;
  if (!channel || message.channel !== channel || (subtype !== undefined && !EXPERT_REPLY_SUBTYPES.has(String(subtype))) || message.bot_id) return undefined;
  const { thread_ts: thread, ts, user } = message;
  if (typeof thread !== 'string' || thread === ts || typeof user !== 'string') return undefined;
  const text = messageWords(typeof message.text === 'string' ? message.text : '');
  const files = subtype === 'file_share' && Array.isArray(message.files) ? message.files.length : 0;
  return text || files > 0 ? { channel, thread, user, text, files } : undefined;
}

/** Message subtypes that are a person's reply in a thread: also sent to the channel, or with files. */
const EXPERT_REPLY_SUBTYPES: ReadonlySet<string> = new Set(['thread_broadcast', 'file_share']);

/** A person writing to the app in its DM; never our own or other bots' messages, never edits or joins. */
function isPersonsDirectMessage(message: Record<string, unknown>): boolean {
  return message.channel_type === 'im' && message.subtype === undefined && !message.bot_id && typeof message.text === 'string' && message.text !== '';
}

/**
 * App Home for one person: what the app does, their recent recommendations and, for the knowledge owners, this
 * week's report. Published again after a review so the line shows its verdict.
 */
export async function publishHome(deps: SlackDeps, client: { views: { publish(args: { user_id: string; view: ReturnType<typeof homeView> }): Promise<unknown> } }, asker: SlackAsker): Promise<void> {
  const userId = asker.user;
  const [recent, report] = await Promise.all([recentFor(deps, asker), isOwner(deps, userId) ? reportReply(deps, userId) : Promise.resolve(undefined)]);
  await client.views.publish({ user_id: userId, view: homeView(homeIntro(presentHelp(deps.knowledge)), recent, report) });
}
