import type { Knowledge, Need, Source, Topic } from '../knowledge/schema.ts';
import { conditionList } from '../knowledge/figures.ts';
import { SETUP_IDS, setupKey, type SetupId, type Status, type TopicId } from '../knowledge/ids.ts';

// Reading the knowledge with the offer policy applied: what is true for a customer of ours today.

export interface SetupAnswer {
  status: Status;
  answer: string;
  details: string;
}

export interface TopicFacts {
  id: TopicId;
  title: string;
  question: string;
  coexistence: SetupAnswer;
  apiOnly: SetupAnswer;
  /** Where the provider help article says otherwise; staff must know before repeating it. */
  articleSays?: Topic['articleSays'];
  sources: Source[];
  lastVerified: string;
}

export function findTopic(knowledge: Knowledge, id: string): Topic | undefined {
  return knowledge.topics.find((t) => t.id === id);
}

/**
 * A topic's facts, with the offer policy applied. `question`: what was asked; when it names a case the status does not
 * cover ("on a Windows laptop", where the topic says "except WhatsApp for Windows"), that case's status and answer lead.
 */
export function topicFacts(knowledge: Knowledge, topic: Topic, question?: string): TopicFacts {
  const side = (facts: Topic['coexistence']): SetupAnswer => {
    const named = question ? facts.exceptions?.find((e) => e.when.some((words) => names(question, words))) : undefined;
    if (named) return { status: named.status, answer: named.answer, details: facts.details };
    const offered = facts.ifOffered && knowledge.offerPolicy.capabilities[facts.ifOffered.capability];
    return offered && facts.ifOffered
      ? { status: facts.ifOffered.status, answer: facts.ifOffered.answer, details: facts.details }
      : { status: facts.status, answer: facts.answer, details: facts.details };
  };
  return {
    id: topic.id,
    title: topic.title,
    question: topic.question,
    coexistence: side(topic.coexistence),
    apiOnly: side(topic.apiOnly),
    ...(topic.articleSays ? { articleSays: topic.articleSays } : {}),
    sources: topic.sources.map((ref) => knowledge.sources[ref]).filter((s): s is Source => s !== undefined),
    lastVerified: topic.lastVerified,
  };
}

/** Whether `question` names `words` as words of its own ("windows" in "a Windows laptop", not in "windowsill"). */
function names(question: string, words: string): boolean {
  const pattern = words.trim().toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '[\\s-]*');
  return new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, 'iu').test(question);
}

/** Whether a topic has a case the question names, so its facts depend on the question. */
export function namesException(topic: Topic, question: string): boolean {
  return [topic.coexistence, topic.apiOnly].some((s) => s.exceptions?.some((e) => e.when.some((w) => names(question, w))));
}

export function allTopicFacts(knowledge: Knowledge): TopicFacts[] {
  return knowledge.topics.map((t) => topicFacts(knowledge, t));
}

/**
 * Does `setup` meet `need` for our customers, with the offer policy applied? A need follows its topic's status
 * (including what the topic gives once a capability is offered), unless the need is marked narrower.
 */
export function needSupport(knowledge: Knowledge, need: Need, setup: SetupId): Status {
  const key = setupKey(setup);
  const own = need.narrower?.[key];
  if (own) return own;
  const side = findTopic(knowledge, need.topic)?.[key];
  if (!side) return need[key];
  if (side.ifOffered && knowledge.offerPolicy.capabilities[side.ifOffered.capability]) return side.ifOffered.status;
  return side.status;
}

/**
 * How API-only gets from its default MPS to its maximum, in words: "starts at 80; Meta raises it to 1,000 only
 * when all of these hold: …". Wherever the maximum is stated, its conditions are stated with it.
 */
export function maxMpsWording(knowledge: Knowledge): string {
  const { defaultMps, maxMps, maxMpsConditions } = knowledge.offerPolicy.apiOnly;
  const n = (x: number) => x.toLocaleString('en-US');
  if (!maxMpsConditions?.length) return `API-only starts at ${n(defaultMps)} and rises automatically to ${n(maxMps)}`;
  return `API-only starts at ${n(defaultMps)}; Meta raises it to ${n(maxMps)} only when all of these hold: ${conditionList(maxMpsConditions)}`;
}

export function otherSetup(setup: SetupId): SetupId {
  return setup === 'coexistence' ? 'api-only' : 'coexistence';
}

export { SETUP_IDS };
