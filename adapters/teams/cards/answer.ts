import type { AnswerReply, NoTopicReply, SetupSide, TopicLink } from '../../../src/index.ts';
import { truncate, userText } from '../markdown.ts';
import { SUBMIT, card, heading, sourceLinks, submit, subtle, text, type Card, type Element } from './common.ts';

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

const topicButtons = (links: readonly TopicLink[], question?: string): Element[] =>
  links.map((l) => submit(l.title, { action: SUBMIT.topic, topic: l.topic, ...(question ? { question: truncate(question, 300) } : {}) }));

/** "Was this helpful?" for the answer to one recorded question (its id): a row of its own, under the answer. */
function feedbackRow(question: string): Element[] {
  const data = (rating: 'helpful' | 'not-helpful') => ({ action: SUBMIT.feedback, question, rating });
  return [
    subtle('Was this helpful?'),
    { type: 'ActionSet', spacing: 'Small', actions: [submit('👍 Helpful', data('helpful')), submit('👎 Not helpful', data('not-helpful'))] },
  ];
}

/**
 * `submits: false` leaves out every Action.Submit (topic, compare and feedback buttons): for a card the bot does not
 * receive back as a message, such as one inserted by the message extension (More details still works).
 */
export function answerCard(reply: AnswerReply, feedback?: { question: string }, { submits = true }: { submits?: boolean } = {}): Card {
  const body: Element[] = [heading(reply.title)];
  if (reply.question) body.push(subtle(`“${userText(reply.question, 500)}”`));
  const ids = reply.sides.map((s) => `details-${s.setup}`);
  reply.sides.forEach((side, i) => body.push(setupContainer(side, ids[i]!)));
  if (reply.warning) {
    const w = reply.warning;
    // A warning container (Teams draws it with a tinted background) and normal text: readable in light and dark themes.
    body.push({ type: 'Container', style: 'warning', spacing: 'Medium', items: [text(`⚠️ **${w.lead}** It says: ${w.claim} **Now:** ${w.correction}`)] });
  }
  body.push(subtle(`Sources: ${sourceLinks(reply.sources)}`), subtle(`Last verified ${reply.lastVerified}`));
  if (reply.closest && submits) body.push(text(reply.closest.message, { spacing: 'Medium' }));
  if (feedback && submits) body.push(...feedbackRow(feedback.question));
  return card(
    body,
    [
      { type: 'Action.ToggleVisibility', title: 'More details', targetElements: ids },
      ...(submits ? [...(reply.closest ? topicButtons(reply.closest.topics, reply.question) : []), submit('Compare all features', { action: SUBMIT.compare })] : []),
    ],
    reply.summary,
  );
}

export function noTopicCard(reply: NoTopicReply): Card {
  return card(
    [
      text(`🤔 ${reply.message}`, { weight: 'Bolder' }),
      ...(reply.question ? [subtle(`You asked: “${userText(reply.question, 500)}”`)] : []),
      ...(reply.topics.length === 0 ? [text(reply.examples.map((e) => `- ${userText(e, 200)}`).join('\n'))] : []),
    ],
    [...topicButtons(reply.topics, reply.question), submit('Recommend a setup', { action: SUBMIT.openForm }, 'positive'), submit('Compare all features', { action: SUBMIT.compare })],
    reply.summary,
  );
}
