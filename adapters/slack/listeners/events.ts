import type { SayFn } from '@slack/bolt';
import { presentHelp, route, type Knowledge } from '../../../src/index.ts';
import { CALLBACKS } from '../blocks/common.ts';
import { homeView } from '../blocks/help.ts';
import { slackMessage } from '../blocks/reply.ts';
import { EVENT_KEY_TTL_MS } from '../dedupe.ts';
import type { SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';
import type { ListenerTable } from './table.ts';

// App Home, direct messages and the global shortcut.

export function registerEvents(app: ListenerTable, deps: SlackDeps): void {
  const { knowledge } = deps;

  app.event(['app_home_opened', 'message'], (args) =>
    deps.interactions.run(args, async () => {
      const { event, client, say, body } = args as typeof args & { say: SayFn };
      // Slack redelivers an event it thinks we missed (X-Slack-Retry-Num), possibly to another replica: answer
      // each event once. Bolt has acked the event already; the claim is made in the store.
      const eventId = (body as { event_id?: string }).event_id ?? `${event.type}:${(event as { event_ts?: string }).event_ts}`;
      if (!(await deps.claim(`slack:event:${eventId}`, EVENT_KEY_TTL_MS))) return;
      if (event.type === 'app_home_opened') {
        if (event.tab !== 'home') return;
        await client.views.publish({ user_id: event.user, view: homeView(presentHelp(knowledge)) });
        return;
      }
      if (event.type === 'message') await answerDirectMessage(event as unknown as Record<string, unknown>, say, knowledge);
    }),
  );

  app.shortcut(CALLBACKS.shortcut, (args) =>
    deps.interactions.run(args, async () => {
      await args.ack();
      await openRequirementsModal(args.client, deps, { triggerId: args.shortcut.trigger_id, prefill: {} });
    }),
  );
}

/** A person writing to the app in its DM; never our own or other bots' messages, never edits or joins. */
async function answerDirectMessage(message: Record<string, unknown>, say: SayFn, knowledge: Knowledge): Promise<void> {
  if (message.channel_type !== 'im' || message.subtype !== undefined || message.bot_id || typeof message.text !== 'string' || !message.text) return;
  await say(slackMessage(route(message.text, knowledge), 'dm'));
}
