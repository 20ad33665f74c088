import { route } from '../../../src/index.ts';
import { slackMessage } from '../blocks/reply.ts';
import { EVENT_KEY_TTL_MS } from '../dedupe.ts';
import { deliveryOutcome, postOrDeliverToUser } from '../delivery.ts';
import { fromStoreNeeded } from '../../store/answers.ts';
import { answerTyped, feedbackFor, questionFor, recordQuestion, teamOf, type SlackDeps } from '../deps.ts';
import { messageWords } from '../text.ts';
import type { ListenerTable } from './table.ts';

// `@Co-Existence Advisor can we keep the phone app?` in a channel: the reply goes into the thread of the mention
// (thread_ts: the mention's own thread when it is a reply, else the mention itself). `recommend` gets the button
// that opens the modal (a mention carries no trigger_id). `history` and `report` are shown to the asker alone.

export function registerMentions(app: ListenerTable, deps: SlackDeps): void {
  app.appMention((args) =>
    deps.interactions.run(args, async () => {
      const { event, body, client, context } = args;
      const raw = event as unknown as Record<string, unknown>;
      // Never our own messages, never other bots: a bot mentioning us would start a loop.
      if (raw.bot_id || raw.subtype === 'bot_message' || !event.user || event.user === context.botUserId) return;
      // Slack redelivers an event it thinks we missed, possibly to another replica: answer each mention once.
      const eventId = (body as { event_id?: string }).event_id ?? `app_mention:${event.channel}:${event.ts}`;
      if (!(await deps.claim(`slack:event:${eventId}`, EVENT_KEY_TTL_MS, 'act'))) return;
      const threadTs = event.thread_ts ?? event.ts;
      const routed = route(messageWords(event.text), deps.knowledge, deps.present);
      if (fromStoreNeeded(routed)) {
        const reply = await answerTyped(deps, client, { user: event.user, team: teamOf(body) }, routed);
        await client.chat.postEphemeral({ channel: event.channel, user: event.user, thread_ts: threadTs, ...slackMessage(reply, 'ephemeral') });
        return;
      }
      const question = questionFor(deps, routed, event.user);
      // Drawn as in the app's DM: everyone in the thread sees it, so no private-only buttons (Share).
      const message = slackMessage(routed, 'dm', feedbackFor(question));
      const delivery = await postOrDeliverToUser(client, deps.logger, { channel: event.channel, user: event.user, ...message, what: 'answer', threadTs }, deps.webApi);
      recordQuestion(deps, question);
      return deliveryOutcome(delivery);
    }),
  );
}
