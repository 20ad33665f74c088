import type { App, SayFn } from '@slack/bolt';
import { allTopicFacts, answer, compare, type Knowledge } from '../../../src/index.ts';
import { answerBlocks, answerText } from '../blocks/answer.ts';
import { ACTIONS, actions, CALLBACKS } from '../blocks/common.ts';
import { comparisonBlocks, comparisonText } from '../blocks/comparison.ts';
import { helpBlocks, homeView, topicsBlocks } from '../blocks/help.ts';
import { parseCommand } from '../../../src/index.ts';
import type { SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';

// App Home, direct messages and the global shortcut.

export function registerEvents(app: App, deps: SlackDeps): void {
  const { knowledge } = deps;

  // One listener for both events (Bolt runs every listener's matchers on every request; fewer is faster).
  app.event(/^(app_home_opened|message)$/, (args) =>
    deps.interactions.run(args, async () => {
      const { event, client, say, body } = args as typeof args & { say: SayFn };
      // Slack redelivers an event it thinks we missed (X-Slack-Retry-Num): answer each event once.
      if (!deps.recent.firstTime(`event:${(body as { event_id?: string }).event_id ?? `${event.type}:${(event as { event_ts?: string }).event_ts}`}`)) return;
      if (event.type === 'app_home_opened') {
        if (event.tab !== 'home') return;
        await client.views.publish({ user_id: event.user, view: homeView(knowledge) as never });
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
  const parsed = parseCommand(message.text);
  switch (parsed.kind) {
    case 'help':
      await say({ blocks: helpBlocks(knowledge) as never, text: 'How to use the advisor' });
      return;
    case 'topics':
      await say({ blocks: topicsBlocks(allTopicFacts(knowledge)) as never, text: 'Topics I know about' });
      return;
    case 'compare': {
      const c = compare(knowledge);
      await say({ blocks: comparisonBlocks(c, { table: false, shareable: false }) as never, text: comparisonText(c) });
      return;
    }
    case 'recommend':
      await say({
        blocks: [actions([{ text: 'Open the recommendation form', actionId: ACTIONS.recommend, style: 'primary' }])] as never,
        text: 'Open the recommendation form',
      });
      return;
    case 'question': {
      const result = answer(parsed.text, knowledge);
      const blocks = answerBlocks(result, knowledge, { question: parsed.text }).filter((b) => b.block_id !== 'answer_actions');
      await say({ blocks: blocks as never, text: answerText(result) });
    }
  }
}
