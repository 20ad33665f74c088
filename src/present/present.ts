import type { Knowledge, Source } from '../knowledge/schema.ts';
import { SETUP_IDS, SETUP_NAMES, type SetupId, type TopicId } from '../knowledge/ids.ts';
import { LOW_CONFIDENCE, closestTopics, type AnswerResult } from '../advisor/answer.ts';
import { COMMANDS } from '../advisor/commands.ts';
import { allCountries, countryName } from '../advisor/countries.ts';
import { allTopicFacts, findTopic, otherSetup, topicFacts, type SetupAnswer, type TopicFacts } from '../advisor/facts.ts';
import { deepFreeze } from '../advisor/frozen.ts';
import type { Confidence, Recommendation } from '../advisor/recommend.ts';
import type { Requirements } from '../advisor/requirements.ts';
import { CONFIDENCE_WORD, SETUP_TITLE, STATUS_ICON, STATUS_WORD, VERDICT_WORD } from '../advisor/wording.ts';
import { askedSetup } from './asked.ts';
import { clarifyTopics } from './clarify.ts';
import { whoSees, type HistoryScope } from './scope.ts';
import type { VerificationState } from './verification.ts';
import { answerActions, comparisonActions, offersExpert, pastActions, recommendationActions, startActions, topicPickers, withAskExpert } from './actions.ts';
import type {
  AnswerReply,
  Cell,
  ClarifyReply,
  ClarifyTopic,
  ComparisonReply,
  GreetingReply,
  HelpReply,
  HistoryEntry,
  HistoryReply,
  NoTopicReply,
  NotHelpfulReply,
  RecommendationReply,
  RecommendationSection,
  RequirementsForm,
  Row,
  SetupSide,
  TopicLink,
  TopicsReply,
} from './reply.ts';

// The core's results (answer, recommendation, the knowledge) turned into complete replies (reply.ts).

/**
 * Topics whose yes/no means nothing ("Pricing: ⚠️ Partly / ❌ No", "Who each setup suits: ✅ / ✅"): they describe
 * rather than grant. Their rows and answers show words, never a status.
 */
export const DESCRIPTIVE_TOPICS: readonly TopicId[] = ['pricing', 'best-suited'];

