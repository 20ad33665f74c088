import type { Logger } from 'pino';
import {
  EXPERT_SAYS,
  expertNotice,
  expertRelayed,
  expertTopics,
  findTopic,
  presentExpertAnswer,
  presentExpertQuestion,
  type ExpertNoticeReply,
  type ExpertPerson,
  type Knowledge,
  type TopicId,
  type TopicLink,
} from '../../src/index.ts';
import type { Notifier, NotifyPlatform } from '../notify.ts';
import { DAY_MS, REMEMBERED } from '../carried.ts';
import type { Claim, Clicker } from './answers.ts';
import { newExpertQuestionId, type StoredExpertQuestion } from './expert-questions.ts';
import { questionKey } from './records.ts';
import type { StoreService } from './service.ts';

// *Ask an expert*, done once for Slack and Teams: record the question, post it to the platform's experts' channel
// through the Notifier, tell the asker; relay the first expert reply in the thread to the asker privately (exactly
// once across replicas: the store's first-answer update decides), and offer the expert *Save as a phrasing of…* and
// *Needs a new topic*. The words are the core's (src/present/experts.ts); the faces only read clicks and events.

/** What the expert desk needs: the facts, the store, the Notifier, and each platform's experts' channel. */
export interface ExpertDesk {
  knowledge: Knowledge;
  store: StoreService | undefined;
  notifier: Notifier;
  /** EXPERTS_CHANNEL (Slack channel id) and TEAMS_EXPERTS_CHANNEL (Teams channel conversation id); absent: not set. */
  channels: Partial<Record<NotifyPlatform, string>>;
  logger: Logger;
  /** Seconds from asked to the first relayed reply (the time-to-answer histogram). */
  answered?: (platform: NotifyPlatform, seconds: number) => void;
  now?: () => Date;
}

/** The asker, as the face knows them: platform, user id, workspace (Slack team / Teams tenant), display name. */
export type ExpertAsker = ExpertPerson & { workspace: string | null };

/** A double click on *Ask an expert* (the same person, the same question) sends it once. */
const ASK_REPEAT_MS = REMEMBERED.correctionMs;
/** A question is saved as a phrasing of a topic once, whoever clicks and however often. */
const PHRASING_ONCE_MS = 30 * DAY_MS;

const nowOf = (desk: ExpertDesk) => desk.now?.() ?? new Date();

/** Whether *Ask an expert* is offered on `platform`: its experts' channel is set. */
export const expertsOn = (channels: ExpertDesk['channels'], platform: NotifyPlatform): boolean => Boolean(channels[platform]);

/**
 * *Ask an expert*: the question recorded, posted to the platform's experts' channel, and what to tell the asker.
 * Nothing the asker typed is lost: a missing channel or a failed post is recorded too (the report lists it), and the
 * notice echoes their question.
 */
