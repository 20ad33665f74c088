import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import type { Knowledge } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import { findTopic, namesException, topicFacts, type TopicFacts } from './facts.ts';
import { countryNamePattern } from './countries.ts';
import { deepFreeze } from './frozen.ts';
import { OFF_TOPIC, builtInModel, type Classifier } from '../matching/classifier.ts';
import { scorerFor, type Scorer } from '../matching/scorer.ts';
import { foldAccents, glossFor } from '../matching/gloss.ts';
import { wordsOf } from '../matching/features.ts';
import { nearestLinesFor, type NearestLine, type NearestLines } from '../matching/nearest.ts';
import { knowledgeLines, type KnowledgeLine } from '../matching/training.ts';
import { ALTERNATIVES, BM25, CANDIDATES, CLASSIFIER, LOW_CONFIDENCE, MAX_QUESTION_CHARS, SCRIPT, TWO_QUESTIONS } from '../matching/thresholds.ts';

// Free text from busy people: typos, abbreviations, Hinglish, scenario sentences, one word or a paragraph. Two
// readers score every topic and their scores are fused:
// - BM25 (MiniSearch, with fuzzy and prefix matching) over each topic's title, phrasings and needs, with the
//   synonyms and stop words of matching.yml. It knows the knowledge's own words, including any added today.
// - A trained classifier (TF-IDF over word and character n-grams, logistic regression; src/matching/) that learnt
//   from labelled questions how staff actually write, and has a class of its own for off-topic questions.
// A gate then decides whether the question is about our domain at all: a question neither reader is sure of gets
// `topic: null` and a helpful reply, never a guess. Every threshold is in src/matching/thresholds.ts.

export { LOW_CONFIDENCE, MAX_QUESTION_CHARS };

export interface OffTopicReply {
  message: string;
  examples: string[];
}

export type AnswerResult =
  | {
      topic: TopicId;
      confidence: number;
      answer: TopicFacts;
      alternatives: TopicId[];
      /** The question clearly asks a second thing, about this other topic: answer both (see secondTopic()). */
      also?: { topic: TopicId; answer: TopicFacts };
    }
  | { topic: null; confidence: number; answer: OffTopicReply; alternatives: TopicId[] };

/** One topic as both readers scored it. */
export interface Candidate {
  topic: TopicId;
  /** MiniSearch's BM25 score, and that score relative to the best topic's (1 for the best). */
  bm25: number;
  bm25Relative: number;
  /** The classifier's probability for this topic. */
  classifier: number;
  fused: number;
}

/** The knowledge line (title, phrasing, need label or situation) with the most of the terms BM25 matched for a topic. */
export interface KnowledgeLineMatch {
  field: KnowledgeLine['field'];
  text: string;
  /** The indexed terms of this line that matched the question (stemmed; typos and prefixes matched to them). */
  terms: string[];
}

/** A candidate with what drove each reader to it: what `explain` shows. */
export interface ExplainedCandidate extends Candidate {
  /** BM25: the knowledge line that matched best; null when BM25 did not find the topic. */
  bm25Match: KnowledgeLineMatch | null;
  /** The classifier: the training lines of this topic closest to the question (cosine of their feature vectors). */
  nearest: NearestLine[];
}

/** How the matcher read a question: what `explain` shows. */
export interface Explanation {
  question: string;
  /** The normalised terms BM25 searched for (synonyms applied, stop words dropped, stemmed). */
  terms: string[];
  /**
   * The question's words: known to the knowledge (its titles, phrasings, synonyms and domain words), known only to
   * the classifier (learnt from the training set), unknown to both, or ignored as stop words.
   */
  words: { known: string[]; classifierOnly: string[]; unknown: string[]; ignored: string[] };
  candidates: ExplainedCandidate[];
  /** The classifier's off-topic probability; null when it did not read the question (no words, Devanagari). */
  offTopicProbability: number | null;
  gate: { accepted: boolean; reasons: string[] };
  result: AnswerResult;
}

