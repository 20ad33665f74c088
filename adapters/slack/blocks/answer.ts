import { asRecorded, deepFreeze, withDetails, type AnswerReply, type ClarifyReply, type NoTopicReply, type NotHelpfulReply, type ReplyAction, type SetupSide } from '../../../src/index.ts';
import { escapeMrkdwn, truncate } from '../text.ts';
import { actions, clampBlocks, context, divider, examplesList, fallbackText, header, section, sourceLinks, type Block, type SlackMessage } from './common.ts';
import { feedbackBlock, slackButtons } from './reply-actions.ts';
import { CARRIED } from '../../carried.ts';

// The quick answer to a question: both setups (the one asked about first), sources, and what to do next.

export interface AnswerView {
  /** Show the longer explanation for each setup. */
  details?: boolean;
  /**
   * ephemeral: only the asker sees it, with Share / More details / Compare; dm: a message in the app's DM (no
   * Share); shared: posted for everyone by `sharedBy`, no buttons.
   */
  audience: 'ephemeral' | 'dm' | 'shared';
  sharedBy?: string;
  /** The recorded question this answers (its id): adds the feedback buttons (not on a shared answer). */
  feedback?: { question: string };
  /** Share into this thread (its parent's ts): the answer to a message asked about with the message shortcut. */
  thread?: string;
}

const sideSection = (side: SetupSide, details: boolean): Block =>
  section(`*${side.name}*${side.status ? `  ${side.status.text}` : ''}\n${escapeMrkdwn(side.answer)}${details ? `\n_${escapeMrkdwn(side.details)}_` : ''}`);

/** The ephemeral answer as first shown, per reply: replies to repeated questions are shared, and so is this. */
const firstShown = new WeakMap<AnswerReply, SlackMessage>();

export function answerMessage(reply: AnswerReply, view: AnswerView): SlackMessage {
  const message = shownAnswer(reply, view);
  // The feedback buttons name one question: added to the (shared, frozen) answer, never drawn into it.
  if (!view.feedback || view.audience === 'shared') return message;
  const feedback = feedbackBlock(asRecorded(reply, view.feedback.question).actions);
  return feedback ? { blocks: clampBlocks([...message.blocks, feedback]), text: message.text } : message;
}

function shownAnswer(reply: AnswerReply, view: AnswerView): SlackMessage {
  // Drawn afresh when it carries something of this request's own: details, or a thread.
  if (view.audience !== 'ephemeral' || view.details || view.thread) return drawAnswer(reply, view);
  let message = firstShown.get(reply);
  if (!message) {
    message = deepFreeze(drawAnswer(reply, view));
    firstShown.set(reply, message);
  }
  return message;
}

/** One topic's answer: both setups, the help article's warning, sources. */
function answerBody(reply: AnswerReply, details: boolean): Block[] {
  const blocks: Block[] = reply.sides.map((side) => sideSection(side, details));
  if (reply.warning) {
    const w = reply.warning;
    blocks.push(section(`⚠️ *${escapeMrkdwn(w.lead)}* It says: ${escapeMrkdwn(w.claim)} *Now:* ${escapeMrkdwn(w.correction)}`));
  }
  blocks.push(context(`Sources: ${sourceLinks(reply.sources)}`, `Last verified ${reply.lastVerified}`));
  if (reply.stale) blocks.push(context(escapeMrkdwn(reply.stale)));
  return blocks;
}

function drawAnswer(reply: AnswerReply, view: AnswerView): SlackMessage {
  const details = Boolean(view.details);
  const blocks: Block[] = [header(reply.title)];
  if (view.sharedBy) blocks.push(context(`Shared by <@${view.sharedBy}>`));
  if (reply.question) blocks.push(context({ plain: `“${truncate(reply.question, CARRIED.echoedQuestionChars)}”` }));
  blocks.push(...answerBody(reply, details));
  if (view.audience !== 'shared' && reply.unsure) blocks.push(context(escapeMrkdwn(reply.unsure)));
  // A question that asked two things: the second topic's answer, under its own heading.
  if (reply.also) blocks.push(divider(), section(`*${escapeMrkdwn(reply.also.heading)}*`), ...answerBody(reply.also.answer, details));
  // Only the asker's own (ephemeral) answer has buttons: a DM or a shared answer is read, not acted on.
  if (view.audience === 'ephemeral') {
    const shown = details ? withDetails(reply) : reply;
    blocks.push(actions(slackButtons(shown.actions, view.thread ? { thread: view.thread } : {}), 'answer_actions'));
  }
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}

