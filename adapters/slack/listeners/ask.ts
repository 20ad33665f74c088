import type { RespondFn } from '@slack/bolt';
import { route } from '../../../src/index.ts';
import { CALLBACKS, COMMAND, section } from '../blocks/common.ts';
import { slackMessage } from '../blocks/reply.ts';
import { fromStoreNeeded } from '../../store/answers.ts';
import { answerTyped, feedbackFor, questionFor, recordQuestion, teamOf, type SlackDeps } from '../deps.ts';
import { messageWords } from '../text.ts';
import { respondWithComparison } from './respond.ts';
import type { ListenerTable } from './table.ts';

// The message shortcut "Ask the advisor": answers the clicked message's text to the person who clicked, through
// the shortcut's response URL (only they see it). Its Share button posts into that message's thread.

const NO_TEXT =
  'That message has no text I can read (a file, an image or only a mention), so I have nothing to answer. ' +
  `Use the shortcut on a message with a question in words, or ask me with \`${COMMAND} <question>\`.`;

export function registerAsk(app: ListenerTable, deps: SlackDeps): void {
  app.messageShortcut(CALLBACKS.askShortcut, (args) =>
    deps.interactions.run(args, async () => {
      const { ack, shortcut } = args;
      await ack();
      const respond = args.respond as RespondFn;
      const text = messageWords(shortcut.message.text);
      if (text === '') {
        await respond({ response_type: 'ephemeral', replace_original: false, text: NO_TEXT, blocks: [section(`:page_facing_up: ${NO_TEXT}`)] });
        return;
      }
      const thread = (shortcut.message.thread_ts as string | undefined) ?? shortcut.message.ts;
      const reply = route(text, deps.knowledge, deps.present);
      if (reply.kind === 'comparison') return respondWithComparison(respond, reply, deps, { shareable: true });
      if (fromStoreNeeded(reply)) {
        // History and the report (which this shortcut used to answer as a bare 'not available here').
        await respond({ response_type: 'ephemeral', ...slackMessage(await answerTyped(deps, args.client, { user: shortcut.user.id, team: teamOf(args.body) }, reply), 'ephemeral') });
        return;
      }
      const question = questionFor(deps, reply, shortcut.user.id);
      await respond({ response_type: 'ephemeral', replace_original: false, ...slackMessage(reply, 'ephemeral', { ...feedbackFor(question), thread }) });
      recordQuestion(deps, question);
    }),
  );
}
