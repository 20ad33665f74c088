import type { App } from '@slack/bolt';
import { allTopicFacts, answer, compare } from '../../../src/index.ts';
import { answerBlocks, answerText } from '../blocks/answer.ts';
import { ACTIONS, actions, CALLBACKS } from '../blocks/common.ts';
import { comparisonBlocks, comparisonText } from '../blocks/comparison.ts';
import { helpBlocks, homeView, topicsBlocks } from '../blocks/help.ts';
import { parseCommand } from '../commands.ts';
import type { SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';

// App Home, direct messages and the global shortcut.

export function registerEvents(app: App, deps: SlackDeps): void {
  const { knowledge } = deps;

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(knowledge) as never });
  });

  app.message(async ({ message, say }) => {
    // Only people writing to the app in its DM; never our own or other bots' messages, never edits.
    if (message.channel_type !== 'im' || message.subtype !== undefined || !('text' in message) || !message.text) return;
    if ('bot_id' in message && message.bot_id) return;
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
  });

  app.shortcut(CALLBACKS.shortcut, async ({ ack, shortcut, client }) => {
    await ack();
    await openRequirementsModal(client, deps, { triggerId: shortcut.trigger_id, prefill: {} });
  });
}
