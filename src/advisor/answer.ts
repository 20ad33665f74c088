import MiniSearch, { type SearchResult } from 'minisearch';
import { stemmer } from 'stemmer';
import type { Knowledge } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import { findTopic, topicFacts, type TopicFacts } from './facts.ts';
import { countryNamePattern } from './countries.ts';
import { deepFreeze } from './frozen.ts';

// Free text from busy people: typos, abbreviations, Hinglish, one word or a paragraph. MiniSearch does the
// ranking (BM25 with fuzzy and prefix matching); the knowledge file supplies synonyms, stop words and the
// phrasings per topic. On top of the ranking we decide whether the question is about our domain at all:
// a question whose words are mostly unknown to the knowledge base gets `topic: null`, never a guess.

export interface OffTopicReply {
  message: string;
  examples: string[];
}

export type AnswerResult =
  | { topic: TopicId; confidence: number; answer: TopicFacts; alternatives: TopicId[] }
  | { topic: null; confidence: number; answer: OffTopicReply; alternatives: TopicId[] };

/** Below this confidence an answer should be presented as a best guess, with the alternatives offered. */
export const LOW_CONFIDENCE = 0.6;
/** Questions longer than this are cut before matching; nobody's question needs more. */
export const MAX_QUESTION_CHARS = 2000;

/** Recent answers per knowledge base. Questions repeat ("calls", "mps"), and answer() is deterministic. */
const CACHE_SIZE = 1000;

interface Matcher {
  search: MiniSearch<{ id: TopicId; title: string; phrasings: string }>;
  terms: (text: string) => string[];
  domain: Set<string>;
  /** Every indexed term: a query term found here needs no fuzzy matching, which is the costly part. */
  vocabulary: Set<string>;
  cache: Map<string, AnswerResult>;
  /** Country and region names: in a question about our domain they mean "availability in that country". */
  countryNames: RegExp;
}

const matchers = new WeakMap<Knowledge, Matcher>();

function buildMatcher(knowledge: Knowledge): Matcher {
  const { synonyms, stopwords, domainWords } = knowledge.matching;
  const synonymMap = new Map(Object.entries(synonyms).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  const stop = new Set(stopwords.map((w) => w.toLowerCase()));

  const terms = (text: string): string[] => {
    const words = text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/(\d)[.,](\d)/g, '$1_$2') // "2.24", "1,000" stay one token
      .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
      .split(/[^\p{L}\p{N}_-]+/u)
      .flatMap((w) => {
        const whole = synonymMap.get(w);
        if (whole) return whole.split(/\s+/);
        return w.split('-').flatMap((part) => synonymMap.get(part)?.split(/\s+/) ?? [part]);
      })
      .filter((w) => w.length > 0 && !stop.has(w));
    return [...new Set(words.map((w) => stemmer(w)))];
  };

  const vocabulary = new Set<string>();
  const search = new MiniSearch<{ id: TopicId; title: string; phrasings: string }>({
    // A topic's title weighs most; its phrasings and the labels of the needs it answers come next. The topic's
    // formal question is not indexed: its filler words ("time", "apply", "use") matched unrelated questions.
    fields: ['title', 'phrasings'],
    tokenize: terms,
    processTerm: (t) => t,
    searchOptions: {
      // Queries arrive already normalised by terms(); re-tokenising would stem twice.
      tokenize: (q) => q.split(' '),
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (vocabulary.has(term) ? 0 : term.length >= 7 ? 2 : term.length >= 4 ? 1 : 0),
      weights: { fuzzy: 0.6, prefix: 0.4 },
      boost: { title: 1.5 },
    },
  });
  const documents = knowledge.topics.map((t) => ({
    id: t.id,
    title: t.title,
    phrasings: [...(knowledge.matching.phrasings[t.id] ?? []), ...knowledge.needs.filter((n) => n.topic === t.id).map((n) => n.label)].join(' \n '),
  }));
  for (const d of documents) for (const t of terms(`${d.title} ${d.phrasings}`)) vocabulary.add(t);
  search.addAll(documents);
  const domain = new Set(domainWords.flatMap((w) => terms(w)));
  return { search, terms, domain, vocabulary, cache: new Map(), countryNames: countryNamePattern() };
}

function matcherFor(knowledge: Knowledge): Matcher {
  let m = matchers.get(knowledge);
  if (!m) {
    m = buildMatcher(knowledge);
    matchers.set(knowledge, m);
  }
  return m;
}

