import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NEED_IDS, STATUSES, TOPIC_IDS, loadKnowledgeFile, type Knowledge } from '../../src/index.ts';

// The one place that knows where the test fixtures are (test/fixtures/README.md says where each came from).
// Behaviour tests run on the frozen FIXTURE_KNOWLEDGE_FILE, never on the live src/knowledge/knowledge.yml.

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures');
export const FIXTURE_KNOWLEDGE_FILE = path.join(FIXTURES_DIR, 'knowledge.yml');
/** The knowledge as corrected by the 2026-11-25 audit (facts.md section C), frozen: the corrections' own tests. */
export const CORRECTED_KNOWLEDGE_FILE = path.join(FIXTURES_DIR, 'knowledge.corrected.yml');

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
  sameSet('topics', kb.topics.map((t) => t.id), TOPIC_IDS);
  sameSet('needs', kb.needs.map((n) => n.id), NEED_IDS);

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
  const ha = kb.helpArticle;
  ha.overview.forEach((o, i) => topic(`helpArticle.overview[${i}]`, o.topic));
  ha.comparison.forEach((c, i) => topic(`helpArticle.comparison[${i}]`, c.topic));
  for (const list of ['chooseCoexistence', 'chooseApiOnly'] as const) {
    ha[list].forEach((c, i) => {
      topic(`helpArticle.${list}[${i}]`, c.topic);
      need(`helpArticle.${list}[${i}]`, c.need);
    });
  }
  ha.rightSetup.forEach((r, i) => r.needs.forEach((n) => need(`helpArticle.rightSetup[${i}]`, n)));
  const { coexistence, apiOnly } = kb.offerPolicy;
  if (!(coexistence.mps > 0) || !(apiOnly.defaultMps > 0) || apiOnly.maxMps < apiOnly.defaultMps) problems.push('offerPolicy: MPS figures');
  for (const c of coexistence.countries) if (!/^[A-Z]{2}$/.test(c)) problems.push(`offerPolicy.coexistence.countries: "${c}"`);
  return problems;
}