export async function askExpert(desk: ExpertDesk, claim: Claim, asker: ExpertAsker, ask: { question: string; answered: TopicId | null }): Promise<ExpertNoticeReply> {
  const question = ask.question.trim();
  const echo = { question };
  if (!desk.store) return expertNotice('problem', EXPERT_SAYS.unsaved, echo);
  const askKey = `${asker.platform}:ask-expert:${asker.userId}:${questionKey(question)}`;
  if (!(await claim(askKey, ASK_REPEAT_MS, 'act'))) return expertNotice('done', EXPERT_SAYS.already, echo);
  const at = nowOf(desk);
  const answered = ask.answered && findTopic(desk.knowledge, ask.answered) ? ask.answered : null;
  const topics = expertTopics(desk.knowledge, question, answered);
  const id = newExpertQuestionId(at.getTime());
  const added = await desk.store.experts('expert question', async (e) => {
    await e.add({ id, platform: asker.platform, userId: asker.userId, workspace: asker.workspace, askerName: asker.name ?? null, question, answeredTopic: answered, topics: topics.map((t) => t.topic), at: at.getTime() });
    return true;
  });
  if (added === undefined) {
    // Nothing was saved or sent: the claim is given back, so the retry the asker is told to make is not taken for a
    // double click ("already with the experts") and lost.
    await desk.store.release(askKey);
    return expertNotice('problem', EXPERT_SAYS.unsaved, echo);
  }
  const log = desk.logger.child({ expertQuestion: id, platform: asker.platform });

  const channelId = desk.channels[asker.platform];
  if (!channelId) {
    const error = asker.platform === 'slack' ? 'EXPERTS_CHANNEL is not set' : 'TEAMS_EXPERTS_CHANNEL is not set';
    log.warn({ error }, 'expert question not posted: no experts channel');
    await desk.store.experts('expert question', (e) => e.posted(id, { error }));
    return expertNotice('problem', EXPERT_SAYS.notConfigured, echo);
  }
  const post = presentExpertQuestion(desk.knowledge, { id, question, asker, answered, topics, at });
  const sent = await desk.notifier.send({ kind: 'channel', platform: asker.platform, channelId, workspace: asker.workspace }, post);
  if (!sent.ok) {
    log.warn({ channel: channelId, error: sent.error }, 'expert question not posted');
    await desk.store.experts('expert question', (e) => e.posted(id, { error: sent.error }));
    return expertNotice('problem', EXPERT_SAYS.failed(sent.error), echo);
  }
  // Teams answers a channel post with the new thread's activity id; the thread is that id in `<channel>;messageid=`.
  const stored = await desk.store.experts('expert question', async (e) => {
    await e.posted(id, { channelId, ref: sent.ref });
    return true;
  });
  if (stored === undefined) log.error({ channel: channelId, ref: sent.ref }, 'expert question posted, but its post was not recorded: replies will not be relayed');
  log.info({ channel: channelId, ref: sent.ref }, 'expert question posted');
  return expertNotice('done', EXPERT_SAYS.sent, { ...echo, channel: { platform: asker.platform, channelId } });
}

/** The result of an expert reply in a thread. */
export type RelayOutcome = 'relayed' | 'not-delivered' | 'not-ours' | 'already' | 'unknown' | 'asker';

const linksOf = (knowledge: Knowledge, ids: readonly string[]): TopicLink[] =>
  ids.flatMap((id) => {
    const t = findTopic(knowledge, id as TopicId);
    return t ? [{ topic: t.id, title: t.title }] : [];
  });

/**
 * A reply in a thread of an experts' channel: when the thread is a stored expert question and this is its first reply
 * (decided in the store, so one replica relays it, once), relayed privately to the asker; then the bot answers in the
 * thread with *Save as a phrasing of…* and *Needs a new topic*. `unknown`: the store did not answer. `asker`: the
 * asker wrote in the thread ("+1"): neither relayed to them nor counted as the expert's reply. `files`: how many files
 * came with the reply (the asker is told; the files stay in the channel).
 */
export async function relayExpertReply(
  desk: ExpertDesk,
  thread: { platform: NotifyPlatform; channelId: string; parent: string; workspace: string | null },
  reply: { by: ExpertPerson; text: string; files?: number },
): Promise<RelayOutcome> {
  if (!desk.store || desk.channels[thread.platform] !== thread.channelId) return 'not-ours';
  const found = await desk.store.experts('expert thread', async (e) => (await e.byPost(thread.channelId, thread.parent)) ?? null);
  // The store did not answer: this reply cannot be matched to a question now (the event is acked; Slack will not
  // send it again). Said in the log, with where, so the asker can be answered by hand; the question stays in the report.
  const unmatched = () => desk.logger.warn({ platform: thread.platform, channel: thread.channelId, thread: thread.parent }, 'an expert reply was not relayed: the store did not answer');
  if (found === undefined) {
    unmatched();
    return 'unknown';
  }
  if (found === null) return 'not-ours';
  if (reply.by.platform === found.platform && reply.by.userId === found.userId) return 'asker';
  const at = nowOf(desk);
  const won = await desk.store.experts('expert answer', (e) => e.answer(found.id, { by: reply.by.userId, text: reply.text, at: at.getTime() }));
  if (won === undefined) {
    unmatched();
    return 'unknown';
  }
  if (!won) return 'already';
  const log = desk.logger.child({ expertQuestion: found.id, platform: thread.platform });
  desk.answered?.(thread.platform, Math.max(0, (at.getTime() - found.at) / 1000));
  const sent = await desk.notifier.send({ kind: 'person', platform: found.platform, userId: found.userId, workspace: found.workspace }, presentExpertAnswer({ question: found.question, answer: reply.text, by: reply.by, at, ...(reply.files ? { files: reply.files } : {}) }));
  const here = { kind: 'channel' as const, platform: thread.platform, channelId: thread.channelId, thread: thread.parent, workspace: thread.workspace };
  if (!sent.ok) {
    log.warn({ error: sent.error }, 'expert answer not delivered to the asker');
    await desk.store.experts('expert answer', (e) => e.relayFailed(found.id, sent.error));
    await desk.notifier.send(here, expertNotice('problem', EXPERT_SAYS.relayFailed(sent.error), { question: found.question }));
    return 'not-delivered';
  }
  log.info('expert answer relayed to the asker');
  const topics = linksOf(desk.knowledge, found.topics);
  const followUp = await desk.notifier.send(here, expertRelayed(found.id, found.question, topics.length > 0 ? topics : linksOf(desk.knowledge, desk.knowledge.topics.slice(0, 4).map((t) => t.id))));
  if (!followUp.ok) log.warn({ error: followUp.error }, 'the expert-side buttons were not posted in the thread');
  return 'relayed';
}

