import type { TopicId } from '../knowledge/ids.ts';
import type { Requirements } from '../advisor/requirements.ts';
import { LABELS } from './labels.ts';
import { EXPERT } from '../matching/thresholds.ts';
import type { AnswerReply, ClarifyReply, NoTopicReply, NotHelpfulReply, TopicLink } from './reply.ts';

// What a person can do with a reply, decided once here: each action has an id (the registry below), a label (from
// LABELS, or a topic's title) and the payload its handler needs. A renderer draws the actions a reply carries, in
// order, encoding the payload the way its platform carries it (adapters/slack/values.ts, a Teams Action.Submit's
// data); it never adds one of its own. A platform that cannot do an action leaves it out, by name (the render
// coverage test lists each such opt-out).

/** Every action a reply can carry. Each platform maps each id to its own handler (a test checks both do). */
export const REPLY_ACTION_IDS = ['share', 'details', 'compare', 'recommend', 'topic', 'correct', 'feedback', 'edit', 'open', 'review', 'training-lines', 'open-updated', 'ask-expert', 'save-phrasing', 'new-topic', 'verify', 'needs-change'] as const;
export type ReplyActionId = (typeof REPLY_ACTION_IDS)[number];

/** A topic's answer as a button shows it again: the question it answered (so it leads with the same setup). */
export interface TopicRef {
  topic: TopicId;
  /** The question as typed (user text). */
  question?: string;
  /** The second topic of a question that asked two things. */
  also?: TopicId;
  /** Show each setup's longer explanation. */
  details?: boolean;
}

export type ReplyAction =
  /** Post the answer (or the comparison) for everyone in the conversation. */
  | { id: 'share'; label: string; payload: TopicRef | { comparison: true } }
  /** The answer again, with (or without) the longer explanations: `payload.details` is the state after the click. */
  | { id: 'details'; label: string; payload: TopicRef }
  | { id: 'compare'; label: string }
  | { id: 'recommend'; label: string }
  /** A topic's answer, picked from a list (nothing recorded). */
  | { id: 'topic'; label: string; payload: { topic: TopicId; question?: string } }
  /**
   * A topic picked instead of what was answered (`answered`, null: nothing was), for a recorded question (its id):
   * shows the topic's answer and records the pick as a correction ("asked X, picked topic Y").
   */
  | { id: 'correct'; label: string; payload: { question: string; picked: TopicId; answered: TopicId | null; text: string } }
  /**
   * Helpful / Not helpful on the answer to a recorded question (its id): recorded; Not helpful also offers the topics
   * closest to the question (`text`, when it was typed), the one answered left out.
   */
  | { id: 'feedback'; label: string; payload: { question: string; topic: TopicId; rating: 'helpful' | 'not-helpful'; text?: string } }
  /**
   * The form again, filled with what a recommendation was made from: its requirements, or (a history entry) its id in
   * the store, with the requirements when the entry has them.
   */
  | { id: 'edit'; label: string; payload: { requirements: Requirements } | { recommendation: string; requirements?: Requirements } }
  /** A past recommendation in full, read from the store by its id (a history entry's Open). */
  | { id: 'open'; label: string; payload: { recommendation: string } }
  /** A knowledge owner's verdict on a correction group of the report (the question as stored, the topic picked). */
  | { id: 'review'; label: string; payload: { question: string; picked: TopicId; verdict: 'accepted' | 'dismissed' } }
  /** The accepted corrections, as training lines to copy (knowledge owners). */
  | { id: 'training-lines'; label: string }
  /**
   * A recheck note's: the recommendation (its id) made again from its requirements under today's knowledge, with Edit
   * requirements. The requirements ride along without their notes (they do not change a verdict), so no store is read.
   */
  | { id: 'open-updated'; label: string; payload: { recommendation: string; requirements: Requirements } }
  /**
   * The question (as typed, user text) sent to the experts' channel, with what was answered (null: nothing); the
   * surface knows who clicked, records the question and posts it (src/present/experts.ts says the words).
   */
  | { id: 'ask-expert'; label: string; payload: { question: string; answered: TopicId | null } }
  /** On an expert's relayed answer: the expert question (its id in the store) saved as a phrasing of `topic` (a correction). */
  | { id: 'save-phrasing'; label: string; payload: { expertQuestion: string; topic: TopicId } }
  /** On an expert's relayed answer: the question needs a topic the knowledge does not have (listed in the report). */
  | { id: 'new-topic'; label: string; payload: { expertQuestion: string } }
  /** A verifier's "Still correct" on a topic's reminder: recorded with the knowledge version the reminder showed. */
  | { id: 'verify'; label: string; payload: VerifyRef }
  /** A verifier's "Needs a change" on a topic's reminder: recorded, and listed in the owners' report. */
  | { id: 'needs-change'; label: string; payload: VerifyRef };