function offTopic(knowledge: Knowledge, alternatives: TopicId[] = [], confidence = 0): AnswerResult {
  return {
    topic: null,
    confidence,
    answer: {
      message:
        alternatives.length > 0
          ? 'I am not sure which part of Co-Existence vs API-only you mean. Pick a topic, or ask in other words.'
          : 'I only know about WhatsApp Co-Existence vs the WhatsApp Business API. Try one of these:',
      examples: knowledge.matching.examples,
    },
    alternatives,
  };
}


export function answer(question: string, knowledge: Knowledge): AnswerResult {
  const m = matcherFor(knowledge);
  const text = String(question ?? '').slice(0, MAX_QUESTION_CHARS);
  const cached = m.cache.get(text);
  if (cached) {
    // Refresh its place: the map's insertion order is the eviction order.
    m.cache.delete(text);
    m.cache.set(text, cached);
    return cached;
  }
  const result = deepFreeze(match(text, m, knowledge));
  if (m.cache.size >= CACHE_SIZE) m.cache.delete(m.cache.keys().next().value!);
  m.cache.set(text, result);
  return result;
}

function match(text: string, m: Matcher, knowledge: Knowledge): AnswerResult {
  let qterms = m.terms(text);
  // "Is Co-Existence available in Brazil?": a country name next to a domain word asks about a country. Alone
  // ("the capital of Peru") it says nothing about our domain, so it stays an unknown word.
  if (qterms.some((t) => m.domain.has(t))) {
    const lower = text.toLowerCase();
    m.countryNames.lastIndex = 0;
    if (m.countryNames.test(lower)) qterms = m.terms(lower.replace(m.countryNames, ' country '));
  }
  // Numbers the knowledge base does not use ("10000 customers", "20 mps", "version 2.24") say nothing either way.
  qterms = qterms.filter((t) => !/^[\d._]+$/.test(t) || m.vocabulary.has(t));
  if (qterms.length === 0) return offTopic(knowledge);

  // Nothing but the setups' own names ("what is coexistence?", "who should use the api"): the overview topic.
  if (qterms.every((t) => m.domain.has(t))) {
    const overview = findTopic(knowledge, knowledge.matching.overviewTopic);
    if (overview) return { topic: overview.id, confidence: LOW_CONFIDENCE / 2, answer: topicFacts(knowledge, overview), alternatives: ['number-usage'] };
  }

  const results: SearchResult[] = m.search.search(qterms.join(' '), {
    // Domain words ("whatsapp", "api") are evidence of the domain, not of a topic: they count for little.
    boostTerm: (term) => (m.domain.has(term) ? 0.3 : 1),
  });
  if (results.length === 0) return offTopic(knowledge);

  // How well does the knowledge base know the question's words? A word in its vocabulary counts fully; one that
  // only matched by prefix or as a likely typo counts half, and as evidence only when long enough to be a typo
  // of a real term ("disapearing") rather than a different word that shares a stem ("office" / "official").
  const matched = new Set<string>();
  for (const r of results) for (const t of r.queryTerms) matched.add(t);
  const evidence = (t: string): number => (m.domain.has(t) || m.vocabulary.has(t) ? 1 : matched.has(t) ? 0.5 : 0);
  const weight = (t: string) => (m.domain.has(t) ? 0.5 : 1);
  const total = qterms.reduce((s, t) => s + weight(t), 0);
  const coverage = qterms.reduce((s, t) => s + weight(t) * evidence(t), 0) / total;
  const strong = qterms.filter((t) => !m.domain.has(t) && (m.vocabulary.has(t) || (matched.has(t) && t.length >= 6))).length;
  const aboutOurDomain = qterms.some((t) => m.domain.has(t));

  const top = results[0]!;
  const second = results[1]?.score ?? 0;
  const dominance = (top.score - second) / (top.score + second);
  const confidence = Math.round(coverage * (0.5 + 0.5 * dominance) * 1000) / 1000;
  const alternatives = results
    .slice(1)
    .filter((r) => r.score >= top.score * 0.4)
    .slice(0, 3)
    .map((r) => r.id as TopicId);

  // A question that names our domain ("whatsapp", "api", "coex") needs half its words known; one that does not
  // ("video call", "old messages") needs more than half, so "how many days of vacation" stays off-topic.
  const onTopic = strong >= 1 && (strong >= 3 || (aboutOurDomain ? coverage >= 0.5 : coverage > 0.5));
  if (!onTopic) return offTopic(knowledge);

  const topic = findTopic(knowledge, String(top.id));
  if (!topic) return offTopic(knowledge);
  return { topic: topic.id, confidence, answer: topicFacts(knowledge, topic), alternatives };
}
