import type { Knowledge } from '../knowledge/schema.ts';
import { withDetails, type ReplyAction, type ReplyActionId, type TopicRef } from './actions.ts';
import { findTopic } from '../advisor/facts.ts';
import { presentComparison, presentNotHelpful, presentTopic, type PresentOptions } from './present.ts';
import { withVerification } from './verification.ts';
import type { AnswerReply, Reply } from './reply.ts';
import { formReply } from './router.ts';
import { presentUpdatedRecommendation } from './recheck.ts';

// The one handler table: what a click on each action (src/present/actions.ts) shows, for Slack's block actions and
// Teams' submits alike. A surface reads what its button carried into the action's payload (checking it: a payload
// is data a client sent), calls actionReply, and draws the reply; what it records besides (a correction) it does
// after. undefined: the payload names nothing the knowledge has now (an old or forged button).

export type PayloadOf<Id extends ReplyActionId> = Extract<ReplyAction, { id: Id }> extends { payload: infer P } ? P : undefined;

/** A click: an action's id and its payload (none for compare and recommend). */
export type Click = { [Id in ReplyActionId]: { id: Id; payload: PayloadOf<Id> } }[ReplyActionId];

type Shows<Id extends ReplyActionId> = (knowledge: Knowledge, payload: PayloadOf<Id>, options: PresentOptions) => Reply | undefined;

/** A topic's answer as a button carried it: the question it answered, the second topic, details shown or not. */
function answerOf(knowledge: Knowledge, ref: TopicRef): AnswerReply | undefined {
  const reply = presentTopic(knowledge, ref.topic, ref.question, ref.also);
  return reply && ref.details ? withDetails(reply) : reply;
}

export const ON_ACTION: { [Id in ReplyActionId]: Shows<Id> } = {
  // Shared as it was shown (an answer with its details, when they were open).
  share: (knowledge, p) => ('comparison' in p ? presentComparison(knowledge) : answerOf(knowledge, p)),
  // The answer again, with the details open or closed.
  details: answerOf,
  compare: (knowledge) => presentComparison(knowledge),
  recommend: () => formReply(),
  // The form filled; a history entry without its requirements is read from the store by the surface first.
  edit: (_knowledge, p) => (p.requirements ? formReply(p.requirements.customer, p.requirements) : undefined),
  // Read from the store by the surface (who may see it is the scope rule's): nothing to show without it.
  open: () => undefined,
  // A verdict is written to the store, and the training lines read from it, by the surface (owners only).
  review: () => undefined,
  'training-lines': () => undefined,
  // A recheck note's: the recommendation made again from its requirements under today's knowledge.
  'open-updated': (knowledge, p) => presentUpdatedRecommendation(p.requirements, knowledge),
  // A verifier's verdict is written to the store by the surface (verifiers and owners only); it says what was recorded.
  verify: () => undefined,
  'needs-change': () => undefined,
  topic: (knowledge, p) => presentTopic(knowledge, p.topic, p.question),
  // The picked topic's answer, for the question as typed; the surface records the correction.
  correct: (knowledge, p) => presentTopic(knowledge, p.picked, p.text),
  // Not helpful, on an answer to a typed question: the topics closest to it. Otherwise nothing but thanks (the surface's).
  feedback: (knowledge, p, options) => (p.rating === 'not-helpful' && p.text && findTopic(knowledge, p.topic) ? presentNotHelpful(knowledge, p.text, p.topic, options) : undefined),
  // The question is recorded and posted to the experts' channel by the surface (it knows who asked); what the asker
  // is told then is experts.ts's.
  'ask-expert': () => undefined,
  // Written to the store by the surface (a correction; a new-topic mark), which then says so (EXPERT_SAYS).
  'save-phrasing': () => undefined,
  'new-topic': () => undefined,
};

/** What `click` shows. `options`: what the operator configured about replies (the surface's, as for route()), and the
 * verification dates and marks answers carry (src/present/verification.ts). */
export function actionReply(knowledge: Knowledge, click: Click, options: PresentOptions = {}): Reply | undefined {
  const reply = (ON_ACTION[click.id] as Shows<ReplyActionId>)(knowledge, click.payload as never, options);
  return reply && withVerification(reply, knowledge, options.verification);
}

/** The answer `click` shows: for share, details, topic and correct, whose replies are answers. */
export function actionAnswer(knowledge: Knowledge, click: Extract<Click, { id: 'share' | 'details' | 'topic' | 'correct' }>, options: PresentOptions = {}): AnswerReply | undefined {
  const reply = actionReply(knowledge, click, options);
  return reply?.kind === 'answer' ? reply : undefined;
}