/** The first clause of an answer, short enough for a table cell: "Messages sent from the app stay free". */
function cellWords(answer: string, max = 90): string {
  const clause = answer.split(/;\s|\.\s|\.$/)[0]!.trim();
  if (clause.length <= max) return clause;
  const cut = clause.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2))}…`;
}

function statusCell(side: SetupAnswer): Extract<Cell, { kind: 'status' }> {
  return { kind: 'status', status: side.status, icon: STATUS_ICON[side.status], text: `${STATUS_ICON[side.status]} ${STATUS_WORD[side.status]}` };
}

const sideOf = (facts: TopicFacts, setup: SetupId): SetupAnswer => (setup === 'coexistence' ? facts.coexistence : facts.apiOnly);
const describes = (topic: TopicId) => DESCRIPTIVE_TOPICS.includes(topic);

function rowOf(facts: TopicFacts): Row {
  const note = facts.articleSays ? `help article ${VERDICT_WORD[facts.articleSays.verdict]}` : undefined;
  const cell = (setup: SetupId): Cell => (describes(facts.id) ? { kind: 'words', text: cellWords(sideOf(facts, setup).answer) } : statusCell(sideOf(facts, setup)));
  return {
    topic: facts.id,
    title: facts.title,
    ...(note ? { note } : {}),
    label: note ? `${facts.title} (${note})` : facts.title,
    cells: { coexistence: cell('coexistence'), 'api-only': cell('api-only') },
  };
}

const rowSummary = (row: Row, order: readonly SetupId[] = SETUP_IDS): string =>
  `${row.title}: ${order.map((s) => `${SETUP_NAMES[s]} ${row.cells[s].text}`).join(', ')}`;

/** Remembers a reply per knowledge base (help, topics, comparison depend on nothing else). Frozen: shared. */
function perKnowledge<T extends object>(make: (knowledge: Knowledge) => T): (knowledge: Knowledge) => T {
  const cache = new WeakMap<Knowledge, T>();
  return (knowledge) => {
    let value = cache.get(knowledge);
    if (!value) {
      value = deepFreeze(make(knowledge));
      cache.set(knowledge, value);
    }
    return value;
  };
}

const topicLinks = (knowledge: Knowledge, ids: readonly TopicId[]): TopicLink[] =>
  ids.map((id) => ({ topic: id, title: findTopic(knowledge, id)?.title ?? id }));

function topicAnswer(facts: TopicFacts, question: string | undefined): AnswerReply {
  const lead = askedSetup(question);
  const order: SetupId[] = [lead, otherSetup(lead)];
  const sides: SetupSide[] = order.map((setup) => {
    const s = sideOf(facts, setup);
    return { setup, name: SETUP_NAMES[setup], ...(describes(facts.id) ? {} : { status: statusCell(s) }), answer: s.answer, details: s.details };
  });
  const row = rowOf(facts);
  return {
    kind: 'answer',
    topic: facts.id,
    title: facts.title,
    ...(question ? { question } : {}),
    sides,
    ...(facts.articleSays
      ? { warning: { lead: `The help article is ${VERDICT_WORD[facts.articleSays.verdict]} here.`, claim: facts.articleSays.claim, correction: facts.articleSays.correction } }
      : {}),
    sources: facts.sources,
    lastVerified: facts.lastVerified,
    actions: [],
    summary: describes(facts.id) ? `${facts.title}: ${sides.map((s) => `${s.name}: ${row.cells[s.setup].text}`).join('; ')}` : rowSummary(row, order),
  };
}

/** What the operator configures about replies (adapters/config.ts reads it; the core reads no environment). */
export interface PresentOptions {
  /** How to ask a person, shown when a question is declined (EXPERT_HINT): "Ask in #whatsapp-experts". */
  expertHint?: string;
  /**
   * The platform has an experts' channel (EXPERTS_CHANNEL, TEAMS_EXPERTS_CHANNEL): unsure and declined replies offer
   * *Ask an expert* (offersExpert in actions.ts says which).
   */
  askExpert?: boolean;
  /**
   * The stored verifications and today's date (the host keeps them: src/present/verification.ts): answers show the
   * later date and a topic past its interval is marked. Absent: the files' dates, no mark.
   */
  verification?: VerificationState;
}

/** Said when a question is declined and EXPERT_HINT is not set: a next step without naming a channel. */
export const DEFAULT_EXPERT_HINT = 'Ask a colleague who knows our WhatsApp setups, or your team lead.';

const hintFor = (options: PresentOptions): string => `Not something I cover? ${options.expertHint?.trim() || DEFAULT_EXPERT_HINT}`;

type QuestionReply = AnswerReply | NoTopicReply | ClarifyReply;

/**
 * Replies already made, per answer() result: answer() keeps recent results per question text, so a repeated
 * question ("calls", "mps") gets the same frozen reply instead of a new one.
 */
const made = new WeakMap<AnswerResult, QuestionReply>();

/** The reply to a question, from answer()'s result. Frozen: shared between requests. */
export function presentAnswer(result: AnswerResult, question: string, knowledge: Knowledge, options: PresentOptions = {}): QuestionReply {
  const known = made.get(result);
  const expertAsOptions = (r: QuestionReply) => r.actions.some((a) => a.id === 'ask-expert') === (Boolean(options.askExpert) && offersExpert(r));
  if (known && (known.kind === 'answer' ? (known.question ?? '') : known.question) === question && (known.kind !== 'off-topic' || known.hint === hintFor(options)) && expertAsOptions(known)) return known;
  const drafted = makeAnswer(result, question, knowledge, options);
  const reply = deepFreeze(options.askExpert ? withAskExpert(drafted) : drafted);
  made.set(result, reply);
  return reply;
}

function makeAnswer(result: AnswerResult, question: string, knowledge: Knowledge, options: PresentOptions): QuestionReply {
  if (result.topic === null) {
    return {
      kind: 'off-topic',
      message: result.answer.message,
      hint: hintFor(options),
      question,
      topics: topicLinks(knowledge, result.alternatives),
      examples: result.answer.examples,
      confidence: result.confidence,
      actions: [...topicPickers(topicLinks(knowledge, result.alternatives), question), ...startActions()],
      summary: result.answer.message,
    };
  }
  const offered = clarifyTopics(result);
  if (offered) {
    const topics: ClarifyTopic[] = offered.flatMap((id) => {
      const t = findTopic(knowledge, id);
      return t ? [{ topic: id, title: t.title, asks: t.question }] : [];
    });
    return {
      kind: 'clarify',
      message: CLARIFY_MESSAGE,
      question,
      topic: result.topic,
      confidence: result.confidence,
      topics,
      actions: topicPickers(topics, question),
      summary: `${CLARIFY_MESSAGE} ${topics.map((t) => t.title).join(' · ')}`,
    };
  }
  const reply = withAlso(topicAnswer(result.answer, question || undefined), result.also?.answer, question || undefined);
  reply.confidence = result.confidence;
  reply.actions = answerActions(reply);
  if (result.confidence < LOW_CONFIDENCE && !result.also) {
    // Unsure, with no other topic to offer ("Which do you mean?" needs one): said to be a best guess. (A question that
    // asked two things reads as unsure as a whole, but each part was read surely: both are answered, no such line.)
    reply.unsure = `Not sure this is what you meant (match ${Math.round(result.confidence * 100)}%).`;
  }
  return reply;
}

/** What the clarifying reply asks. */
export const CLARIFY_MESSAGE = 'Which do you mean?';

/** `reply` with a second topic's answer under its heading (a question that asked two things). */
function withAlso(reply: AnswerReply, second: TopicFacts | undefined, question: string | undefined): AnswerReply {
  if (!second || second.id === reply.topic) return reply;
  const { question: _asked, ...answer } = topicAnswer(second, question);
  return { ...reply, also: { heading: `You also asked about ${second.title}`, answer }, summary: `${reply.summary}\nYou also asked about ${answer.summary}` };
}

/** How many topics "Not helpful" offers. */
export const NOT_HELPFUL_TOPICS = 5;

/**
 * After "Not helpful" on the answer to `question`: the topics it is closest to (the one given left out), then the
 * most useful others, so there is always a choice. Picking one is a correction.
 */
export function presentNotHelpful(knowledge: Knowledge, question: string, answered: TopicId | null, options: PresentOptions = {}): NotHelpfulReply {
  const ranked = closestTopics(question, knowledge, { exclude: answered, max: NOT_HELPFUL_TOPICS });
  const known = new Set<TopicId>(knowledge.topics.map((t) => t.id));
  const ids = [...new Set([...ranked, ...usefulTopics(knowledge).topics].filter((t) => t !== answered && known.has(t)))].slice(0, NOT_HELPFUL_TOPICS);
  const reply: NotHelpfulReply = {
    kind: 'not-helpful',
    question,
    answered,
    message: 'Sorry that did not help. Which of these were you asking about? Your pick shows its answer and teaches me the question.',
    topics: topicLinks(knowledge, ids),
    actions: topicPickers(topicLinks(knowledge, ids), question),
    summary: 'Sorry that did not help: pick the topic you meant',
  };
  return options.askExpert ? withAskExpert(reply) : reply;
}

/**
 * The reply for one topic, chosen by id (a topic button): the answer as it stands, no matching involved. `also`: the
 * second topic of a question that asked two things (a button on that answer carries it), answered under it.
 */
export function presentTopic(knowledge: Knowledge, topic: string, question?: string, also?: string): AnswerReply | undefined {
  const t = findTopic(knowledge, topic);
  if (!t) return undefined;
  const second = also !== undefined && also !== topic ? findTopic(knowledge, also) : undefined;
  const reply = withAlso(topicAnswer(topicFacts(knowledge, t, question), question), second && topicFacts(knowledge, second, question), question);
  return { ...reply, actions: answerActions(reply) };
}

export const presentComparison = perKnowledge((knowledge): ComparisonReply => {
  const facts = allTopicFacts(knowledge);
  const rows = facts.map(rowOf);
  const sources = new Map<string, Source>();
  for (const f of facts) for (const s of f.sources) if (!sources.has(s.url)) sources.set(s.url, s);
  return {
    kind: 'comparison',
    title: `${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}`,
    legend: `${STATUS_ICON.yes} yes · ${STATUS_ICON.no} no · ${STATUS_ICON.partial} partly · ${STATUS_ICON.unconfirmed} not confirmed by a source`,
    rows,
    sources: [...sources.values()],
    lastVerified: facts.map((f) => f.lastVerified).sort()[0] ?? '',
    actions: comparisonActions(),
    summary: `${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}\n${rows.map((r) => rowSummary(r)).join('\n')}`,
  };
});

export const presentTopics = perKnowledge((knowledge): TopicsReply => ({
  kind: 'topics',
  rows: presentComparison(knowledge).rows,
  actions: startActions(),
  summary: 'Topics I know about',
}));

/**
 * The topics, most useful first: by the total weight of the customer needs that rest on each (needs.yml), then in
 * the knowledge's order. What a browsing surface lists when nothing was asked (Teams' message extension).
 */
export const usefulTopics = perKnowledge((knowledge): { topics: TopicId[] } => {
  const weight = new Map<string, number>();
  for (const n of knowledge.needs) weight.set(n.topic, (weight.get(n.topic) ?? 0) + n.weight);
  const rows = presentComparison(knowledge).rows.map((r, i) => ({ topic: r.topic, w: weight.get(r.topic) ?? 0, i }));
  return { topics: rows.sort((a, b) => b.w - a.w || a.i - b.i).map((r) => r.topic) };
});

const INTRO = `I answer one question: ${SETUP_NAMES.coexistence} (same number on the Business App and the API) or ${SETUP_NAMES['api-only']}? Ask me anything about the two setups and I answer for both, with sources.`;

export const presentHelp = perKnowledge((knowledge): HelpReply => ({
  kind: 'help',
  title: 'How to use the advisor',
  intro: INTRO,
  examples: knowledge.matching.examples,
  commands: COMMANDS.map((c) => ({ usage: c.argument ? `${c.words[0]} ${c.argument}` : c.words[0]!, what: c.what })),
  actions: startActions(),
  summary: 'How to use the advisor',
}));

export const presentGreeting = perKnowledge((knowledge): GreetingReply => ({
  kind: 'greeting',
  title: '👋 Hi!',
  text: `${INTRO} Try one of these:`,
  examples: knowledge.matching.examples,
  actions: startActions(),
  summary: 'Hi! Ask me about WhatsApp Co-Existence vs the WhatsApp Business API',
}));

/** The reply for a recommendation: what it says, the rows, sources and date that belong to it. */
export function presentRecommendation(rec: Recommendation, knowledge: Knowledge): RecommendationReply {
  const q = rec.requirements;
  const facts = [
    { label: 'Country', value: `${countryName(q.country)} (${q.country})` },
    ...(q.agents !== undefined ? [{ label: 'Agents', value: q.agents.toLocaleString('en-US') }] : []),
    ...(q.dailyMessages !== undefined ? [{ label: 'Messages/day', value: q.dailyMessages.toLocaleString('en-US') }] : []),
    ...(q.peakMps !== undefined ? [{ label: 'Peak MPS', value: q.peakMps.toLocaleString('en-US') }] : []),
  ];
  const sections: RecommendationSection[] = [{ id: 'why', title: 'Why', items: rec.reasons.map((r) => r.text) }];
  if (rec.conflicts.length) sections.push({ id: 'conflicts', title: 'Conflicts: asked for, not given by this setup', icon: '⚠️', attention: true, items: rec.conflicts.map((c) => c.text) });
  if (rec.unmet.length) sections.push({ id: 'unmet', title: 'Not met by either setup', icon: '⛔', attention: true, items: rec.unmet.map((u) => u.text) });
  if (rec.alternative) sections.push({ id: 'alternative', title: 'Alternative', icon: '💡', items: [rec.alternative.text] });
  if (rec.caveats.length) sections.push({ id: 'caveats', title: 'What changes on switching', items: rec.caveats.map((c) => c.text) });

  const all = presentComparison(knowledge).rows;
  const rows = rec.relevantTopics.map((id) => all.find((r) => r.topic === id)).filter((r): r is Row => r !== undefined);
  const sources = new Map<string, Source>();
  const dates: string[] = [];
  for (const row of rows) {
    const t = findTopic(knowledge, row.topic)!;
    dates.push(t.lastVerified);
    for (const ref of t.sources) {
      const s = knowledge.sources[ref];
      if (s && !sources.has(s.url)) sources.set(s.url, s);
    }
  }
  const lastVerified = dates.sort()[0];
  const who = q.customer ? ` for ${q.customer}` : '';
  return {
    kind: 'recommendation',
    setup: rec.setup,
    icon: rec.setup === 'coexistence' ? '📱' : '⚙️',
    setupTitle: SETUP_TITLE[rec.setup],
    ...(q.customer ? { customer: q.customer } : {}),
    confidence: { level: rec.confidence, text: CONFIDENCE_WORD[rec.confidence] },
    facts,
    needs: q.needs.map((id) => knowledge.needs.find((n) => n.id === id)?.label ?? id),
    sections,
    rows,
    rowsTitle: 'How the setups compare here',
    sources: [...sources.values()].slice(0, 8),
    ...(lastVerified ? { lastVerified } : {}),
    ...(q.notes ? { notes: q.notes } : {}),
    requirements: q,
    actions: recommendationActions(q),
    summary: `${SETUP_TITLE[rec.setup]} recommended${who} (${rec.confidence} confidence). ${rec.reasons[0]?.text ?? ''}`.trim(),
  };
}

/** The requirements form's choices. */
export const presentForm = perKnowledge((knowledge): RequirementsForm => {
  const offered = new Set(knowledge.offerPolicy.coexistence.countries);
  const countries = allCountries();
  const cap = knowledge.offerPolicy.coexistence.mps;
  return {
    offeredCountries: countries.filter((c) => offered.has(c.code)),
    otherCountries: countries.filter((c) => !offered.has(c.code)),
    needGroups: [...new Set(knowledge.needs.map((n) => n.group))].map((group) => ({
      group,
      needs: knowledge.needs.filter((n) => n.group === group).map((n) => ({ id: n.id, label: n.label })),
    })),
    coexistenceMps: cap,
    intro: `Tell me what the customer needs; I'll recommend a setup with reasons and trade-offs. Co-Existence is capped at ${cap} messages per second.`,
    peakHint: `Above ${cap} rules out Co-Existence.`,
  };
});

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A past recommendation opened from the history, in full: as it was made (the stored recommendation), drawn with
 * today's rows and sources, and marked with its id, when and by whom.
 */