/** Terms (after synonyms and stemming) that name one of the setups. */
const SETUP_NAME_TERMS = new Set(['coexist', 'whatsapp', 'api']);

/** Recent answers per knowledge base. Questions repeat ("calls", "mps"), and answer() is deterministic. */
const CACHE_SIZE = 1000;

type Doc = { id: TopicId; title: string; phrasings: string };

interface Matcher {
  search: MiniSearch<Doc>;
  /**
   * Each topic's situations as BM25 postings, term → [topic, score], matched by exact terms only. Scored as MiniSearch
   * scores a field (BM25+, k 1.2, b 0.7, d 0.5, times the number of query terms matched), but computed when the
   * knowledge is read: searching them through MiniSearch, as a field or an index of their own, cost answer() about
   * 8 µs of its 42 µs median.
   */
  situationPostings: Map<string, [TopicId, number][]>;
  terms: (text: string) => string[];
  stop: Set<string>;
  domain: Set<string>;
  /** Every indexed term: a query term found here needs no fuzzy matching, which is the costly part. */
  vocabulary: Set<string>;
  /**
   * Terms found only in situations. Everyday words ("client", "team", "another") are there, so for the gate they are
   * weaker evidence of our domain than a title's or phrasing's words (see BM25.situationEvidence).
   */
  situationWords: Set<string>;
  cache: Map<string, AnswerResult>;
  /** Country and region names: in a question about our domain they mean "availability in that country". */
  countryNames: RegExp;
  classifier: Classifier;
  /** The classifier's probabilities for a question. */
  score: Scorer;
  /** Index of each knowledge topic in the classifier's classes (-1: a topic the model was not trained on). */
  classOf: Map<TopicId, number>;
  offTopicClass: number;
  /**
   * Each topic's facts, built and frozen once: every answer about a topic shares them. (A fresh copy per answer kept
   * the young heap full of cached copies, and garbage collection set answer()'s p99.)
   */
  facts: Map<TopicId, TopicFacts>;
  /** explain() only, built on first use: the knowledge's lines per topic, and the training lines as feature vectors. */
  lines?: Map<string, KnowledgeLine[]>;
  nearest?: NearestLines;
}

const matchers = new WeakMap<Knowledge, Matcher>();

/** The classifier reads a question with its gloss (matching/gloss.ts) when it was trained so. */
const glossed = (score: Scorer, gloss: (text: string) => string): Scorer => (text) => score(gloss(text));
/** "número" → "numero", "transmissão" → "transmissao": synonyms and stop words are listed without accents. */

