import type { Reply } from '../../../src/index.ts';
import { answerMessage, clarifyMessage, noTopicMessage, notHelpfulMessage, type AnswerView } from './answer.ts';
import type { SlackMessage } from './common.ts';
import { comparisonMessage } from './comparison.ts';
import { formButtonMessage, greetingMessage, helpMessage, topicsMessage } from './help.ts';
import { historyMessage } from './history.ts';
import { recommendationMessage } from './recommendation.ts';
import { reportMessage } from './report.ts';
import { recheckNoteMessage } from './recheck.ts';
import { expertAnswerMessage, expertNoticeMessage, expertQuestionMessage } from './experts.ts';
import { sourceChangesMessage } from './sources.ts';
import { verifyReminderMessage } from './verify.ts';

/** Where a reply is shown: the asker alone (slash command), or the app's DM. */
export type Surface = 'ephemeral' | 'dm';

/** Draws any reply as a Slack message for `surface`. */
export function slackMessage(reply: Reply, surface: Surface, answerView: Partial<AnswerView> = {}): SlackMessage {
  switch (reply.kind) {
    case 'answer':
      return answerMessage(reply, { audience: surface, ...answerView });
    case 'off-topic':
      return noTopicMessage(reply, answerView.feedback?.question);
    case 'clarify':
      return clarifyMessage(reply, answerView.feedback?.question, answerView.thread);
    case 'greeting':
      return greetingMessage(reply);
    case 'help':
      return helpMessage(reply);
    case 'topics':
      return topicsMessage(reply);
    case 'comparison':
      return comparisonMessage(reply, { table: surface === 'ephemeral', shareable: surface === 'ephemeral' });
    case 'form':
      return formButtonMessage(reply);
    case 'recommendation':
      return recommendationMessage(reply, { editable: surface !== 'dm' });
    case 'history':
      return historyMessage(reply);
    case 'not-helpful':
      return notHelpfulMessage(reply, answerView.feedback?.question);
    case 'report':
      return reportMessage(reply);
    case 'recheck-note':
      return recheckNoteMessage(reply);
    case 'expert-question':
      return expertQuestionMessage(reply);
    case 'expert-answer':
      return expertAnswerMessage(reply);
    case 'expert-notice':
      return expertNoticeMessage(reply);
    case 'source-changes':
      return sourceChangesMessage(reply);
    case 'verify-reminder':
      return verifyReminderMessage(reply);
  }
}
