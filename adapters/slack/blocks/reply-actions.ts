import type { ReplyAction, ReplyActionId } from '../../../src/index.ts';
import { LABELS } from '../../../src/index.ts';
import { correctionValue, topicValue } from '../values.ts';
import { ACTIONS, keyed, type ButtonSpec } from './common.ts';

// A reply's actions (src/present/actions.ts) as Slack buttons: which registered action id handles each (routed in
// listeners/actions.ts), and what its value carries (values.ts). Drawn in the order the reply gives them.

/** Where the answer is: a thread (a message asked about with the message shortcut) is where Share posts. */
export interface ActionPlace {
  thread?: string;
}

type Draw<Id extends ReplyActionId> = (action: Extract<ReplyAction, { id: Id }>, place: ActionPlace) => ButtonSpec;

/** Each core action's Slack button. Every core action id has one (the type says so). */
export const SLACK_BUTTONS: { [Id in ReplyActionId]: Draw<Id> } = {
  share: (a, { thread }) => ({
    text: thread ? LABELS.shareInThread : a.label,
    actionId: ACTIONS.share,
    value: 'comparison' in a.payload ? JSON.stringify({ comparison: true }) : topicValue({ ...a.payload, ...(thread ? { thread } : {}) }),
    style: 'primary',
  }),
  details: (a) => ({ text: a.label, actionId: ACTIONS.details, value: topicValue(a.payload) }),
  compare: (a) => ({ text: a.label, actionId: ACTIONS.compare }),
  recommend: (a) => ({ text: a.label, actionId: ACTIONS.recommend, style: 'primary' }),
  topic: (a, { thread }) => ({ text: a.label, actionId: keyed(ACTIONS.topic, a.payload.topic), value: topicValue({ ...a.payload, ...(thread ? { thread } : {}) }) }),
  correct: (a, { thread }) => ({
    text: a.label,
    actionId: keyed(ACTIONS.correct, a.payload.picked),
    value: correctionValue({ question: a.payload.question, picked: a.payload.picked, answered: a.payload.answered, text: a.payload.text, ...(thread ? { thread } : {}) }),
  }),
};

export const slackButton = (action: ReplyAction, place: ActionPlace = {}): ButtonSpec => (SLACK_BUTTONS[action.id] as Draw<ReplyActionId>)(action as never, place);

/** The buttons for `actions`, those with one of `ids` only when given. Only a row's first button is primary. */
export const slackButtons = (actions: readonly ReplyAction[], place: ActionPlace = {}, ids?: readonly ReplyActionId[]): ButtonSpec[] =>
  actions
    .filter((a) => !ids || ids.includes(a.id))
    .map((a, i) => {
      const { style, ...button } = slackButton(a, place);
      return i === 0 && style ? { ...button, style } : button;
    });
