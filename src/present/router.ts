import type { Knowledge } from '../knowledge/schema.ts';
import { answer } from '../advisor/answer.ts';
import { recommend, type Recommendation } from '../advisor/recommend.ts';
import type { Requirements } from '../advisor/requirements.ts';
import { parseCommand, type AdvisorCommand } from '../advisor/commands.ts';
import { historyRequest, presentAnswer, type PresentOptions, presentComparison, presentGreeting, presentHelp, presentRecommendation, presentTopics } from './present.ts';
import type { FormReply, RecommendationReply, Reply } from './reply.ts';
import { reportRequest } from './report.ts';
import { LABELS } from './labels.ts';
import { withVerification } from './verification.ts';

// The one command router: what anyone typed (Slack slash command, Slack DM, Teams, `coexist-advisor ask`) → a Reply.
// Surfaces differ only in how they draw it and deliver it.

/** `options`: what the operator configured about replies (EXPERT_HINT). */
export function replyTo(command: AdvisorCommand, knowledge: Knowledge, options: PresentOptions = {}): Reply {
  switch (command.kind) {
    case 'help':
      return presentHelp(knowledge);
    case 'greeting':
      return presentGreeting(knowledge);
    case 'compare':
      return presentComparison(knowledge);
    case 'topics':
      return presentTopics(knowledge);
    case 'recommend':
      return formReply(command.customer);
    case 'history':
      return historyRequest(command.customer);
    case 'report':
      return reportRequest();
    case 'question':
      return presentAnswer(answer(command.text, knowledge), command.text, knowledge, options);
  }
}

/** The requirements form, for `customer`, filled with `requirements` when given (Edit requirements). */
export function formReply(customer?: string, requirements?: Requirements): FormReply {
  return {
    kind: 'form',
    ...(customer ? { customer } : {}),
    ...(requirements ? { requirements } : {}),
    actions: [{ id: 'recommend', label: LABELS.openForm }],
    summary: `${LABELS.recommend}: fill in what the customer needs`,
  };
}

/** Text as typed → the reply, with the verification dates and marks of `options.verification`. */
export function route(text: string | undefined, knowledge: Knowledge, options: PresentOptions = {}): Reply {
  return withVerification(replyTo(parseCommand(text), knowledge, options), knowledge, options.verification);
}

/** Validated requirements (the form, the modal) → the recommendation's reply. */
export function recommendationReply(requirements: Requirements, knowledge: Knowledge): RecommendationReply {
  return recommendationWithReply(requirements, knowledge).reply;
}

/** The same, with the recommendation it draws: what a surface records once the reply is posted. */
export function recommendationWithReply(requirements: Requirements, knowledge: Knowledge): { recommendation: Recommendation; reply: RecommendationReply } {
  const recommendation = recommend(requirements, knowledge);
  return { recommendation, reply: presentRecommendation(recommendation, knowledge) };
}