/** What a reminder's buttons carry: the topic, and the knowledge version (adapters/store/knowledge-version.ts) shown. */
export interface VerifyRef {
  topic: TopicId;
  version: string;
}

export type ActionOf<Id extends ReplyActionId> = Extract<ReplyAction, { id: Id }>;

/** The replies a topic pick can be recorded from. */
export type ActionableReply = AnswerReply | ClarifyReply | NoTopicReply | NotHelpfulReply;

const refOf = (reply: AnswerReply): TopicRef => ({
  topic: reply.topic,
  ...(reply.question ? { question: reply.question } : {}),
  ...(reply.also ? { also: reply.also.answer.topic } : {}),
});

/** An answer's actions: Share, More details (or Less, when `details` are shown), Compare all features. */
export function answerActions(reply: AnswerReply, details = false): ReplyAction[] {
  const ref = refOf(reply);
  return [
    { id: 'share', label: LABELS.shareInChannel, payload: { ...ref, details } },
    { id: 'details', label: details ? LABELS.lessDetails : LABELS.moreDetails, payload: { ...ref, details: !details } },
    { id: 'compare', label: LABELS.compare },
  ];
}

/** The same answer with its longer explanations shown: its actions say Less, and Share shares it so. */
export const withDetails = (reply: AnswerReply): AnswerReply => ({ ...reply, actions: answerActions(reply, true) });

/** A button per topic offered: shows its answer. */
export const topicPickers = (links: readonly TopicLink[], question?: string): ReplyAction[] =>
  links.map((l) => ({ id: 'topic', label: l.title, payload: { topic: l.topic, ...(question ? { question } : {}) } }));

/** The two ways to start over, offered when a question was declined. */
export const startActions = (): ReplyAction[] => [
  { id: 'recommend', label: LABELS.recommend },
  { id: 'compare', label: LABELS.compare },
];

/** The comparison's: Share it, or go on to a recommendation. */
export const comparisonActions = (): ReplyAction[] => [
  { id: 'share', label: LABELS.shareInChannel, payload: { comparison: true } },
  { id: 'recommend', label: LABELS.recommend },
];

/** A recommendation's: Edit requirements (the form, filled), and the full comparison. */
export const recommendationActions = (requirements: Requirements): ReplyAction[] => [
  { id: 'edit', label: LABELS.editRequirements, payload: { requirements } },
  { id: 'compare', label: LABELS.fullComparison },
];

/** A history entry's: Open it in full, Edit it as a new form. */
export const pastActions = (recommendation: string, requirements?: Requirements): ReplyAction[] => [
  { id: 'open', label: LABELS.openPast, payload: { recommendation } },
  { id: 'edit', label: LABELS.editPast, payload: { recommendation, ...(requirements ? { requirements } : {}) } },
];

/** A recheck note's: the recommendation made again under today's knowledge. */
export const recheckNoteActions = (recommendation: string, requirements: Requirements): ReplyAction[] => {
  const { notes: _notes, ...rest } = requirements;
  return [{ id: 'open-updated', label: LABELS.openUpdated, payload: { recommendation, requirements: rest } }];
};