/**
 * Whether a click on an expert-side button came from the platform's experts' channel (`channelId`: Slack's channel id,
 * Teams' channel conversation id without `;messageid=`): the buttons carry only a question id, which anyone could send.
 */
const inExpertsChannel = (desk: ExpertDesk, by: Clicker, channelId: string | undefined): boolean => Boolean(channelId) && desk.channels[by.platform] === channelId;

/** *Save as a phrasing of…*: the question recorded as a correction (asked X, picked topic Y), for the owners' review. */
export async function savePhrasing(desk: ExpertDesk, claim: Claim, by: Clicker & { channelId: string | undefined }, p: { expertQuestion: string; topic: string }): Promise<ExpertNoticeReply> {
  if (!inExpertsChannel(desk, by, by.channelId)) return expertNotice('problem', EXPERT_SAYS.notHere);
  const topic = findTopic(desk.knowledge, p.topic as TopicId);
  if (!topic) return expertNotice('problem', EXPERT_SAYS.topicGone(p.topic));
  if (!desk.store) return expertNotice('problem', EXPERT_SAYS.notSaved);
  const found = await desk.store.experts('expert question', async (e) => (await e.byId(p.expertQuestion)) ?? null);
  if (found === undefined) return expertNotice('problem', EXPERT_SAYS.notSaved);
  if (found === null) return expertNotice('problem', EXPERT_SAYS.gone);
  if (await claim(`expert:phrasing:${found.id}:${topic.id}`, PHRASING_ONCE_MS, 'skip')) {
    desk.store.recorder.feedback({ platform: by.platform, userId: by.userId, target: 'answer', targetId: found.id, rating: 'correction', topic: topic.id, question: found.question });
  }
  return expertNotice('done', EXPERT_SAYS.saved(topic.title), { question: found.question });
}

/** *Needs a new topic*: the question listed in the owners' report (section `new-topics`). */
export async function markNewTopic(desk: ExpertDesk, by: Clicker & { channelId: string | undefined }, p: { expertQuestion: string }): Promise<ExpertNoticeReply> {
  if (!inExpertsChannel(desk, by, by.channelId)) return expertNotice('problem', EXPERT_SAYS.notHere);
  if (!desk.store) return expertNotice('problem', EXPERT_SAYS.notSaved);
  const found: StoredExpertQuestion | null | undefined = await desk.store.experts('expert question', async (e) => (await e.byId(p.expertQuestion)) ?? null);
  if (found === undefined) return expertNotice('problem', EXPERT_SAYS.notSaved);
  if (found === null) return expertNotice('problem', EXPERT_SAYS.gone);
  const marked = await desk.store.experts('new topic', (e) => e.markNewTopic(found.id, by.userId, nowOf(desk).getTime()));
  if (marked === undefined) return expertNotice('problem', EXPERT_SAYS.notSaved);
  return expertNotice('done', EXPERT_SAYS.newTopic, { question: found.question });
}
