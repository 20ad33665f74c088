import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILT_IN_KNOWLEDGE_FILE, answer, builtInKnowledge, recommend, validateRequirements, type AnswerResult, type Knowledge } from '../src/index.ts';
import { clarifyTopics } from '../src/present/clarify.ts';

// npm run eval: scores the public question and scenario sets in ../shared/eval (SHARED_DIR overrides ../shared)
// against the live built-in knowledge. Prints each set's score and every miss; exits 1 under the bar.
// In a fresh clone without ../shared it scores the frozen copies in test/fixtures/ instead, and says so: the same
// sets as copied on the date test/fixtures/README.md gives. A SHARED_DIR that is set but lacks a set is an error.
// The same scoring functions are used by the behaviour tests, on those frozen copies.

export const BAR = { questionsTop1: 0.95, offTopicRejected: 1, scenarios: 1 } as const;
export const SETS = { questions: 'questions.public.jsonl', scenarios: 'scenarios.public.jsonl' } as const;

export interface Question {
  q: string;
  /** Acceptable top-1 topics; `null` means "off-topic: must get no topic". */
  topics: (string | null)[];
  /** Who wrote it and to which brief, and how it is written (blind batches carry them; optional). */
  writer?: string;
  brief?: string;
  style?: string;
}

/**
 * An answer naming a wrong topic at this confidence or above, presented as the answer (not asked back with "Which do
 * you mean?"), reads as sure: the costliest miss.
 */
export const CONFIDENTLY_WRONG = 0.5;

export interface Scenario {
  name: string;
  req: Record<string, unknown>;
  expect?: string;
  expectConflict?: boolean;
  expectUnmet?: boolean;
}

export interface QuestionScore {
  total: number;
  hits: number;
  rate: number;
  offTopic: { total: number; rejected: number };
  /** The right topic answered, or shown as an alternative; for an off-topic question, declined. */
  offered: number;
  /** A wrong topic answered at confidence ≥ CONFIDENTLY_WRONG. */
  confidentlyWrong: number;
  /** Per style tag (when the lines carry one): total, top-1 hits, offered. */
  byStyle: Record<string, { total: number; hits: number; offered: number }>;
  misses: string[];
}

/**
 * How one answer fares against a question's labels: `hit` (top-1: one of its topics, or none for an off-topic
 * question), `offered` (the right topic answered, offered as an alternative or answered second; for an off-topic
 * question, declined) and `confidentlyWrong` (a wrong topic presented as the answer at CONFIDENTLY_WRONG or above).
 * The one judgement `npm run score`, `npm run eval` and `npm run train -- --cv` use.
 */
export function judge(result: AnswerResult, topics: (string | null)[]): { hit: boolean; offered: boolean; confidentlyWrong: boolean } {
  const hit = topics.includes(result.topic);
  const offTopic = topics.length > 0 && topics.every((t) => t === null);
  const offered = hit || (!offTopic && (result.alternatives.some((t) => topics.includes(t)) || (result.topic !== null && result.also !== undefined && topics.includes(result.also.topic))));
  const confidentlyWrong = !hit && result.topic !== null && result.confidence >= CONFIDENTLY_WRONG && !clarifyTopics(result);
  return { hit, offered, confidentlyWrong };
}

/** Top-1: a question scores when answer() picks one of its topics; an off-topic question when it picks none. */
export function scoreQuestions(questions: Question[], kb: Knowledge): QuestionScore {
  const misses: string[] = [];
  let offTopic = 0;
  let rejected = 0;
  let offered = 0;
  let confidentlyWrong = 0;
  const byStyle: QuestionScore['byStyle'] = {};
  for (const q of questions) {
    const result = answer(q.q, kb);
    const got = result.topic;
    const isOffTopic = q.topics.length > 0 && q.topics.every((t) => t === null);
    if (isOffTopic) {
      offTopic++;
      if (got === null) rejected++;
    }
    const { hit, offered: shown, confidentlyWrong: sureButWrong } = judge(result, q.topics);
    if (shown) offered++;
    // Asked back ("Which do you mean?") is not an answer: only a wrong topic presented as the answer reads as sure.
    if (sureButWrong) confidentlyWrong++;
    const style = (byStyle[q.style ?? 'untagged'] ??= { total: 0, hits: 0, offered: 0 });
    style.total++;
    if (hit) style.hits++;
    if (shown) style.offered++;
    if (!hit) misses.push(`${JSON.stringify(q.q)}: expected ${q.topics.map(String).join(' or ')}, got ${got} (${result.confidence.toFixed(2)}${result.alternatives.length ? `; offered ${result.alternatives.join(', ')}` : ''})`);
  }
  const total = questions.length;
  return { total, hits: total - misses.length, rate: total === 0 ? 0 : (total - misses.length) / total, offTopic: { total: offTopic, rejected }, offered, confidentlyWrong, byStyle, misses };
}

