import { LOW_CONFIDENCE, SETUP_NAMES, VERDICT_WORD, type AnswerResult, type Knowledge, type TopicFacts } from '../../../src/index.ts';
import { truncate, userText } from '../markdown.ts';
import { SUBMIT, card, heading, sourceLinks, statusText, submit, subtle, text, type Card, type Element } from './common.ts';

// The answer to a question, as an Adaptive Card: both setups stacked (readable on a phone), details on demand.

function setupContainer(name: string, side: TopicFacts['coexistence'], detailsId: string): Element {
  return {
    type: 'Container',
    spacing: 'Medium',
    items: [
      text(`**${name}**  ${statusText(side)}`),
      text(side.answer, { spacing: 'Small' }),
      { type: 'Container', id: detailsId, isVisible: false, items: [text(side.details, { isSubtle: true, spacing: 'Small' })] },
    ],
  };
}

function topicButtons(ids: readonly string[], knowledge: Knowledge, question?: string): Element[] {
  return ids.map((id) => submit(knowledge.topics.find((t) => t.id === id)?.title ?? id, { action: SUBMIT.topic, topic: id, ...(question ? { question: truncate(question, 300) } : {}) }));
}

export function answerCard(result: AnswerResult, knowledge: Knowledge, question?: string): Card {
  if (result.topic === null) {
    return card(
      [
        text(`🤔 ${result.answer.message}`, { weight: 'Bolder' }),
        ...(question ? [subtle(`You asked: “${userText(question, 500)}”`)] : []),
        ...(result.alternatives.length === 0 ? [text(result.answer.examples.map((e) => `- ${userText(e, 200)}`).join('\n'))] : []),
      ],
      [
        ...topicButtons(result.alternatives, knowledge, question),
        submit('Recommend a setup', { action: SUBMIT.openForm }, 'positive'),
        submit('Compare all features', { action: SUBMIT.compare }),
      ],
      result.answer.message,
    );
  }
  const a = result.answer;
  const body: Element[] = [heading(a.title)];
  if (question) body.push(subtle(`“${userText(question, 500)}”`));
  body.push(setupContainer(SETUP_NAMES.coexistence, a.coexistence, 'details-coex'), setupContainer(SETUP_NAMES['api-only'], a.apiOnly, 'details-api'));
  if (a.articleSays) {
    body.push(text(`⚠️ The help article is ${VERDICT_WORD[a.articleSays.verdict]} here. It says: ${a.articleSays.claim} **Now:** ${a.articleSays.correction}`, { color: 'Warning', size: 'Small', spacing: 'Medium' }));
  }
  body.push(subtle(`Sources: ${sourceLinks(a.sources)}`), subtle(`Last verified ${a.lastVerified}`));
  const lowConfidence = result.confidence < LOW_CONFIDENCE && result.alternatives.length > 0;
  if (lowConfidence) body.push(text(`Not sure this is what you meant (match ${Math.round(result.confidence * 100)}%). Closest topics below.`, { size: 'Small', spacing: 'Medium' }));
  return card(
    body,
    [
      { type: 'Action.ToggleVisibility', title: 'More details', targetElements: ['details-coex', 'details-api'] },
      ...(lowConfidence ? topicButtons(result.alternatives, knowledge, question) : []),
      submit('Compare all features', { action: SUBMIT.compare }),
    ],
    `${a.title}: ${SETUP_NAMES.coexistence} ${statusText(a.coexistence)}, ${SETUP_NAMES['api-only']} ${statusText(a.apiOnly)}`,
  );
}

