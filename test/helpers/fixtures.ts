import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ADDED_NEED_IDS, NEED_IDS, STATUSES, TOPIC_IDS, answer, loadKnowledgeFile, type Knowledge } from '../../src/index.ts';

// The one place that knows where the test fixtures are (test/fixtures/README.md says where each came from).
// Behaviour tests run on the frozen FIXTURE_KNOWLEDGE_FILE, never on the live src/knowledge/knowledge.yml.

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures');
export const FIXTURE_KNOWLEDGE_FILE = path.join(FIXTURES_DIR, 'knowledge.yml');
/** The knowledge as corrected by the audits of 2026-11-25 and 2026-12-07 (facts.md sections C and D), frozen: the corrections' own tests. */
export const CORRECTED_KNOWLEDGE_FILE = path.join(FIXTURES_DIR, 'knowledge-corrected/knowledge.yml');

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

let fixture: Knowledge | undefined;

/** The frozen fixture knowledge, loaded the way KNOWLEDGE_FILE is loaded. Shared: copy it before changing it. */
export function fixtureKnowledge(): Knowledge {
  if (!fixture) {
    const result = loadKnowledgeFile(FIXTURE_KNOWLEDGE_FILE);
    if (!result.ok) throw new Error(`${FIXTURE_KNOWLEDGE_FILE} is invalid:\n${result.problems.join('\n')}`);
    fixture = result.knowledge;
  }
  return fixture;
}

let corrected: Knowledge | undefined;

/** The frozen corrected knowledge (CORRECTED_KNOWLEDGE_FILE). Shared: copy it before changing it. */
export function correctedKnowledge(): Knowledge {
  if (!corrected) {
    const result = loadKnowledgeFile(CORRECTED_KNOWLEDGE_FILE);
    if (!result.ok) throw new Error(`${CORRECTED_KNOWLEDGE_FILE} is invalid:\n${result.problems.join('\n')}`);
    corrected = result.knowledge;
  }
  return corrected;
}

/**
 * What must hold for any knowledge that loaded, whatever its values: written independently of the loader's own
 * checks, so that a loader which lets something through is caught. Returns the problems found (none = fine).
 */