function buildMatcher(knowledge: Knowledge, classifier: Classifier): Matcher {
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
        const whole = synonymMap.get(w) ?? synonymMap.get(foldAccents(w));
        if (whole) return whole.split(/\s+/);
        return w.split('-').flatMap((part) => synonymMap.get(part)?.split(/\s+/) ?? [part]);
      })
      .filter((w) => w.length > 0 && !stop.has(w) && !stop.has(foldAccents(w)));
    return [...new Set(words.map((w) => stemmer(w)))];
  };

  const vocabulary = new Set<string>();
  const situationWords = new Set<string>();
  const search = new MiniSearch<Doc>({
    // A topic's title weighs most; its phrasings and the labels of the needs it answers come next. The topic's
    // formal question is not indexed: its filler words ("time", "apply", "use") matched unrelated questions.
    fields: ['title', 'phrasings'],
    tokenize: terms,
    processTerm: (t) => t,
    searchOptions: {
      // Queries arrive already normalised by terms(); re-tokenising would stem twice.
      tokenize: (q) => q.split(' '),
      prefix: (term) => term.length >= BM25.prefixMinLength,
      fuzzy: (term) => (vocabulary.has(term) ? 0 : term.length >= BM25.typoLength2 ? 2 : term.length >= BM25.typoLength1 ? 1 : 0),
      weights: { fuzzy: BM25.fuzzyWeight, prefix: BM25.prefixWeight },
      boost: { title: BM25.titleBoost },
    },
  });

  const documents = knowledge.topics.map((t) => ({
    id: t.id,
    title: t.title,
    phrasings: [...(knowledge.matching.phrasings[t.id] ?? []), ...knowledge.needs.filter((n) => n.topic === t.id).map((n) => n.label)].join(' \n '),
  }));
  for (const d of documents) for (const t of terms(`${d.title} ${d.phrasings}`)) vocabulary.add(t);
  search.addAll(documents);
  const situationPostings = bm25Postings(knowledge.topics.map((t) => ({ id: t.id, terms: terms((t.situations ?? []).join(' \n ')) })));
  for (const t of situationPostings.keys()) if (!vocabulary.has(t)) situationWords.add(t);
  const domain = new Set(domainWords.flatMap((w) => terms(w)));
  const classOf = new Map(knowledge.topics.map((t) => [t.id, classifier.classes.indexOf(t.id)]));
  return {
    search,
    situationPostings,
    terms,
    stop,
    domain,
    vocabulary,
    situationWords,
    cache: new Map(),
    countryNames: countryNamePattern(),
    classifier,
    score: classifier.gloss ? glossed(scorerFor(classifier), glossFor(knowledge.matching.synonyms)) : scorerFor(classifier),
    classOf,
    offTopicClass: classifier.classes.indexOf(OFF_TOPIC),
    facts: new Map(),
  };
}

function matcherFor(knowledge: Knowledge): Matcher {
  let m = matchers.get(knowledge);
  if (!m) {
    m = buildMatcher(knowledge, builtInModel().classifier);
    matchers.set(knowledge, m);
  }
  return m;
}

export type FusionSettings = { -readonly [K in keyof typeof CLASSIFIER]: number };

const trialMatchers = new WeakMap<Classifier, WeakMap<Knowledge, Matcher>>();

/**
 * The answer with another classifier and other fusion settings: for cross-validation and calibration
 * (`npm run train -- --cv`), never for users. Not cached.
 */
export function answerWith(question: string, knowledge: Knowledge, classifier: Classifier, settings: FusionSettings = CLASSIFIER): AnswerResult {
  let byKnowledge = trialMatchers.get(classifier);
  if (!byKnowledge) trialMatchers.set(classifier, (byKnowledge = new WeakMap()));
  let m = byKnowledge.get(knowledge);
  if (!m) byKnowledge.set(knowledge, (m = buildMatcher(knowledge, classifier)));
  return read(String(question ?? '').slice(0, MAX_QUESTION_CHARS), m, knowledge, settings).result;
}

const DEVANAGARI_REPLY =
  'I cannot read Hindi in Devanagari script yet, sorry. Please ask in English, or in Hindi written in English letters (like "kya api pe call kar sakte hai?"). Or try one of these:';

