import {
  LOW_CONFIDENCE,
  SETUP_NAMES,
  VERDICT_WORD,
  type AnswerResult,
  type Knowledge,
  type TopicFacts,
} from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, truncate } from '../text.ts';
import { ACTIONS, actions, clampBlocks, context, header, section, sourceLinks, statusText, type Block } from './common.ts';

// The quick answer to a question: both setups side by side, sources, and what to do next.

export interface AnswerView {
  /** The question as typed; shown back as plain text. */
  question?: string;
  /** Show the longer explanation for each setup. */
  details?: boolean;
  /** Posted for everyone (shared) rather than shown only to the asker. */
  sharedBy?: string;
}

/** Value carried by the answer's buttons, so a click can re-render the same answer without any storage. */
export interface AnswerRef {
  t: string;
  q?: string;
  d?: boolean;
}
export const answerRef = (topic: string, view: AnswerView): string =>
  JSON.stringify({ t: topic, ...(view.question ? { q: truncate(view.question, 300) } : {}), ...(view.details ? { d: true } : {}) } satisfies AnswerRef);

function topicBlocks(facts: TopicFacts, view: AnswerView): Block[] {
  const side = (name: string, s: TopicFacts['coexistence']) =>
    section(`*${name}*  ${statusText(s)}\n${escapeMrkdwn(s.answer)}${view.details ? `\n_${escapeMrkdwn(s.details)}_` : ''}`);
  const blocks: Block[] = [header(facts.title)];
  if (view.sharedBy) blocks.push(context(`Shared by <@${view.sharedBy}>`));
  if (view.question) blocks.push(context({ plain: `“${truncate(view.question, 500)}”` }));
  blocks.push(side(SETUP_NAMES.coexistence, facts.coexistence), side(SETUP_NAMES['api-only'], facts.apiOnly));
  if (facts.articleSays) {
    blocks.push(
      context(
        `:warning: The help article is ${VERDICT_WORD[facts.articleSays.verdict]} here. It says: ${escapeMrkdwn(facts.articleSays.claim)} *Now:* ${escapeMrkdwn(facts.articleSays.correction)}`,
      ),
    );
  }
  blocks.push(context(`Sources: ${sourceLinks(facts.sources)}`, `Last verified ${facts.lastVerified}`));
  return blocks;
}

function topicButtons(ids: string[], knowledge: Knowledge, question?: string) {
  return ids.map((id) => ({
    text: knowledge.topics.find((t) => t.id === id)?.title ?? id,
    actionId: `${ACTIONS.topic}:${id}`,
    value: answerRef(id, { ...(question ? { question } : {}) }),
  }));
}

export function offTopicBlocks(result: Extract<AnswerResult, { topic: null }>, knowledge: Knowledge, question: string): Block[] {
  const blocks: Block[] = [
    section(`:thinking_face: ${escapeMrkdwn(result.answer.message)}`),
    context({ plain: `You asked: “${truncate(question, 500)}”` }),
  ];
  if (result.alternatives.length > 0) blocks.push(actions(topicButtons(result.alternatives, knowledge, question)));
  else {
    blocks.push(section(result.answer.examples.map((e) => `• \`/coexist-vs-api ${escapeMrkdwn(e)}\``).join('\n')));
  }
  blocks.push(
    actions([
      { text: 'Recommend a setup', actionId: ACTIONS.recommend, style: 'primary' },
      { text: 'Compare all features', actionId: ACTIONS.compare },
    ]),
  );
  return blocks;
}

/** The ephemeral answer card (or, with `sharedBy`, the message posted for everyone). */
export function answerBlocks(result: AnswerResult, knowledge: Knowledge, view: AnswerView): Block[] {
  if (result.topic === null) return offTopicBlocks(result, knowledge, view.question ?? '');
  const blocks = topicBlocks(result.answer, view);
  if (view.sharedBy) return clampBlocks(blocks);
  if (result.confidence < LOW_CONFIDENCE && result.alternatives.length > 0) {
    blocks.push(context(`Not sure this is what you meant (match ${Math.round(result.confidence * 100)}%). Closest topics:`));
    blocks.push(actions(topicButtons(result.alternatives, knowledge, view.question)));
  }
  const ref = answerRef(result.topic, view);
  blocks.push(
    actions(
      [
        { text: 'Share in channel', actionId: ACTIONS.share, value: ref, style: 'primary' },
        { text: view.details ? 'Less' : 'More details', actionId: ACTIONS.details, value: answerRef(result.topic, { ...view, details: !view.details }) },
        { text: 'Compare all features', actionId: ACTIONS.compare },
      ],
      'answer_actions',
    ),
  );
  return clampBlocks(blocks);
}

/** Notification / fallback text for an answer. */
export function answerText(result: AnswerResult): string {
  if (result.topic === null) return result.answer.message;
  const a = result.answer;
  return truncate(
    escapeMrkdwn(`${a.title}: ${SETUP_NAMES.coexistence} ${statusText(a.coexistence)}, ${SETUP_NAMES['api-only']} ${statusText(a.apiOnly)}`),
    SLACK_LIMITS.messageText,
  );
}