/** A correction waiting for review: Accept (when its topic is still in the knowledge) and Dismiss. */
export const reviewActions = (question: string, picked: TopicId, pickedTitle: string, known: boolean): ReplyAction[] => [
  ...(known ? [{ id: 'review', label: `${LABELS.accept}: ${pickedTitle}`, payload: { question, picked, verdict: 'accepted' } } as const] : []),
  { id: 'review', label: LABELS.dismiss, payload: { question, picked, verdict: 'dismissed' } },
];

/** What a topic pick corrects: the best guess ("Which do you mean?"), nothing (a decline), or the answer given. */
function answeredBy(reply: ActionableReply): TopicId | null | undefined {
  switch (reply.kind) {
    case 'clarify':
      return reply.topic;
    case 'off-topic':
      return null;
    case 'not-helpful':
      return reply.answered;
    case 'answer':
      return undefined;
  }
}

/**
 * The reply to a question that was recorded (its id in the store): an answer asks whether it helped, and a topic
 * picked from a list is a correction of what was answered. Without a record (no store) an answer asks nothing and a
 * pick only shows the topic; without the question's text too.
 */
export function asRecorded<R extends ActionableReply>(reply: R, questionId: string | undefined): R {
  if (!questionId) return reply;
  if (reply.kind === 'answer') {
    // Asked how it did: Helpful / Not helpful, once (a reply already recorded keeps its own).
    if (reply.actions.some((a) => a.id === 'feedback')) return reply;
    const asked = { question: questionId, topic: reply.topic, ...(reply.question ? { text: reply.question } : {}) };
    return {
      ...reply,
      actions: [...reply.actions, { id: 'feedback', label: LABELS.helpful, payload: { ...asked, rating: 'helpful' } }, { id: 'feedback', label: LABELS.notHelpful, payload: { ...asked, rating: 'not-helpful' } }],
    };
  }
  const answered = answeredBy(reply);
  const text = reply.question;
  if (answered === undefined || !text) return reply;
  return {
    ...reply,
    actions: reply.actions.map((a): ReplyAction => (a.id === 'topic' ? { id: 'correct', label: a.label, payload: { question: questionId, picked: a.payload.topic, answered, text } } : a)),
  };
}

/**
 * Whether a reply offers *Ask an expert* (when the platform has an experts' channel): a declined question, "Which do
 * you mean?", the topics offered after *Not helpful*, and an answer matched under EXPERT.offerUnder. An answer to a
 * topic picked by a button (no confidence) was chosen by the person: it offers none.
 */
export function offersExpert(reply: ActionableReply): boolean {
  switch (reply.kind) {
    case 'off-topic':
    case 'clarify':
    case 'not-helpful':
      return reply.question.trim() !== '';
    case 'answer':
      return reply.confidence !== undefined && reply.confidence < EXPERT.offerUnder && Boolean(reply.question?.trim());
  }
}

/** `reply` with *Ask an expert* last, when it offers one (offersExpert). */
export function withAskExpert<R extends ActionableReply>(reply: R): R {
  if (!offersExpert(reply) || reply.actions.some((a) => a.id === 'ask-expert')) return reply;
  const question = reply.kind === 'answer' ? (reply.question ?? '') : reply.question;
  return { ...reply, actions: [...reply.actions, { id: 'ask-expert', label: LABELS.askExpert, payload: { question, answered: answeredBy(reply) ?? (reply.kind === 'answer' ? reply.topic : null) } }] };
}

/** What the expert can do with an answer once it is relayed: save it as a phrasing of one of `topics`, or ask for a new topic. */
export const expertSideActions = (expertQuestion: string, topics: readonly TopicLink[]): ReplyAction[] => [
  ...topics.map((t): ReplyAction => ({ id: 'save-phrasing', label: `${LABELS.savePhrasing}: ${t.title}`, payload: { expertQuestion, topic: t.topic } })),
  { id: 'new-topic', label: LABELS.newTopic, payload: { expertQuestion } },
];