const clarifyShown = new WeakMap<ClarifyReply, SlackMessage>();

/**
 * "Which do you mean?" before any answer: the question as typed, each topic's title and question in one line, and a
 * button per topic. With the recorded question's id a pick is a correction of the best guess; without it (no store)
 * the buttons only show the topic. Either way the answer replaces this message; `thread` (a message asked about with
 * the shortcut) is where that answer's Share posts.
 */
export function clarifyMessage(reply: ClarifyReply, questionId?: string, thread?: string): SlackMessage {
  if (questionId || thread) return drawClarify(reply, questionId, thread);
  let message = clarifyShown.get(reply);
  if (!message) {
    message = deepFreeze(drawClarify(reply));
    clarifyShown.set(reply, message);
  }
  return message;
}

function drawClarify(reply: ClarifyReply, questionId?: string, thread?: string): SlackMessage {
  return {
    blocks: [
      section(`:thinking_face: *${escapeMrkdwn(reply.message)}*`),
      context({ plain: `You asked: “${truncate(reply.question, CARRIED.echoedQuestionChars)}”` }),
      section(reply.topics.map((t) => `• *${escapeMrkdwn(t.title)}*: ${escapeMrkdwn(t.asks)}`).join('\n')),
      actions(slackButtons(asRecorded(reply, questionId).actions, thread ? { thread } : {}), 'clarify_topics'),
    ],
    text: fallbackText(reply.summary),
  };
}

const noTopicShown = new WeakMap<NoTopicReply, SlackMessage>();

/** A question not understood; with its recorded id, picking one of the topics offered is a correction. */
export function noTopicMessage(reply: NoTopicReply, questionId?: string): SlackMessage {
  if (questionId && reply.topics.length > 0) return drawNoTopic(reply, questionId);
  let message = noTopicShown.get(reply);
  if (!message) {
    message = deepFreeze(drawNoTopic(reply));
    noTopicShown.set(reply, message);
  }
  return message;
}

function drawNoTopic(reply: NoTopicReply, questionId?: string): SlackMessage {
  const blocks: Block[] = [section(`:thinking_face: ${escapeMrkdwn(reply.message)}`), context({ plain: `You asked: “${truncate(reply.question, CARRIED.echoedQuestionChars)}”` })];
  const shown = asRecorded(reply, questionId).actions;
  // The topics offered in a row of their own, above the hint; the ways to start over under it.
  const isPick = (a: ReplyAction) => a.id === 'topic' || a.id === 'correct';
  const picks = slackButtons(shown.filter(isPick));
  if (picks.length > 0) blocks.push(actions(picks));
  else blocks.push(section(examplesList(reply.examples)));
  blocks.push(section(`:raising_hand: ${escapeMrkdwn(reply.hint)}`));
  blocks.push(actions(slackButtons(shown.filter((a) => !isPick(a)))));
  return { blocks, text: fallbackText(reply.summary) };
}

/**
 * After "Not helpful": the closest topics as buttons. With the question's id (it was recorded) a pick is a
 * correction; without it (no store) the buttons just show the topic.
 */
export function notHelpfulMessage(reply: NotHelpfulReply, questionId?: string): SlackMessage {
  const buttons = slackButtons(asRecorded(reply, questionId).actions);
  return {
    blocks: [section(`:thinking_face: ${escapeMrkdwn(reply.message)}`), context({ plain: `You asked: “${truncate(reply.question, CARRIED.echoedQuestionChars)}”` }), actions(buttons, 'not_helpful_topics')],
    text: fallbackText(reply.summary),
  };
}
