import type { FormValues } from './form.ts';
import type { Knowledge, Reply } from '../../../src/index.ts';
import { answerCard, clarifyCard, noTopicCard, notHelpfulCard } from './answer.ts';
import type { Card } from './common.ts';
import { comparisonCard } from './comparison.ts';
import { formCard } from './form.ts';
import { greetingCard, helpCard, topicsCard } from './help.ts';
import { historyCard } from './history.ts';
import { recommendationCard } from './recommendation.ts';
import { reportCard } from './report.ts';
import { recheckNoteCard } from './recheck.ts';
import { expertAnswerCard, expertNoticeCard, expertQuestionCard } from './experts.ts';
import { sourceChangesCard } from './sources.ts';
import { verifyReminderCard } from './verify.ts';

export interface CardOptions {
  /** The requester's display name, on a new recommendation. */
  requestedBy?: string;
  /** Who is looking (AAD object id): "you" in the history and on a recommendation opened from it. */
  viewer?: string;
  /** The recorded question an answer answers: its feedback buttons refer to it. */
  feedback?: { question: string };
  /** The recorded question a Not helpful card's picks correct (without it, a pick only shows the topic). */
  correct?: { question: string };
}

/** Draws any reply as an Adaptive Card. The form needs the knowledge (its needs and countries), nothing else does. */
export function teamsCard(reply: Reply, knowledge: Knowledge, options: CardOptions = {}): Card {
  switch (reply.kind) {
    case 'answer':
      return answerCard(reply, options.feedback);
    case 'off-topic':
      return noTopicCard(reply, options.feedback);
    case 'clarify':
      return clarifyCard(reply, options.feedback);
    case 'greeting':
      return greetingCard(reply);
    case 'help':
      return helpCard(reply);
    case 'topics':
      return topicsCard(reply);
    case 'comparison':
      return comparisonCard(reply);
    case 'form':
      return formCard(knowledge, reply.customer ? ({ customer: reply.customer } satisfies FormValues) : {});
    case 'recommendation':
      return recommendationCard(reply, options);
    case 'history':
      return historyCard(reply, options.viewer);
    case 'not-helpful':
      return notHelpfulCard(reply, options.correct);
    case 'report':
      return reportCard(reply);
    case 'recheck-note':
      return recheckNoteCard(reply);
    case 'expert-question':
      return expertQuestionCard(reply);
    case 'expert-answer':
      return expertAnswerCard(reply);
    case 'expert-notice':
      return expertNoticeCard(reply);
    case 'source-changes':
      return sourceChangesCard(reply);
    case 'verify-reminder':
      return verifyReminderCard(reply);
  }
}