export function presentPastRecommendation(past: PastRecommendation & { recommendation: Recommendation }, knowledge: Knowledge): RecommendationReply {
  const reply = presentRecommendation(past.recommendation, knowledge);
  return { ...reply, made: { id: past.id, when: utc(past.createdAt), by: { platform: past.platform, userId: past.userId } } };
}

/** A recommendation as the store gives it back, for the history (the fields it shows). */
export interface PastRecommendation {
  id: string;
  createdAt: Date;
  platform: string;
  userId: string;
  customer: string | null;
  setup: SetupId;
  confidence: Confidence;
  messageLink: string | null;
  requirements?: Requirements;
}

/** How many recommendations the history lists. */
export const HISTORY_LIMIT = 10;

const historyTitle = (customer: string | undefined) => (customer ? `Recent recommendations for “${customer}”` : 'Recent recommendations');

/** `history [customer]` as the router answers it: the surface looks the entries up, then calls presentHistory. */
export function historyRequest(customer?: string): HistoryReply {
  return {
    kind: 'history',
    ...(customer ? { customer } : {}),
    unavailable: 'The history is not available here.',
    title: historyTitle(customer),
    empty: '',
    summary: historyTitle(customer),
  };
}

/**
 * The history's reply: `past` newest first (as the store returns it), or `undefined` when it could not be read.
 * `scope`: whose entries the store was asked for, said in the reply (the command line lists everyone's).
 */
