import type { RespondFn } from '@slack/bolt';
import { route } from '../../../src/index.ts';
import { COMMAND } from '../blocks/common.ts';
import { slackMessage } from '../blocks/reply.ts';
import { feedbackFor, historyReply, questionFor, recordQuestion, reportReply, teamOf, type SlackDeps } from '../deps.ts';
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
    case 'history':
      // Read from the store after the ack (it may take a moment); shown to the asker alone.
      await ack();
      await respond({ response_type: 'ephemeral', ...slackMessage(await historyReply(deps, client, { user: command.user_id, team: teamOf(command) }, reply.customer), 'ephemeral') });
      return;
    case 'report':
      // The knowledge owners' report, to the asker alone; read after the ack.
      await ack();
      await respond({ response_type: 'ephemeral', ...slackMessage(await reportReply(deps, command.user_id), 'ephemeral') });
      return;
    default: {
      const question = questionFor(deps, reply, command.user_id);
      await ack({ response_type: 'ephemeral', ...slackMessage(reply, 'ephemeral', feedbackFor(question)) });
      // After the ack: the answer has gone; recording it waits for nothing.
      recordQuestion(deps, question);
    }
  }
}