function offTopic(knowledge: Knowledge, alternatives: TopicId[] = [], message?: string): AnswerResult {
  return {
    topic: null,
    confidence: 0,
    answer: {
      message:
        message ??
        (alternatives.length > 0
          ? 'I could not match this to a topic I cover. The closest ones are below: pick one, or ask in other words.'
          : 'I only know about WhatsApp Co-Existence vs the WhatsApp Business API. Try one of these:'),
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
  const result = deepFreeze(read(text, m, knowledge).result);
  if (m.cache.size >= CACHE_SIZE) m.cache.delete(m.cache.keys().next().value!);
  m.cache.set(text, result);
  return result;
}

/**
 * The topics a question is closest to, best first, without the gate: what "Not helpful" offers to pick from. Only
 * topics either reader scored; `exclude` (the topic already given) is left out. Not cached (it runs on a click).
 */
export function closestTopics(question: string, knowledge: Knowledge, options: { exclude?: TopicId | null; max?: number } = {}): TopicId[] {
  const text = String(question ?? '').slice(0, MAX_QUESTION_CHARS);
  const { candidates } = read(text, matcherFor(knowledge), knowledge);
  return candidates
    .map((c) => c.topic)
    .filter((t) => t !== options.exclude)
    .slice(0, options.max ?? 5);
}

/** How the matcher read a question, step by step (the `explain` command). Not cached; same result as answer(). */
export function explain(question: string, knowledge: Knowledge): Explanation {
  const m = matcherFor(knowledge);
  const text = String(question ?? '').slice(0, MAX_QUESTION_CHARS);
  const r = read(text, m, knowledge, CLASSIFIER, true);
  const words: Explanation['words'] = { known: [], classifierOnly: [], unknown: [], ignored: [] };
  for (const w of new Set(wordsOf(text))) {
    const t = m.terms(w);
    if (t.length === 0) words.ignored.push(w);
    else if (t.some((x) => m.vocabulary.has(x) || m.situationWords.has(x) || m.domain.has(x))) words.known.push(w);
    else if (m.classifier.index.has(`w:${w}`)) words.classifierOnly.push(w);
    else words.unknown.push(w);
  }
  // What drove each reader, per candidate: BM25's match information, and the training lines nearest the question.
  const matched = new Map<string, string[]>();
  if (r.terms.length > 0) {
    for (const x of m.search.search(r.terms.join(' '))) matched.set(x.id as string, Object.keys(x.match));
    for (const t of r.terms) for (const [id] of m.situationPostings.get(t) ?? []) matched.set(id, [...(matched.get(id) ?? []), t]);
  }
  if (!m.lines) {
    m.lines = new Map();
    for (const l of knowledgeLines(knowledge)) m.lines.set(l.topic, [...(m.lines.get(l.topic) ?? []), l]);
  }
  m.nearest ??= nearestLinesFor(m.classifier, knowledge);
  const closest = m.nearest.closest(text);
  const candidates = r.candidates.map((c): ExplainedCandidate => ({
    ...c,
    bm25Match: c.bm25 > 0 ? bestLine(m.lines!.get(c.topic) ?? [], matched.get(c.topic) ?? [], m.terms) : null,
    nearest: closest(c.topic, NEAREST_LINES),
  }));
  return { question: text, terms: r.terms, words, candidates, offTopicProbability: r.offTopic, gate: { accepted: r.result.topic !== null, reasons: r.reasons }, result: r.result };
}

/** BM25+ weights of each term in each document (terms already unique per document, as terms() gives them). */
function bm25Postings(docs: { id: TopicId; terms: string[] }[]): Map<string, [TopicId, number][]> {
  const k = 1.2;
  const b = 0.7;
  const d = 0.5;
  const avg = docs.reduce((s, x) => s + x.terms.length, 0) / Math.max(1, docs.length);
  const byTerm = new Map<string, { id: TopicId; length: number }[]>();
  for (const x of docs) for (const t of x.terms) byTerm.set(t, [...(byTerm.get(t) ?? []), { id: x.id, length: x.terms.length }]);
  const postings = new Map<string, [TopicId, number][]>();
  for (const [t, hits] of byTerm) {
    const idf = Math.log(1 + (docs.length - hits.length + 0.5) / (hits.length + 0.5));
    postings.set(t, hits.map((h): [TopicId, number] => [h.id, idf * (d + (k + 1) / (1 + k * (1 - b + b * h.length / avg)))]));
  }
  return postings;
}

/**
 * Each topic's BM25 score: MiniSearch's, plus its situations' (matched by exact terms), the sum multiplied by the
 * number of the question's terms the topic matched in either, as MiniSearch does over the fields of one index.
 */
function addSituationScores(
  bm25: Map<TopicId, number>,
  results: { id: unknown; score: number; queryTerms: string[] }[],
  terms: string[],
  postings: Map<string, [TopicId, number][]>,
  boostTerm: (t: string) => number,
): void {
  const found = new Map<TopicId, { raw: number; terms: string[] }>();
  for (const r of results) found.set(r.id as TopicId, { raw: r.score / (r.queryTerms.length || 1), terms: r.queryTerms });
  for (const t of terms) {
    const hits = postings.get(t);
    if (!hits) continue;
    for (const [id, w] of hits) {
      const f = found.get(id);
      const add = w * boostTerm(t) * BM25.situationBoost;
      if (!f) found.set(id, { raw: add, terms: [t] });
      else {
        f.raw += add;
        if (!f.terms.includes(t)) f.terms = [...f.terms, t];
      }
    }
  }
  for (const [id, f] of found) bm25.set(id, f.raw * f.terms.length);
}

/** Training lines shown per candidate by explain. */
const NEAREST_LINES = 3;

/** The line holding the most matched terms (ties: the larger share of its own terms, then a situation first). */
function bestLine(lines: KnowledgeLine[], matchedTerms: string[], terms: (text: string) => string[]): KnowledgeLineMatch | null {
  const want = new Set(matchedTerms);
  const rank: Record<KnowledgeLine['field'], number> = { situation: 0, phrasing: 1, need: 2, title: 3 };
  let best: { line: KnowledgeLine; hit: string[]; share: number } | undefined;
  for (const line of lines) {
    const own = terms(line.text);
    const hit = own.filter((t) => want.has(t));
    if (hit.length === 0) continue;
    const share = hit.length / own.length;
    if (!best || hit.length > best.hit.length || (hit.length === best.hit.length && (share > best.share || (share === best.share && rank[line.field] < rank[best.line.field])))) {
      best = { line, hit, share };
    }
  }
  return best ? { field: best.line.field, text: best.line.text, terms: best.hit } : null;
}

/** The candidates from `from` on whose fused score is within ALTERNATIVES.minShareOfBest of the best, at most ALTERNATIVES.max. */
function nearby(candidates: Candidate[], top: Candidate, from: number): TopicId[] {
  return candidates
    .slice(from)
    .filter((c) => c.fused >= top.fused * ALTERNATIVES.minShareOfBest)
    .slice(0, ALTERNATIVES.max)
    .map((c) => c.topic);
}

interface Reading {
  terms: string[];
  candidates: Candidate[];
  offTopic: number | null;
  reasons: string[];
  result: AnswerResult;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function read(text: string, m: Matcher, knowledge: Knowledge, settings: FusionSettings = CLASSIFIER, trace = false, parts = true): Reading {
  const reasons: string[] = [];
  // The reasons are words for `explain`; answer() does not pay for formatting them.
  const note = trace ? (reason: () => string) => void reasons.push(reason()) : () => {};
  const refuse = (why: string, message?: string): Reading => ({ terms, candidates, offTopic: null, reasons: [...reasons, why], result: offTopic(knowledge, [], message) });
  let terms: string[] = [];
  let candidates: Candidate[] = [];
  let pOff = 0;

  // Hindi in Devanagari: the data knows romanised Hindi only. A polite reply beats a guess from the English words.
  const devanagari = /\p{Script=Devanagari}/u.test(text) ? (text.match(/(?=\p{Script=Devanagari})\p{L}/gu)?.length ?? 0) : 0;
  const letters = devanagari > 0 ? (text.match(/\p{L}/gu)?.length ?? 0) : 0;
  if (devanagari > 0 && devanagari >= letters * SCRIPT.maxDevanagariShare) {
    return refuse(`${devanagari} of ${letters} letters are Devanagari (at least ${SCRIPT.maxDevanagariShare * 100}%): asked to write in Latin letters`, DEVANAGARI_REPLY);
  }

  // BM25 first. "Is Co-Existence available in Brazil?": a country name next to a domain word asks about a country.
  // Alone ("the capital of Peru") it says nothing about our domain, so it stays an unknown word.
  terms = m.terms(text);
  if (terms.some((t) => m.domain.has(t))) {
    const lower = text.toLowerCase();
    m.countryNames.lastIndex = 0;
    if (m.countryNames.test(lower)) terms = m.terms(lower.replace(m.countryNames, ' country '));
  }
  // Numbers the knowledge base does not use ("10000 customers", "20 mps", "version 2.24") say nothing either way.
  terms = terms.filter((t) => !/^[\d._]+$/.test(t) || m.vocabulary.has(t));

  // The classifier reads the question as written.
  const p = /[\p{L}\p{N}]/u.test(text) ? m.score(text) : undefined;
  pOff = p && m.offTopicClass >= 0 ? p[m.offTopicClass]! : 1;
  const pTopic = (id: TopicId) => {
    const c = m.classOf.get(id) ?? -1;
    return p && c >= 0 ? p[c]! : 0;
  };

  if (terms.length === 0 && !p) return refuse('no words to read');

  // BM25's scores and its gate: is the question, by the words the knowledge knows, about our domain?
  const bm25 = new Map<TopicId, number>();
  let bm25Gate = false;
  let bm25Sure = false;
  /** How much BM25's scores count in the fusion: fully past its gate, else the share of the question it understood. */
  let bm25Coverage = 1;
  const overviewOnly = terms.length > 0 && terms.every((t) => m.domain.has(t));
  if (overviewOnly) {
    // Nothing but the setups' own names ("what is coexistence?", "who should use the api"): the overview topic.
    bm25.set(knowledge.matching.overviewTopic as TopicId, 1);
    bm25.set('number-usage', 0.5);
    bm25Gate = true;
    note(() => `BM25: only the setups' names (${terms.join(', ')}): the overview topic ${knowledge.matching.overviewTopic}`);
  } else if (terms.length > 0) {
    const boostTerm = (term: string) => (m.domain.has(term) ? BM25.domainTermBoost : 1);
    const results = m.search.search(terms.join(' '), { boostTerm });
    addSituationScores(bm25, results, terms, m.situationPostings, boostTerm);
    // How well does the knowledge base know the question's words? A word in its vocabulary counts fully; one that
    // only matched by prefix or as a likely typo counts half, and as evidence only when long enough to be a typo
    // of a real term ("disapearing") rather than a different word that shares a stem ("office" / "official").
    const matched = new Set<string>();
    for (const r of results) for (const t of r.queryTerms) matched.add(t);
    // A word known only from situations (everyday words: "client", "stolen", "another") ranks topics but is no
    // evidence that the question is about our domain (BM25.situationEvidence), and never a strong word.
    const evidence = (t: string): number =>
      m.domain.has(t) || m.vocabulary.has(t) ? 1 : m.situationWords.has(t) ? BM25.situationEvidence : matched.has(t) ? 0.5 : 0;
    const weight = (t: string) => (m.domain.has(t) ? 0.5 : 1);
    const total = terms.reduce((s, t) => s + weight(t), 0);
    const coverage = terms.reduce((s, t) => s + weight(t) * evidence(t), 0) / total;
    const strong = terms.filter(
      (t) => !m.domain.has(t) && (m.vocabulary.has(t) || (!m.situationWords.has(t) && matched.has(t) && t.length >= BM25.strongTypoMinLength)),
    ).length;
    const aboutOurDomain = terms.some((t) => m.domain.has(t));
    // Naming a setup ("coex", "whatsapp", "waba", "cloud api") is domain evidence the off-topic class must not
    // overrule lightly: Hinglish function words ("kaise", "karna hai") appear in office questions too.
    bm25Sure = coverage >= BM25.sureCoverage || terms.some((t) => SETUP_NAME_TERMS.has(t));
    // A question that names our domain ("whatsapp", "api", "coex") needs half its words known; one that does not
    // ("video call", "old messages") needs more than half, so "how many days of vacation" stays off-topic.
    bm25Gate =
      results.length > 0 &&
      strong >= 1 &&
      (strong >= BM25.strongWordsAlwaysOnTopic || (aboutOurDomain ? coverage >= BM25.minCoverage : coverage > BM25.minCoverage));
    // Past its gate BM25 counts fully; short of it, by the share of the question it understood.
    bm25Coverage = bm25Gate ? 1 : coverage;
    note(() => 
      `BM25 gate ${bm25Gate ? 'yes' : 'no'}: ${strong} known topic word${strong === 1 ? '' : 's'}, coverage ${round(coverage)} ` +
        `(needs ${BM25.strongWordsAlwaysOnTopic}+ known words, or 1+ and coverage ${aboutOurDomain ? '≥' : '>'} ${BM25.minCoverage}${aboutOurDomain ? ' with a domain word' : ' without a domain word'})`,
    );
  }

  // Fuse: the classifier's probability and BM25's score relative to its best topic; short of its gate, BM25 counts by
  // the share of the question it understood (a paragraph of unknown words with one known word is weak evidence).
  const bestBm25 = Math.max(0, ...bm25.values());
  const w = settings.fusionWeight;
  candidates = [];
  for (const t of knowledge.topics) {
    const raw = bm25.get(t.id) ?? 0;
    const clf = pTopic(t.id);
    if (raw <= 0 && clf < CANDIDATES.minClassifierProbability) continue;
    const rel = bestBm25 > 0 ? raw / bestBm25 : 0;
    // A topic the classifier was not trained on (added to the knowledge since the last `npm run train`) is judged by
    // BM25 alone, as if the classifier agreed: a support lead's new topic is answered at once.
    const fused = (m.classOf.get(t.id) ?? -1) >= 0 ? w * clf + (1 - w) * rel * bm25Coverage : rel * bm25Coverage;
    candidates.push({ topic: t.id, bm25: round(raw), bm25Relative: round(rel), classifier: round(clf), fused: round(fused) });
  }
  candidates.sort((a, b) => b.fused - a.fused || a.topic.localeCompare(b.topic));
  // A general topic (the setup as a whole, mentioned in passing) yields to a close, more specific one.
  const general = knowledge.matching.generalTopics;
  if (general && candidates.length > 1 && general.includes(candidates[0]!.topic)) {
    const specific = candidates.findIndex((c) => !general.includes(c.topic));
    if (specific > 0 && candidates[specific]!.fused >= candidates[0]!.fused * settings.generalYield) {
      const [chosen] = candidates.splice(specific, 1);
      candidates.unshift(chosen!);
      note(() => `${candidates[1]!.topic} is a general topic: the close, more specific ${chosen!.topic} is answered`);
    }
  }
  const top = candidates[0];
  const clfTop = candidates.reduce<Candidate | undefined>((best, c) => (!best || c.classifier > best.classifier ? c : best), undefined);
  const pBest = clfTop?.classifier ?? 0;
  note(() => `classifier: off-topic ${round(pOff)}, best topic ${clfTop ? `${clfTop.topic} ${round(pBest)}` : 'none'}`);

  let accepted = false;
  // The off-topic class vetoes BM25, less readily when the knowledge knows every word of the question.
  const veto = bm25Sure ? settings.offTopicVetoAllKnown : settings.offTopicVeto;
  if (bm25Gate && pOff < veto) {
    accepted = true;
    note(() => `accepted: BM25 gate yes and off-topic ${round(pOff)} < veto ${veto}${bm25Sure ? ' (every word known or a setup named)' : ''}`);
  } else if (pBest >= settings.accept && pBest > pOff) {
    accepted = true;
    note(() => `accepted: classifier ${round(pBest)} ≥ ${settings.accept} and above off-topic ${round(pOff)}`);
  } else if (bm25Gate) {
    note(() => `refused: off-topic ${round(pOff)} ≥ veto ${veto}${bm25Sure ? ' (every word known or a setup named)' : ''}, classifier's best topic ${round(pBest)} < ${settings.accept}`);
  } else {
    note(() => `refused: BM25 gate no, classifier's best topic ${round(pBest)} < ${settings.accept} or not above off-topic ${round(pOff)}`);
  }
  if (!accepted || !top) {
    // Declined, but some topic came close: shown as the closest ones, never answered.
    const closest = top && top.fused >= settings.offerOnDecline ? nearby(candidates, top, 0) : [];
    if (closest.length > 0) note(() => `closest topics shown with the decline (best fused ${round(top!.fused)} ≥ ${settings.offerOnDecline}): ${closest.join(', ')}`);
    return { terms, candidates, offTopic: pOff, reasons, result: offTopic(knowledge, closest) };
  }

  const topic = findTopic(knowledge, top.topic);
  if (!topic) return { terms, candidates, offTopic: pOff, reasons: [...reasons, `${top.topic} is not in this knowledge`], result: offTopic(knowledge) };
  const second = candidates[1]?.fused ?? 0;
  const dominance = top.fused + second > 0 ? (top.fused - second) / (top.fused + second) : 0;
  const confidence = round(Math.min(1, top.fused) * (0.5 + 0.5 * dominance));
  const alternatives = nearby(candidates, top, 1);
  const factsOf = (id: TopicId): TopicFacts => {
    // A question that names a case the topic's status does not cover (Windows) gets that case's headline.
    const t = findTopic(knowledge, id)!;
    if (namesException(t, text)) return deepFreeze(topicFacts(knowledge, t, text));
    let facts = m.facts.get(id);
    if (!facts) m.facts.set(id, (facts = deepFreeze(topicFacts(knowledge, t))));
    return facts;
  };
  const also = parts ? secondTopic(text, topic.id, (part) => read(part, m, knowledge, settings, false, false).result) : undefined;
  if (also) note(() => `two questions in one: the second part is about ${also}, answered too`);
  if (!also && confidence < settings.declineUnder) {
    const closest = [topic.id, ...alternatives].slice(0, ALTERNATIVES.max);
    note(() => `declined: confidence ${confidence} < ${settings.declineUnder}; closest topics shown: ${closest.join(', ')}`);
    return { terms, candidates, offTopic: pOff, reasons, result: offTopic(knowledge, closest) };
  }
  return {
    terms,
    candidates,
    offTopic: pOff,
    reasons,
    result: { topic: topic.id, confidence, answer: factsOf(topic.id), alternatives, ...(also ? { also: { topic: also, answer: factsOf(also) } } : {}) },
  };
}

/** Where a message asks more than one thing: a question mark followed by more, a line break, a semicolon, "also". */
const QUESTION_BREAK = /\?+\s+|\n+|;\s*|\s+(?:and\s+)?also\s+|\s+and\s+(?=(?:can|could|will|would|does|do|is|are|what|how|whether)\b)/i;

/**
 * The second topic of a message that clearly asks two things: split at its question breaks, each part read on its
 * own; when one part is about the answered topic and another, read with confidence, about a different topic, that
 * topic. Undefined otherwise (one question, or parts that agree, or a part too unsure to answer).
 */
export function secondTopic(text: string, first: TopicId, readPart: (part: string) => AnswerResult): TopicId | undefined {
  const parts = text
    .split(QUESTION_BREAK)
    .map((p) => p.trim())
    .filter((p) => p.split(/\s+/).length >= TWO_QUESTIONS.minPartWords);
  if (parts.length < 2 || parts.length > TWO_QUESTIONS.maxParts) return undefined;
  const topics = parts.map(readPart).filter((r) => r.topic !== null && r.confidence >= TWO_QUESTIONS.minPartConfidence);
  if (!topics.some((r) => r.topic === first)) return undefined;
  return topics.find((r) => r.topic !== first)?.topic ?? undefined;
}
