import type { ContextActionsBlock } from '@slack/types';
import type { ActionOf, ReplyAction, ReplyActionId } from '../../../src/index.ts';
import { LABELS } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { plain } from '../text.ts';
import { askExpertValue, correctionValue, editValues, expertTopicValue, feedbackValues, openUpdatedValue, reviewValue, topicValue, verifyValue } from '../values.ts';
import { ACTIONS, keyed, type ButtonSpec } from './common.ts';

// A reply's actions (src/present/actions.ts) as Slack buttons: which registered action id handles each (routed in
// listeners/actions.ts), and what its value carries (values.ts). Drawn in the order the reply gives them.

/** Where the answer is: a thread (a message asked about with the message shortcut) is where Share posts. */
export interface ActionPlace {
  thread?: string;
  /** The channel a recommendation was made for: Edit posts the new one there. */
  channel?: string;
  /** The rest of a recommendation's notes, when Edit's value could not hold them all: they ride on Compare's. */
  notesRest?: string;
  /** Which of several rows of one message (a report's correction lines): makes the action ids unique. */
  row?: number;
}

type Draw<Id extends ReplyActionId> = (action: Extract<ReplyAction, { id: Id }>, place: ActionPlace) => ButtonSpec | undefined;

/** Each core action's Slack button, or undefined for one drawn otherwise. Every core action id has one (the type says so). */
export const SLACK_BUTTONS: { [Id in ReplyActionId]: Draw<Id> } = {
  share: (a, { thread }) => ({
    text: thread ? LABELS.shareInThread : a.label,
    actionId: ACTIONS.share,
    value: 'comparison' in a.payload ? JSON.stringify({ comparison: true }) : topicValue({ ...a.payload, ...(thread ? { thread } : {}) }),
    style: 'primary',
  }),
  details: (a) => ({ text: a.label, actionId: ACTIONS.details, value: topicValue(a.payload) }),
  compare: (a, { notesRest }) => ({ text: a.label, actionId: ACTIONS.compare, ...(notesRest ? { value: notesRest } : {}) }),
  // A history entry's Edit carries its id (the store has the rest); a recommendation's, its requirements.
  edit: (a, { channel }) =>
    'recommendation' in a.payload
      ? { text: a.label, actionId: ACTIONS.editRecommendation, value: a.payload.recommendation }
      : { text: a.label, actionId: ACTIONS.edit, value: editValues(a.payload.requirements, channel).edit },
  review: (a, { row = 0 }) => ({
    text: a.label,
    actionId: keyed(ACTIONS.review, `${a.payload.verdict}:${row}`),
    value: reviewValue(a.payload),
    ...(a.payload.verdict === 'accepted' ? { style: 'primary' as const } : {}),
  }),
  'training-lines': (a) => ({ text: a.label, actionId: ACTIONS.trainingLines }),
  open: (a) => ({ text: a.label, actionId: ACTIONS.openRecommendation, value: a.payload.recommendation }),
  'open-updated': (a) => ({ text: a.label, actionId: ACTIONS.openUpdated, value: openUpdatedValue(a.payload.recommendation, a.payload.requirements), style: 'primary' }),
  recommend: (a) => ({ text: a.label, actionId: ACTIONS.recommend, style: 'primary' }),
  topic: (a, { thread }) => ({ text: a.label, actionId: keyed(ACTIONS.topic, a.payload.topic), value: topicValue({ ...a.payload, ...(thread ? { thread } : {}) }) }),
  correct: (a, { thread }) => ({
    text: a.label,
    actionId: keyed(ACTIONS.correct, a.payload.picked),
    value: correctionValue({ question: a.payload.question, picked: a.payload.picked, answered: a.payload.answered, text: a.payload.text, ...(thread ? { thread } : {}) }),
  }),
  // Not a button: the pair is Block Kit's feedback_buttons element (feedbackBlock below).
  feedback: () => undefined,
  'ask-expert': (a) => ({ text: a.label, actionId: ACTIONS.askExpert, value: askExpertValue(a.payload) }),
  'save-phrasing': (a) => ({ text: a.label, actionId: keyed(ACTIONS.savePhrasing, a.payload.topic), value: expertTopicValue(a.payload) }),
  'new-topic': (a) => ({ text: a.label, actionId: ACTIONS.newTopic, value: expertTopicValue({ expertQuestion: a.payload.expertQuestion }) }),
  verify: (a) => ({ text: a.label, actionId: ACTIONS.verify, value: verifyValue(a.payload), style: 'primary' }),
  'needs-change': (a) => ({ text: a.label, actionId: ACTIONS.needsChange, value: verifyValue(a.payload) }),
};

export const slackButton = (action: ReplyAction, place: ActionPlace = {}): ButtonSpec | undefined => (SLACK_BUTTONS[action.id] as Draw<ReplyActionId>)(action as never, place);

/** The buttons for `actions`, in order. Only a row's first button is primary. */
export const slackButtons = (actions: readonly ReplyAction[], place: ActionPlace = {}): ButtonSpec[] =>
  actions
    .flatMap((a) => slackButton(a, place) ?? [])
    .map(({ style, ...button }, i) => (i === 0 && style ? { ...button, style } : button));

/**
 * Helpful / Not helpful (the reply's feedback actions) as Block Kit's feedback buttons, in a context_actions block
 * of their own; undefined when the reply does not ask (nothing was recorded).
 */
export function feedbackBlock(actions: readonly ReplyAction[]): ContextActionsBlock | undefined {
  const helpful = actions.find((a): a is ActionOf<'feedback'> => a.id === 'feedback' && a.payload.rating === 'helpful');
  const notHelpful = actions.find((a): a is ActionOf<'feedback'> => a.id === 'feedback' && a.payload.rating === 'not-helpful');
  if (!helpful || !notHelpful) return undefined;
  // Both values at once: they differ only in the rating (this runs on the ack's path).
  const values = feedbackValues(helpful.payload.question, helpful.payload.topic, helpful.payload.text);
  return {
    type: 'context_actions',
    block_id: 'answer_feedback',
    elements: [
      {
        type: 'feedback_buttons',
        action_id: ACTIONS.feedback,
        positive_button: { text: plain(helpful.label, SLACK_LIMITS.buttonText), value: values.helpful, accessibility_label: 'This answer was helpful' },
        negative_button: { text: plain(notHelpful.label, SLACK_LIMITS.buttonText), value: values['not-helpful'], accessibility_label: 'This answer was not helpful' },
      },
    ],
  };
}
