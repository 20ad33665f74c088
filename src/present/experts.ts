import type { Knowledge } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import { closestTopics } from '../advisor/answer.ts';
import { findTopic } from '../advisor/facts.ts';
import { expertSideActions } from './actions.ts';
import { LABELS } from './labels.ts';
import type { ExpertAnswerReply, ExpertNoticeReply, ExpertPerson, ExpertQuestionReply, TopicLink } from './reply.ts';

// *Ask an expert*: a question the advisor could not answer surely goes to the experts' channel (EXPERTS_CHANNEL on
// Slack, TEAMS_EXPERTS_CHANNEL on Teams); the first expert reply in its thread is relayed privately to the asker;
// the expert can then save the question as a phrasing of a topic (a correction, reviewed by the knowledge owners) or
// mark it as needing a new topic (listed in the report). The words of every step are here; the surfaces record,
// post and draw (adapters/experts.ts).

/** How many closest topics the experts' post lists (and the expert can save the question as a phrasing of). */
export const EXPERT_TOPICS = 4;

const PLATFORM_NAME: Record<ExpertPerson['platform'], string> = { slack: 'Slack', teams: 'Microsoft Teams' };

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The topics closest to `question`, best first, for the experts' post; `answered` first when there was one. */
export function expertTopics(knowledge: Knowledge, question: string, answered: TopicId | null): TopicLink[] {
  const ids = [...new Set([...(answered ? [answered] : []), ...closestTopics(question, knowledge, { max: EXPERT_TOPICS })])];
  return ids.flatMap((id) => {
    const t = findTopic(knowledge, id);
    return t ? [{ topic: id, title: t.title }] : [];
  }).slice(0, EXPERT_TOPICS);
}

/** The question as the experts' channel sees it (`id`: its record in the store). `answered`: the topic the advisor answered with (null: none). */
export function presentExpertQuestion(
  knowledge: Knowledge,
  ask: { id: string; question: string; asker: ExpertPerson; answered: TopicId | null; topics: readonly TopicLink[]; at: Date },
): ExpertQuestionReply {
  const answeredTitle = ask.answered ? (findTopic(knowledge, ask.answered)?.title ?? ask.answered) : undefined;
  return {
    kind: 'expert-question',
    title: 'Question for the experts',
    question: ask.question,
    asker: ask.asker,
    asked: `Asked in ${PLATFORM_NAME[ask.asker.platform]}, ${utc(ask.at)}`,
    advisor: answeredTitle ? `The advisor was unsure; it answered with ${answeredTitle}.` : 'The advisor could not answer it.',
    topicsTitle: 'Closest topics',
    topics: [...ask.topics],
    hint: 'Reply in this thread: the first reply is sent to the asker privately.',
    // A question no topic fits can be marked at once, before anyone answers it.
    actions: [{ id: 'new-topic', label: LABELS.newTopic, payload: { expertQuestion: ask.id } }],
    summary: `Question for the experts: ${ask.question}`,
  };
}

/** The expert's reply, for the asker. */
export function presentExpertAnswer(relay: { question: string; answer: string; by: ExpertPerson; at: Date; files?: number }): ExpertAnswerReply {
  // Files stay in the experts' channel (they are not copied): the asker is told one came with the answer.
  const files = relay.files ?? 0;
  const attached = files === 0 ? '' : files === 1 ? 'The expert attached a file to this answer in the experts’ channel.' : `The expert attached ${files} files to this answer in the experts’ channel.`;
  const answer = [relay.answer, attached].filter((s) => s !== '').join('\n\n');
  return {
    kind: 'expert-answer',
    title: 'An expert answered your question',
    question: relay.question,
    answer,
    by: relay.by,
    answered: `Answered in the experts’ channel, ${utc(relay.at)}.`,
    actions: [],
    summary: `An expert answered your question: ${answer}`,
  };
}

/** Said to the asker, and to the expert, at each step: the same on every surface. */
export const EXPERT_SAYS = {
  sent: 'Your question went to the experts’ channel. The first expert to reply there is sent to you here, privately.',
  notConfigured:
    'There is no experts’ channel set up here, so your question was not sent. It is kept for the knowledge owners’ report, so nothing is lost; meanwhile, ask a colleague who knows our WhatsApp setups.',
  failed: (reason: string) =>
    `I could not post your question to the experts’ channel: ${reason}. It is kept for the knowledge owners’ report, so nothing is lost; meanwhile, ask a colleague who knows our WhatsApp setups.`,
  unsaved: 'The store did not answer, so your question was not sent. Please try again in a minute (your question is below).',
  already: 'This question is already with the experts: the first reply will be sent to you here.',
  relayed: 'Sent to the asker privately. Save the question as a phrasing of the topic it belongs to, or mark it as needing a new topic: both go to the knowledge owners’ report.',
  relayFailed: (reason: string) => `I could not send this answer to the asker: ${reason}. It is kept in the knowledge owners’ report.`,
  saved: (title: string) => `Saved as a phrasing of ${title}: it becomes a training line once a knowledge owner accepts it in the report.`,
  newTopic: 'Marked as needing a new topic: it is listed in the knowledge owners’ report.',
  notSaved: 'The store did not answer, so nothing was saved. Please try again in a minute.',
  gone: 'That question is no longer in the store, so nothing was saved.',
  topicGone: (topic: string) => `The topic ${topic} is no longer in the knowledge, so nothing was saved.`,
  notHere: 'These buttons work only in the experts’ channel, so nothing was saved.',
} as const;

/** A notice for the asker or the expert. */
export function expertNotice(tone: ExpertNoticeReply['tone'], message: string, extra: { question?: string; channel?: ExpertNoticeReply['channel']; actions?: ExpertNoticeReply['actions'] } = {}): ExpertNoticeReply {
  return {
    kind: 'expert-notice',
    tone,
    message,
    ...(extra.question !== undefined ? { question: extra.question } : {}),
    ...(extra.channel ? { channel: extra.channel } : {}),
    actions: extra.actions ?? [],
    summary: message,
  };
}

/** Posted in the thread once an expert's reply was relayed: Save as a phrasing of… (per topic) and Needs a new topic. */
export function expertRelayed(expertQuestion: string, question: string, topics: readonly TopicLink[]): ExpertNoticeReply {
  return expertNotice('done', EXPERT_SAYS.relayed, { question, actions: expertSideActions(expertQuestion, topics) });
}
