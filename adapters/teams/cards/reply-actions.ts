import type { ReplyAction, ReplyActionId } from '../../../src/index.ts';
import { SUBMIT_LIMITS } from '../limits.ts';
import { capText } from '../submits.ts';
import { CARRIED } from '../../carried.ts';
import { SUBMIT, submit, type Element } from './common.ts';

// A reply's actions (src/present/actions.ts) as Adaptive Card actions: which submit verb handles each (routed in
// submit-verbs.ts) and what its data carries. Drawn in the order the reply gives them.

/** What a card offers around its actions: the details containers to toggle, and whether submits come back to us. */
export interface CardPlace {
  /** The ids of the containers "More details" shows. */
  detailsIds?: readonly string[];
  /** False for a card the bot does not receive back as a message (one the message extension inserts). */
  submits?: boolean;
  /** A history entry's Edit carries the entry's id, not its requirements (the card is over its byte budget). */
  byId?: boolean;
}

type Draw<Id extends ReplyActionId> = (action: Extract<ReplyAction, { id: Id }>, place: CardPlace) => Element | undefined;

/** Each core action's card action, or undefined where Teams leaves it out (the render coverage test names why). */
export const TEAMS_ACTIONS: { [Id in ReplyActionId]: Draw<Id> } = {
  // A card in Teams is shared with Teams' own Forward; the bot posts nothing for it.
  share: () => undefined,
  // Toggled on the card itself, no round trip: More details opens every setup's explanation.
  details: (a, { detailsIds }) => (detailsIds?.length ? { type: 'Action.ToggleVisibility', title: a.label, targetElements: [...detailsIds] } : undefined),
  compare: (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.compare })),
  // Edit carries the requirements, so the form comes back without a round trip to the store; a history entry left
  // without them (or drawn `byId`) carries its id instead.
  edit: (a, { submits, byId }) =>
    submits === false
      ? undefined
      : 'recommendation' in a.payload && (byId || !a.payload.requirements)
        ? submit(a.label, { action: SUBMIT.edit, id: a.payload.recommendation })
        : submit(a.label, { action: SUBMIT.edit, requirements: a.payload.requirements }),
  review: (a, { submits }) =>
    submits === false
      ? undefined
      : submit(a.label, { action: SUBMIT.reviewCorrection, question: a.payload.question, picked: a.payload.picked, verdict: a.payload.verdict }, a.payload.verdict === 'accepted' ? 'positive' : undefined),
  // The accepted corrections are exported on the command line (coexist-advisor report --export-training): a card has
  // no view to show them in.
  'training-lines': () => undefined,
  open: (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.openRecommendation, id: a.payload.recommendation })),
  'open-updated': (a, { submits }) =>
    submits === false ? undefined : submit(a.label, { action: SUBMIT.openUpdated, id: a.payload.recommendation, requirements: a.payload.requirements }, 'positive'),
  recommend: (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.openForm }, 'positive')),
  topic: (a, { submits }) =>
    submits === false ? undefined : submit(a.label, { action: SUBMIT.topic, topic: a.payload.topic, ...(a.payload.question ? { question: capText(a.payload.question, SUBMIT_LIMITS.questionChars) } : {}) }),
  correct: (a, { submits }) =>
    submits === false ? undefined : submit(a.label, { action: SUBMIT.correct, question: a.payload.question, topic: a.payload.picked, text: capText(a.payload.text, SUBMIT_LIMITS.questionChars) }),
  // The question's text (capped) and the topic answered ride along only when the question was typed: Not helpful
  // offers the topics closest to it, with nothing kept on the server.
  feedback: (a, { submits }) =>
    submits === false
      ? undefined
      : submit(`${a.payload.rating === 'helpful' ? '👍' : '👎'} ${a.label}`, {
          action: SUBMIT.feedback,
          question: a.payload.question,
          rating: a.payload.rating,
          ...(a.payload.text ? { text: capText(a.payload.text, SUBMIT_LIMITS.questionChars), topic: a.payload.topic } : {}),
        }),
  // The question whole, as the store keeps it: it is what the experts read.
  'ask-expert': (a, { submits }) =>
    submits === false ? undefined : submit(a.label, { action: SUBMIT.askExpert, text: capText(a.payload.question, CARRIED.storedQuestionChars), ...(a.payload.answered ? { topic: a.payload.answered } : {}) }),
  'save-phrasing': (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.savePhrasing, expertQuestion: a.payload.expertQuestion, topic: a.payload.topic })),
  'new-topic': (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.newTopic, expertQuestion: a.payload.expertQuestion })),
  verify: (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.verify, topic: a.payload.topic, version: a.payload.version }, 'positive')),
  'needs-change': (a, { submits }) => (submits === false ? undefined : submit(a.label, { action: SUBMIT.needsChange, topic: a.payload.topic, version: a.payload.version })),
};

/** The card actions for `actions`, in order, leaving out those Teams does not draw. */
export const cardActions = (actions: readonly ReplyAction[], place: CardPlace = {}): Element[] =>
  actions.flatMap((a): Element[] => { const drawn = (TEAMS_ACTIONS[a.id] as Draw<ReplyActionId>)(a as never, place); return drawn ? [drawn] : []; });
