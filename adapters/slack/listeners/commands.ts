import type { AllMiddlewareArgs, App, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import { allTopicFacts, answer, compare } from '../../../src/index.ts';
import { answerBlocks, answerText } from '../blocks/answer.ts';
import { helpBlocks, topicsBlocks, COMMAND } from '../blocks/help.ts';
import { parseCommand } from '../../../src/index.ts';
import type { SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';
import { respondWithComparison } from './respond.ts';

// /coexist-vs-api: ack first (with the content itself when it is ready at once), slow work after.

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(COMMAND, (args) => deps.interactions.run(args, () => handleCommand(args, deps)));
}

async function handleCommand({ command, ack, respond, client, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs, deps: SlackDeps): Promise<void> {
    const parsed = parseCommand(command.text);
    const { knowledge } = deps;
    switch (parsed.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', blocks: helpBlocks(knowledge) as never, text: 'How to use /coexist-vs-api' });
        return;
      case 'topics':
        await ack({ response_type: 'ephemeral', blocks: topicsBlocks(allTopicFacts(knowledge)) as never, text: 'Topics I know about' });
        return;
      case 'compare':
        await ack();
        await respondWithComparison(respond as RespondFn, compare(knowledge), deps, { shareable: true });
        return;
      case 'recommend':
        // The trigger_id expires 3 seconds after the command: ack, then open the modal straight away.
        await ack();
        await openRequirementsModal(client, deps, {
          triggerId: command.trigger_id,
          prefill: parsed.customer ? { customer: parsed.customer } : {},
          origin: command.channel_id,
          onFail: (text) => respond({ response_type: 'ephemeral', text }),
        });
        return;
      case 'question': {
        const result = answer(parsed.text, knowledge);
        await ack({
          response_type: 'ephemeral',
          blocks: answerBlocks(result, knowledge, { question: parsed.text }) as never,
          text: answerText(result),
        });
        logger.debug(`answered topic=${result.topic} confidence=${result.confidence}`);
        return;
      }
    }
}

export type { SlashCommand };