export function knowledgeInvariantProblems(kb: Knowledge): string[] {
  const problems: string[] = [];
  const sameSet = (what: string, actual: string[], expected: readonly string[]) => {
    const dupes = actual.filter((id, i) => actual.indexOf(id) !== i);
    if (dupes.length) problems.push(`${what}: ${dupes.join(', ')} more than once`);
    const missing = expected.filter((id) => !actual.includes(id));
    if (missing.length) problems.push(`${what}: missing ${missing.join(', ')}`);
    const unknown = actual.filter((id) => !expected.includes(id));
    if (unknown.length) problems.push(`${what}: unknown ${unknown.join(', ')}`);
  };
  // Every SPEC topic once; a knowledge owner may add topics of their own.
  const ids = kb.topics.map((t) => t.id);
  sameSet('topics', ids, [...TOPIC_IDS, ...ids.filter((id) => !(TOPIC_IDS as readonly string[]).includes(id))]);
  // Every SPEC need once; the needs added after the SPEC (ADDED_NEED_IDS) may be there too.
  const needIds = kb.needs.map((n) => n.id);
  sameSet('needs', needIds, [...NEED_IDS, ...ADDED_NEED_IDS.filter((id) => needIds.includes(id))]);

  const topics = new Set<string>(kb.topics.map((t) => t.id));
  const needs = new Set<string>(kb.needs.map((n) => n.id));
  const topic = (where: string, id: string) => topics.has(id) || problems.push(`${where}: unknown topic "${id}"`);
  const need = (where: string, id: string | undefined) => id === undefined || needs.has(id) || problems.push(`${where}: unknown need "${id}"`);
  const status = (where: string, s: string) => (STATUSES as readonly string[]).includes(s) || problems.push(`${where}: status "${s}"`);

  for (const [id, s] of Object.entries(kb.sources)) if (!/^https?:\/\/[^\s/]+\.[^\s/]+/.test(s.url)) problems.push(`sources.${id}: URL "${s.url}"`);
  for (const t of kb.topics) {
    if (t.sources.length === 0) problems.push(`topic ${t.id}: no sources`);
    for (const ref of t.sources) if (!(ref in kb.sources)) problems.push(`topic ${t.id}: unknown source "${ref}"`);
    status(`topic ${t.id} coexistence`, t.coexistence.status);
    status(`topic ${t.id} apiOnly`, t.apiOnly.status);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t.lastVerified) || Number.isNaN(Date.parse(t.lastVerified))) problems.push(`topic ${t.id}: lastVerified "${t.lastVerified}"`);
    if (!t.coexistence.answer.trim() || !t.apiOnly.answer.trim()) problems.push(`topic ${t.id}: an empty answer`);
  }
  for (const n of kb.needs) {
    topic(`need ${n.id}`, n.topic);
    status(`need ${n.id} coexistence`, n.coexistence);
    status(`need ${n.id} apiOnly`, n.apiOnly);
  }
  for (const side of ['coexistence', 'apiOnly'] as const) {
    kb.caveats[side].forEach((c, i) => {
      topic(`caveats.${side}[${i}]`, c.topic);
      need(`caveats.${side}[${i}]`, c.need);
    });
  }
  topic('matching.overviewTopic', kb.matching.overviewTopic);
  for (const id of Object.keys(kb.matching.phrasings)) topic(`matching.phrasings.${id}`, id);
  const rank = { no: 0, unconfirmed: 0.5, partial: 1, yes: 2 } as const;
  for (const n of kb.needs) {
    const t = kb.topics.find((x) => x.id === n.topic);
    for (const side of ['coexistence', 'apiOnly'] as const) {
      if (!t) continue;
      // A need follows its topic, or is narrower than it and says why.
      if (n[side] !== t[side].status && !(n.narrower?.[side] && n.narrower.why && rank[n[side]] < rank[t[side].status])) problems.push(`need ${n.id} ${side}: "${n[side]}" vs topic "${t[side].status}"`);
    }
  }
  for (const t of kb.topics) for (const side of ['coexistence', 'apiOnly'] as const) if (/\{\{/.test(t[side].answer + t[side].details)) problems.push(`topic ${t.id} ${side}: an unfilled placeholder`);
  const { coexistence, apiOnly } = kb.offerPolicy;
  if (!(coexistence.mps > 0) || !(apiOnly.defaultMps > 0) || apiOnly.maxMps < apiOnly.defaultMps) problems.push('offerPolicy: MPS figures');
  for (const c of coexistence.countries) if (!/^[A-Z]{2}$/.test(c)) problems.push(`offerPolicy.coexistence.countries: "${c}"`);
  return problems;
}

/** The help article, row by row, mapped to the topics and needs that cover it (test/fixtures/help-article-map.yml). */
export interface HelpArticleMap {
  overview: { says: string; topic: string; verdict: string }[];
  comparison: { row: string; topic: string; coexistence?: string; apiOnly?: string; verdict: string }[];
  chooseCoexistence: { item: number; says: string; need?: string; topic: string; verdict: string }[];
  chooseApiOnly: { item: number; says: string; need?: string; topic: string; verdict: string }[];
  rightSetup: { want: string; setup: 'coexistence' | 'api-only'; needs: string[] }[];
  useCases: { name: string; setup: 'coexistence' | 'api-only'; summary: string; requirements: Record<string, unknown> }[];
}

export function helpArticleMap(): HelpArticleMap {
  return parse(fixtureText('help-article-map.yml')) as HelpArticleMap;
}

/** Where the help article map points at a topic or need the knowledge does not have. */
export function helpArticleMapProblems(kb: Knowledge, map: HelpArticleMap = helpArticleMap()): string[] {
  const problems: string[] = [];
  const topics = new Set(kb.topics.map((t) => t.id));
  const needs = new Set<string>(kb.needs.map((n) => n.id));
  const topic = (where: string, id: string) => topics.has(id) || problems.push(`${where}: unknown topic "${id}"`);
  const need = (where: string, id: string | undefined) => id === undefined || needs.has(id) || problems.push(`${where}: unknown need "${id}"`);
  map.overview.forEach((o, i) => topic(`overview[${i}]`, o.topic));
  map.comparison.forEach((c, i) => topic(`comparison[${i}]`, c.topic));
  for (const list of ['chooseCoexistence', 'chooseApiOnly'] as const) {
    map[list].forEach((c, i) => {
      topic(`${list}[${i}]`, c.topic);
      need(`${list}[${i}]`, c.need);
    });
  }
  map.rightSetup.forEach((r, i) => r.needs.forEach((n) => need(`rightSetup[${i}]`, n)));
  return problems;
}

/**
 * Vague questions, each spanning two topics. The matcher is retrained as staff's phrasings are added, and a
 * question it is unsure of today may be read surely tomorrow; the tests of "Which do you mean?" take the first of
 * these the router asks back ("Which do you mean?": a command word such as "history" at the start is a command, not
 * a question), and fail, saying so, when none is left.
 */
export const VAGUE_QUESTIONS = [
  'backup and history',
  'old messages and backups',
  'chat backups and old messages',
  'status and disappearing',
  'disappearing and status',
  'ringing phone stuff on app',
  'phone and app thing',
  'calls status backups',
  'old chats and status',
  'disappearing or revoke',
  'templates and pricing',
  'verification and pricing',
  'groups and broadcast',
  'price and mps',
  // Naming a setup keeps a question on our domain when Slack markup ("<!channel>") is appended to it.
  'calls status backups on coex',
  'api calls and status',
  'coexistence status and disappearing',
] as const;

/** The n-th (0, 1, …) of VAGUE_QUESTIONS that `isUnsure` holds for. */
export function vagueQuestion(isUnsure: (question: string) => boolean, n = 0): string {
  const found = VAGUE_QUESTIONS.filter((q) => isUnsure(q));
  if (found.length <= n) throw new Error(`fewer than ${n + 1} of VAGUE_QUESTIONS read as unsure by the current matcher: add vaguer ones to test/helpers/fixtures.ts`);
  return found[n]!;
}

/**
 * Messages that ask two things. The clarify tests on every surface need one whose parts are each read surely while
 * the whole reads as unsure (two topics compete); the matcher is retrained as phrasings are added, so they take the
 * first of these that does so today (twoTopicsQuestion), and fail, saying so, when none is left.
 */
export const TWO_TOPICS_QUESTIONS = [
  'can we still get the green tick, also how many messages per second?',
  'do groups still work after we connect? also what does an api message cost?',
  'can we keep the green tick, also do disappearing messages still work?',
  'will calls still work after coex; and how many messages per second can we send?',
] as const;

/** The first of TWO_TOPICS_QUESTIONS answered with a second topic while the whole reads as unsure (under `below`). */
export function twoTopicsQuestion(kb: Knowledge, below: number): string {
  const found = TWO_TOPICS_QUESTIONS.find((q) => {
    const r = answer(q, kb);
    return r.topic !== null && r.also !== undefined && r.confidence < below;
  });
  if (!found) throw new Error('none of TWO_TOPICS_QUESTIONS reads as two sure parts of an unsure whole: add one to test/helpers/fixtures.ts');
  return found;
}

/**
 * Questions near our domain that no topic answers, each faintly like one topic: the tests of a decline that shows
 * the closest topics take the first the matcher declines with topics to offer, and fail, saying so, when none is left.
 */
export const NEAR_DOMAIN_QUESTIONS = [
  'can the dashboard transcribe voice notes customers send us?',
  'can we auto-translate voice notes from customers',
  'does the inbox show a typing indicator when the customer is typing',
  'can agents see the customer call history in the dashboard',
] as const;

/** The first of NEAR_DOMAIN_QUESTIONS that `declinedWithTopics` holds for. */
export function nearDomainQuestion(declinedWithTopics: (question: string) => boolean): string {
  const found = NEAR_DOMAIN_QUESTIONS.find((q) => declinedWithTopics(q));
  if (!found) throw new Error('none of NEAR_DOMAIN_QUESTIONS is declined with closest topics by the current matcher: add one to test/helpers/fixtures.ts');
  return found;
}
