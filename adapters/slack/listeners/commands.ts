import type { RespondFn } from '@slack/bolt';
import { route } from '../../../src/index.ts';
import { COMMAND } from '../blocks/common.ts';
import { slackMessage } from '../blocks/reply.ts';
import { fromStoreNeeded } from '../../store/answers.ts';
import { answerTyped, feedbackFor, questionFor, recordQuestion, teamOf, type SlackDeps } from '../deps.ts';
import { openRequirementsModal } from './modal.ts';
import type { CommandArgs, ListenerTable } from './table.ts';
import { respondWithComparison } from './respond.ts';

// /coexist-vs-api: the router decides the reply; here only how it travels. Ack first (with the content itself
// when it is ready at once), slow work after.

export function registerCommands(app: ListenerTable, deps: SlackDeps): void {
  app.command(COMMAND, (args) => deps.interactions.run(args, () => handleCommand(args, deps)));
}

async function handleCommand({ command, ack, respond, client }: CommandArgs, deps: SlackDeps): Promise<void> {
  const reply = route(command.text, deps.knowledge, deps.present);
  if (fromStoreNeeded(reply)) {
    // History, the report: read from the store after the ack (it may take a moment); shown to the asker alone.
    await ack();
    await respond({ response_type: 'ephemeral', ...slackMessage(await answerTyped(deps, client, { user: command.user_id, team: teamOf(command) }, reply), 'ephemeral') });
    return;
  }
  switch (reply.kind) {
    case 'comparison':
      // Through the response URL, so a table Slack rejects can be sent again as text rows.
      await ack();
      await respondWithComparison(respond as RespondFn, reply, deps, { shareable: true });
      return;
    case 'form':
      // The trigger_id expires 3 seconds after the command: ack, then open the modal straight away.
      await ack();
      await openRequirementsModal(client, deps, {
        triggerId: command.trigger_id,
        prefill: reply.customer ? { customer: reply.customer } : {},
        origin: command.channel_id,
        onFail: (text) => respond({ response_type: 'ephemeral', text }),
      });
      return;
    default: {
      const question = questionFor(deps, reply, command.user_id);
      await ack({ response_type: 'ephemeral', ...slackMessage(reply, 'ephemeral', feedbackFor(question)) });
      // After the ack: the answer has gone; recording it waits for nothing.
      recordQuestion(deps, question);
    }
  }
}
