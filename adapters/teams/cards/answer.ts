import { asRecorded, type AnswerReply, type ClarifyReply, type NoTopicReply, type NotHelpfulReply, type SetupSide } from '../../../src/index.ts';
import { cardActions } from './reply-actions.ts';
import { SUBMIT_LIMITS } from '../limits.ts';
import { escapeMarkdown, truncate, userText } from '../markdown.ts';
import { capText } from '../submits.ts';
import { SUBMIT, card, heading, sourceLinks, subheading, submit, subtle, text, type Card, type Element } from './common.ts';
import { LABELS } from '../../../src/index.ts';
import { CARRIED } from '../../carried.ts';

// The answer to a question, as an Adaptive Card: both setups stacked (readable on a phone; the one the question
// asked about first), details on demand.

function setupContainer(side: SetupSide, detailsId: string): Element {
  return {
    type: 'Container',
    spacing: 'Medium',
    items: [
      text(`**${side.name}**${side.status ? `  ${side.status.text}` : ''}`),
      text(side.answer, { spacing: 'Small' }),
      { type: 'Container', id: detailsId, isVisible: false, items: [text(side.details, { isSubtle: true, spacing: 'Small' })] },
    ],
  };
}

/**
 * "Was this helpful?" for the answer to one recorded question (its id): a row of its own, under the answer. The
 * buttons also carry the question's text (capped) and the topic answered: Not helpful offers the topics closest to
 * it, without the one given, and needs nothing kept on the server.
 */
function feedbackRow(question: string, reply: AnswerReply): Element[] {
  const asked = cardActions(asRecorded(reply, question).actions.filter((a) => a.id === 'feedback'));
  return asked.length ? [subtle('Was this helpful?'), { type: 'ActionSet', spacing: 'Small', actions: asked }] : [];
}

/**
 * `submits: false` leaves out every Action.Submit (topic, compare and feedback buttons): for a card the bot does not
 * receive back as a message, such as one inserted by the message extension (More details still works).
 */
export function answerCard(reply: AnswerReply, feedback?: { question: string }, { submits = true }: { submits?: boolean } = {}): Card {
  const body: Element[] = [heading(reply.title)];
  if (reply.question) body.push(subtle(`“${userText(reply.question, CARRIED.echoedQuestionChars)}”`));
  const ids = reply.sides.map((s) => `details-${s.setup}`);
  body.push(...answerBody(reply, ids));
  if (reply.unsure && submits) body.push(text(reply.unsure, { spacing: 'Medium', isSubtle: true }));
  // A question that asked two things: the second topic's answer, under its own heading; More details opens both.
  if (reply.also) {
    const alsoIds = reply.also.answer.sides.map((s) => `details-also-${s.setup}`);
    body.push(subheading(reply.also.heading, { separator: true, spacing: 'Large' }), ...answerBody(reply.also.answer, alsoIds));
    ids.push(...alsoIds);
  }
  if (feedback && submits) body.push(...feedbackRow(feedback.question, reply));
  return card(body, cardActions(reply.actions, { detailsIds: ids, submits }), reply.summary);
}

/** One topic's answer: both setups (details hidden under `ids`), the help article's warning, sources and date. */
function answerBody(reply: AnswerReply, ids: readonly string[]): Element[] {
  const body: Element[] = reply.sides.map((side, i) => setupContainer(side, ids[i]!));
  if (reply.warning) {
    const w = reply.warning;
    // A warning container (Teams draws it with a tinted background) and normal text: readable in light and dark themes.
    body.push({ type: 'Container', style: 'warning', spacing: 'Medium', items: [text(`⚠️ **${w.lead}** It says: ${w.claim} **Now:** ${w.correction}`)] });
  }
  body.push(subtle(`Sources: ${sourceLinks(reply.sources)}`), subtle(`Last verified ${reply.lastVerified}`));
  if (reply.stale) body.push(text(reply.stale, { color: 'Warning', size: 'Small', spacing: 'Small' }));
  return body;
}

/**
 * "Which do you mean?" before any answer: the question as typed, each topic's title and question in one line, a
 * button per topic. With the recorded question's id (`correct`) a pick is a correction of the best guess; without it
 * the buttons only show the topic.
 */
export function clarifyCard(reply: ClarifyReply, correct?: { question: string }): Card {
  return card(
    [
      text(`🤔 ${reply.message}`, { weight: 'Bolder', size: 'Medium' }),
      subtle(`You asked: “${userText(reply.question, CARRIED.echoedQuestionChars)}”`),
      text(reply.topics.map((t) => `- **${t.title}**: ${t.asks}`).join('\n'), { spacing: 'Medium' }),
    ],
    cardActions(asRecorded(reply, correct?.question).actions),
    reply.summary,
  );
}

/**
 * A declined question: why, and the way to ask a person. The closest topics, when some came near, are buttons; with
 * the recorded question's id (`correct`) a pick is a correction, as after "Which do you mean?".
 */
export function noTopicCard(reply: NoTopicReply, correct?: { question: string }): Card {
  return card(
    [
      text(`🤔 ${reply.message}`, { weight: 'Bolder' }),
      ...(reply.question ? [subtle(`You asked: “${userText(reply.question, CARRIED.echoedQuestionChars)}”`)] : []),
      ...(reply.topics.length === 0 ? [text(reply.examples.map((e) => `- ${userText(e, 200)}`).join('\n'))] : []),
      // The operator's EXPERT_HINT is shown as written, never read as markdown.
      text(`🙋 ${escapeMarkdown(reply.hint)}`, { spacing: 'Medium' }),
    ],
    cardActions(asRecorded(reply, correct?.question).actions),
    reply.summary,
  );
}

/**
 * After Not helpful: the topics the question is closest to, one button each. With `correct` (the question's id),
 * a pick is recorded as a correction; without it (nothing to record against) it only shows the topic's answer.
 */
export function notHelpfulCard(reply: NotHelpfulReply, correct?: { question: string }): Card {
  return card(
    [
      text(`👎 ${reply.message}`),
      ...(reply.question ? [subtle(`You asked: “${userText(reply.question, SUBMIT_LIMITS.shownQuestionChars)}”`)] : []),
      ...(reply.topics.length === 0 ? [text('Type **topics** to see everything I know about.')] : []),
    ],
    cardActions(asRecorded(reply, correct?.question).actions),
    reply.summary,
  );
}