/** What is wrong with the recommendation for one scenario (empty: it passes). */
export function scenarioProblems(s: Scenario, kb: Knowledge): string[] {
  const valid = validateRequirements(s.req);
  if (!valid.ok) return [`requirements are invalid: ${valid.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`];
  const r = recommend(valid.requirements, kb);
  const problems: string[] = [];
  if (s.expect && r.setup !== s.expect) problems.push(`expected ${s.expect}, got ${r.setup}`);
  if (s.expectConflict && r.conflicts.length === 0) problems.push('expected a conflict, got none');
  if (s.expectUnmet && r.unmet.length === 0) problems.push('expected an unmet need, got none');
  if (r.reasons.length === 0) problems.push('gave no reason');
  return problems;
}

export function scoreScenarios(scenarios: Scenario[], kb: Knowledge): { total: number; passed: number; rate: number; misses: string[] } {
  const misses = scenarios.flatMap((s) => {
    const problems = scenarioProblems(s, kb);
    return problems.length ? [`${s.name}: ${problems.join('; ')}`] : [];
  });
  const total = scenarios.length;
  return { total, passed: total - misses.length, rate: total === 0 ? 0 : (total - misses.length) / total, misses };
}

/** A JSON Lines file, blank lines skipped; a bad line is named by file and line number. */
export function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as T;
      } catch (err) {
        throw new Error(`${file}:${n}: not valid JSON: ${(err as Error).message}`);
      }
    });
}

export interface EvalOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  /** Defaults to the live built-in knowledge. */
  knowledge?: Knowledge;
  knowledgeName?: string;
  /** Where the shared folder is when SHARED_DIR is unset (default ../shared beside the repository). */
  defaultShared?: string;
}

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The frozen copies of the public sets (test/fixtures/README.md says when they were copied). */
const FIXTURE_SETS_DIR = path.join(REPO_ROOT, 'test', 'fixtures');
const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** Runs the evaluation and returns the exit code: 0 at or above the bar, 1 otherwise. */
export function runEval(options: EvalOptions = {}): number {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const chosen = env.SHARED_DIR !== undefined && env.SHARED_DIR.trim() !== '';
  const shared = chosen ? path.resolve(env.SHARED_DIR!) : path.resolve(options.defaultShared ?? path.resolve(REPO_ROOT, '../shared'));
  const dir = path.join(shared, 'eval');
  const inShared = { questions: path.join(dir, SETS.questions), scenarios: path.join(dir, SETS.scenarios) };
  const absent = Object.values(inShared).filter((f) => !existsSync(f));
  if (absent.length > 0 && chosen) {
    out(`eval: FAIL: SHARED_DIR=${env.SHARED_DIR} has no ${absent.map((f) => path.relative(shared, f)).join(' and ')} (unset SHARED_DIR to use ../shared/eval, or the frozen copies in test/fixtures/ when that is absent too).`);
    return 1;
  }
  // Each set from ../shared/eval when it is there, else its frozen copy in test/fixtures/.
  const files = { questions: inShared.questions, scenarios: inShared.scenarios };
  for (const key of ['questions', 'scenarios'] as const) {
    if (existsSync(files[key])) out(`eval: ${key}: ${files[key]}`);
    else {
      files[key] = path.join(FIXTURE_SETS_DIR, SETS[key]);
      out(`eval: ${key}: ${path.relative(REPO_ROOT, files[key])} (the frozen copy; ${inShared[key]} not found)`);
    }
    if (!existsSync(files[key])) {
      out(`eval: FAIL: ${files[key]} not found either: there is nothing to score.`);
      return 1;
    }
  }

  const kb = options.knowledge ?? builtInKnowledge();
  out(`eval: ${options.knowledgeName ?? path.relative(REPO_ROOT, BUILT_IN_KNOWLEDGE_FILE)} against the sets above`);
  const failures: string[] = [];

  const q = scoreQuestions(jsonLines<Question>(files.questions), kb);
  const offRate = q.offTopic.total === 0 ? 1 : q.offTopic.rejected / q.offTopic.total;
  out(`${SETS.questions}: ${q.hits}/${q.total} top-1 (${pct(q.rate)}, bar ${pct(BAR.questionsTop1)}); off-topic rejected ${q.offTopic.rejected}/${q.offTopic.total} (bar ${pct(BAR.offTopicRejected)})`);
  for (const m of q.misses) out(`  miss: ${m}`);
  if (q.total === 0) failures.push(`${SETS.questions} is empty`);
  if (q.rate < BAR.questionsTop1) failures.push(`questions top-1 ${pct(q.rate)} < ${pct(BAR.questionsTop1)}`);
  if (offRate < BAR.offTopicRejected) failures.push(`off-topic rejected ${pct(offRate)} < ${pct(BAR.offTopicRejected)}`);

  const s = scoreScenarios(jsonLines<Scenario>(files.scenarios), kb);
  out(`${SETS.scenarios}: ${s.passed}/${s.total} (${pct(s.rate)}, bar ${pct(BAR.scenarios)})`);
  for (const m of s.misses) out(`  miss: ${m}`);
  if (s.total === 0) failures.push(`${SETS.scenarios} is empty`);
  if (s.rate < BAR.scenarios) failures.push(`scenarios ${pct(s.rate)} < ${pct(BAR.scenarios)}`);

  out(failures.length ? `eval: FAIL: ${failures.join('; ')}` : 'eval: PASS');
  return failures.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = runEval();
  } catch (err) {
    process.stderr.write(`eval: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