export function presentHistory(past: readonly PastRecommendation[] | undefined, customer?: string, scope?: HistoryScope): HistoryReply {
  const title = historyTitle(customer);
  const base = {
    kind: 'history' as const,
    ...(customer ? { customer } : {}),
    title,
    empty: customer ? 'No recommendations for a customer by that name that you can see yet.' : scope ? 'No recommendations that you can see yet.' : 'No recommendations yet.',
    ...(scope ? { whose: whoSees(scope) } : {}),
  };
  if (!past) return { ...base, unavailable: 'The history cannot be read right now (the store does not answer). Please try again in a minute.', summary: title };
  const entries: HistoryEntry[] = past.slice(0, HISTORY_LIMIT).map((r) => ({
    id: r.id,
    ...(r.customer ? { customer: r.customer } : {}),
    setup: r.setup,
    icon: r.setup === 'coexistence' ? '📱' : '⚙️',
    setupTitle: SETUP_TITLE[r.setup],
    confidence: { level: r.confidence, text: CONFIDENCE_WORD[r.confidence] },
    by: { platform: r.platform, userId: r.userId },
    when: utc(r.createdAt),
    ...(r.messageLink ? { link: r.messageLink } : {}),
    ...(r.requirements ? { requirements: r.requirements } : {}),
    actions: pastActions(r.id, r.requirements),
  }));
  return { ...base, entries, summary: entries.length ? `${title}: ${entries.length}` : base.empty };
}
