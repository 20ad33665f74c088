import type { Command } from 'commander';
import { REPORT_DAYS, SETUP_NAMES, dayString, laterDate, verificationSections, type Knowledge } from '../../src/index.ts';
import { loadStoreConfig } from '../config.ts';
import type { StoredQuestion, StoredRecommendation } from '../store/records.ts';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { questionKey } from '../store/records.ts';
import type { Report, Store, TrainingLine } from '../store/store.ts';
import { DAY_MS, HOUR_MS } from '../../src/time.ts';

// The command line's view of the store: history, the knowledge owner's report, exports, and `db migrate`. They
// read DATA_DIR / DATABASE_URL like the server. The store (and its drivers) is loaded only when one of these runs.

export interface StoreCommandsIo {
  out: (text: string) => void;
  env: () => NodeJS.ProcessEnv;
  /** Stops the command as bad input (exit code 2) with this message. */
  badInput: (message: string) => never;
  /** The knowledge the CLI answers from (KNOWLEDGE_FILE or the built-in one): `recheck` recomputes under it. */
  knowledge: () => Knowledge;
}

const UNITS: Record<string, number> = { h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** `30d`, `12h`, `2w`, or a date (`2026-11-01`, or a full ISO time): the start of the period. Undefined when unreadable. */
export function parseSince(text: string, now = Date.now()): Date | undefined {
  const t = text.trim().toLowerCase();
  const m = t.match(/^(\d{1,6})\s*([hdw])$/);
  if (m) return new Date(now - Number(m[1]) * UNITS[m[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}([t ][\d:.]+(z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const at = new Date(t.length === 10 ? `${t}T00:00:00Z` : t.toUpperCase().replace(' ', 'T'));
    if (!Number.isNaN(at.getTime())) return at;
  }
  return undefined;
}

/** Control characters and bidi overrides from stored user text must not steer the terminal. */
const plain = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');

const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function registerStoreCommands(program: Command, io: StoreCommandsIo): void {
  const since = (text: string | undefined, fallback: string): Date => {
    const value = text ?? fallback;
    const at = parseSince(value);
    if (!at) io.badInput(`--since "${value.slice(0, 40)}" is not a period: use a duration such as 30d, 12h or 2w, or a date such as 2026-11-01.`);
    return at;
  };

  /** Opens the store named by the environment; reading commands never create one. */
  async function withStore<T>(mode: 'read' | 'migrate', work: (store: Store) => Promise<T>): Promise<T> {
    const loaded = loadStoreConfig(io.env());
    if (!loaded.ok) io.badInput(`The store's configuration has problems:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}`);
    const { openStore, StoreMissing } = await import('../store/store.ts');
    let store: Store;
    try {
      store = await openStore(loaded.store.target, { create: mode === 'migrate' });
    } catch (err) {
      if (err instanceof StoreMissing) io.badInput(err.message);
      throw err;
    }
    try {
      if (mode === 'read') {
        let pending: string[];
        try {
          pending = await store.pendingMigrations();
        } catch (err) {
          throw new Error(`cannot read the ${store.kind} store at ${store.where}: ${(err as Error).message}`);
        }
        if (pending.length > 0) io.badInput(`The store at ${store.where} needs migrations (${pending.join(', ')}): run \`coexist-advisor db migrate\`, or start the server once.`);
      }
      return await work(store);
    } finally {
      await store.close();
    }
  }

  program
    .command('history')
    .description('past recommendations, newest first (reads DATA_DIR / DATABASE_URL)')
    .option('--customer <text>', 'only customers whose name contains this text (any case)')
    .option('--since <period>', 'how far back: 30d, 12h, 2w or a date (default 30d)')
    .option('--limit <n>', 'at most this many (default 50, at most 1000)')
    .option('--json', 'print JSON: an array of {id, customer, setup, confidence, createdAt, platform, ...}')
    .action(async (o: { customer?: string; since?: string; limit?: string; json?: boolean }) => {
      const from = since(o.since, '30d');
      const limit = o.limit === undefined ? 50 : Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) io.badInput('--limit must be a whole number from 1 to 1000.');
      const rows = await withStore('read', (store) => store.history({ scope: 'all', since: from, limit, ...(o.customer ? { customer: o.customer } : {}) }));
      if (o.json) return io.out(JSON.stringify(rows.map(historyJson), null, 2));
      if (rows.length === 0) return io.out(`No recommendations since ${when(from)}${o.customer ? ` for customers matching "${plain(o.customer)}"` : ''}.`);
      io.out(rows.map(historyLine).join('\n'));
    });

  program
    .command('report')
    .description("the knowledge owner's report: questions asked, the share answered, unanswered and low-confidence questions, feedback and corrections")
    .option('--since <period>', 'how far back: 7d, 12h, 2w or a date (default 7d; with --export-training, all time)')
    .option('--json', 'print JSON: {questions, answered, unanswered: [{question, count}], ...}')
    .option('--export-training', "accepted corrections as lines of the matcher's training set ({q, topics} JSON lines)")
    .option('--out <file>', 'with --export-training: append the lines not already in this file (e.g. src/knowledge/training/corrections.jsonl)')
    .option('--export-verifications', "per topic, the lastVerified to write back into its file: the later of the file's date and the newest Still correct in the store (with --json: [{topic, file, lastVerified, fileLastVerified, storedLastVerified, changed}])")
    .action(async (o: { since?: string; json?: boolean; exportTraining?: boolean; out?: string; exportVerifications?: boolean }) => {
      if (o.out !== undefined && !o.exportTraining) io.badInput('--out goes with --export-training.');
      if (o.exportVerifications) {
        if (o.exportTraining || o.since !== undefined) io.badInput('--export-verifications goes alone (with --json at most): it exports every topic\'s date.');
        const knowledge = io.knowledge?.();
        if (!knowledge) io.badInput('--export-verifications needs the knowledge file (KNOWLEDGE_FILE or the built-in one).');
        const latest = await withStore('read', (store) => store.latestVerifications());
        const rows = verificationExport(knowledge, latest);
        if (o.json) return io.out(JSON.stringify(rows, null, 2));
        return io.out(formatVerificationExport(rows));
      }
      if (o.exportTraining) {
        if (o.json) io.badInput('--export-training prints JSON lines already: leave out --json.');
        const from = o.since === undefined ? new Date(0) : since(o.since, `${REPORT_DAYS}d`);
        const lines = await withStore('read', (store) => store.trainingLines(from));
        if (o.out === undefined) {
          if (lines.length > 0) io.out(lines.map((l) => JSON.stringify(l)).join('\n'));
          return;
        }
        return io.out(appendTrainingLines(o.out, lines));
      }
      const from = since(o.since, `${REPORT_DAYS}d`);
      const report = await withStore('read', (store) => store.report(from));
      if (o.json) return io.out(JSON.stringify({ ...report, since: report.since.toISOString() }, null, 2));
      io.out(formatReport(report));
      const knowledge = io.knowledge?.();
      if (knowledge && report.verification) io.out(formatVerificationSections(knowledge, report.verification));
    });

  program
    .command('export')
    .description('every recommendation or question in a period, to standard output (reads DATA_DIR / DATABASE_URL)')
    .argument('<what>', 'recommendations or questions')
    .option('--since <period>', 'how far back: 30d, 12h, 2w or a date (default 30d)')
    .option('--format <format>', 'csv or jsonl (default csv)')
    .action(async (what: string, o: { since?: string; format?: string }) => {
      if (what !== 'recommendations' && what !== 'questions') io.badInput(`Export "${what.slice(0, 40)}"? Choose recommendations or questions.`);
      const format = (o.format ?? 'csv').toLowerCase();
      if (format !== 'csv' && format !== 'jsonl') io.badInput(`--format must be csv or jsonl, not "${(o.format ?? '').slice(0, 40)}".`);
      const from = since(o.since, '30d');
      const { stringify } = await import('csv-stringify/sync');
      await withStore('read', async (store) => {
        const rows: AsyncIterable<Record<string, unknown>> = what === 'recommendations' ? mapRows(store.exportRecommendations(from), recommendationRow) : mapRows(store.exportQuestions(from), questionRow);
        let header = true;
        const lines: string[] = [];
        const emit = () => {
          if (lines.length > 0) io.out(lines.join(''));
          lines.length = 0;
        };
        for await (const row of rows) {
          if (format === 'jsonl') lines.push(`${JSON.stringify(row)}\n`);
          else {
            lines.push(stringify([Object.values(row).map(csvCell)], header ? { header: true, columns: Object.keys(row) } : {}));
            header = false;
          }
          if (lines.length >= 500) emit();
        }
        if (header && format === 'csv') lines.push(stringify([], { header: true, columns: Object.keys(what === 'recommendations' ? RECOMMENDATION_COLUMNS : QUESTION_COLUMNS) }));
        emit();
      });
    });

  program
    .command('recheck')
    .description('stored recommendations whose verdict changes under the current knowledge (KNOWLEDGE_FILE or the built-in one); posts nothing')
    .option('--since <period>', 'how far back: 90d, 12h, 2w or a date (default RECHECK_DAYS days, 90)')
    .option('--json', 'print JSON: an array of {id, customer, before: {setup, confidence}, after: {setup, confidence}, changed: [...], facts: [...]}')
    .action(async (o: { since?: string; json?: boolean }) => {
      const loaded = loadStoreConfig(io.env());
      if (!loaded.ok) io.badInput(`The store's configuration has problems:\n${loaded.problems.map((p) => `  ${p}`).join('\n')}`);
      const from = since(o.since, `${loaded.store.recheckDays}d`);
      const knowledge = io.knowledge();
      const [{ recheckSince, recheckJson }, { knowledgeVersion }] = await Promise.all([import('../store/recheck.ts'), import('../store/knowledge-version.ts')]);
      const { checked, changed } = await withStore('read', (store) => recheckSince(store, knowledge, from));
      const version = knowledgeVersion(knowledge);
      if (o.json) return io.out(JSON.stringify(changed.map((r) => recheckJson(r, version)), null, 2));
      if (changed.length === 0) return io.out(`Checked ${checked} recommendation${checked === 1 ? '' : 's'} since ${when(from)}: every verdict stands under knowledge ${version}.`);
      const lines = [`Checked ${checked} recommendation${checked === 1 ? '' : 's'} since ${when(from)}; ${changed.length} would change under knowledge ${version}:`];
      for (const { stored: s, result: r } of changed) {
        lines.push(
          '',
          `${s.id}  ${when(s.createdAt)}  ${s.customer ? plain(s.customer) : '(no customer named)'}: ${SETUP_NAMES[r.before.setup]}, ${r.before.confidence} → ${SETUP_NAMES[r.after.setup]}, ${r.after.confidence}  (changed: ${r.changed.join(', ')})`,
          ...r.facts.map((f) => `  fact: ${f}`),
          ...r.verdict.map((v) => `  ${v}`),
        );
      }
      lines.push('', 'After a deploy with this knowledge, the server posts a note in each posted recommendation\'s thread (once per recommendation and knowledge version).');
      io.out(lines.join('\n'));
    });

  program
    .command('db')
    .description('the store: `db migrate` brings its schema up to date (the server also migrates at start)')
    .argument('<action>', 'migrate')
    .action(async (action: string) => {
      if (action !== 'migrate') io.badInput(`db ${action.slice(0, 40)}? The only action is: db migrate.`);
      const outcome = await withStore('migrate', async (store) => ({ where: store.where, ...(await store.migrate()) }));
      io.out(outcome.applied.length > 0 ? `Migrated ${outcome.where}: applied ${outcome.applied.join(', ')}.` : `${outcome.where} is up to date.`);
    });
}

async function* mapRows<T>(rows: AsyncIterable<T>, map: (row: T) => Record<string, unknown>): AsyncIterable<Record<string, unknown>> {
  for await (const row of rows) yield map(row);
}

function historyJson(r: StoredRecommendation) {
  return {
    id: r.id,
    customer: r.customer,
    setup: r.setup,
    confidence: r.confidence,
    createdAt: r.createdAt.toISOString(),
    platform: r.platform,
    userId: r.userId,
    workspace: r.workspace,
    channelId: r.channelId,
    messageRef: r.messageRef,
    messageLink: r.messageLink,
    summary: r.summary,
    knowledgeVersion: r.knowledgeVersion,
    requirements: r.requirements,
  };
}

function historyLine(r: StoredRecommendation): string {
  const customer = r.customer ? plain(r.customer) : '(no customer named)';
  return `${r.id}  ${when(r.createdAt)}  ${r.platform.padEnd(5)}  ${customer}: ${SETUP_NAMES[r.setup] ?? r.setup}, ${r.confidence} confidence  (by ${plain(r.userId)})`;
}

const RECOMMENDATION_COLUMNS = { id: '', createdAt: '', platform: '', userId: '', channelId: '', messageRef: '', customer: '', setup: '', confidence: '', knowledgeVersion: '', requirements: '' };
const QUESTION_COLUMNS = { id: '', createdAt: '', platform: '', userId: '', question: '', topic: '', confidence: '' };

function recommendationRow(r: StoredRecommendation): Record<keyof typeof RECOMMENDATION_COLUMNS, unknown> {
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    platform: r.platform,
    userId: r.userId,
    channelId: r.channelId,
    messageRef: r.messageRef,
    customer: r.customer,
    setup: r.setup,
    confidence: r.confidence,
    knowledgeVersion: r.knowledgeVersion,
    requirements: JSON.stringify(r.requirements),
  };
}

function questionRow(q: StoredQuestion): Record<keyof typeof QUESTION_COLUMNS, unknown> {
  return { id: q.id, createdAt: q.createdAt.toISOString(), platform: q.platform, userId: q.userId, question: q.question, topic: q.topic, confidence: q.confidence };
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula. Which characters
 * split cells depends on the spreadsheet and its locale (Excel splits on ";" in much of Europe, and a cell it was
 * told to read as text may still be split on a tab or a line break), so the check is not made on the first
 * character only: wherever one of those characters starts the text or follows a , ; tab or line break, an apostrophe
 * goes before it, so it is shown, never run ("calls;=2+3;" → "calls;'=2+3;"). Quoting itself is csv-stringify's.
 */
function csvCell(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? '';
  return value.replace(FORMULA_START, "$1'");
}
const FORMULA_START = /(^|[,;\t\r\n])(?=[=+\-@\t\r])/g;

/**
 * Appends to a training file the lines whose question it does not hold yet (case, spacing and trailing punctuation
 * ignored, as the report groups them). Returns what it did, for the terminal.
 */
function appendTrainingLines(file: string, lines: TrainingLine[]): string {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const known = new Set<string>();
  for (const line of existing.split('\n')) {
    try {
      const parsed = JSON.parse(line) as { q?: unknown };
      if (typeof parsed.q === 'string') known.add(questionKey(parsed.q));
    } catch {
      // Not a JSON line (blank, or a comment): the training loader reports those, not us.
    }
  }
  const fresh = lines.filter((l) => !known.has(questionKey(l.q)));
  if (fresh.length > 0) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    appendFileSync(file, `${existing === '' || existing.endsWith('\n') ? '' : '\n'}${fresh.map((l) => JSON.stringify(l)).join('\n')}\n`);
  }
  const skipped = lines.length - fresh.length;
  if (lines.length === 0) return 'No accepted corrections yet: accept them in the report (Slack App Home, or `report` in a Teams chat with the bot).';
  return [
    `${fresh.length} new training line${fresh.length === 1 ? '' : 's'} added to ${file}${skipped > 0 ? ` (${skipped} already there)` : ''}.`,
    ...(fresh.length > 0 ? ['Next: `npm run train`, then `npx coexist-advisor check-knowledge` and `npm test`, then deploy.'] : []),
  ].join('\n');
}

function formatReport(r: Report): string {
  const share = r.questions > 0 ? Math.round((r.answered / r.questions) * 100) : 0;
  const lines = [`Since ${when(r.since)}: ${r.questions} question${r.questions === 1 ? '' : 's'}, ${r.answered} answered (${share}%).`];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push('', title, ...items.map((i) => `  ${i}`));
  };
  section('Unanswered (no topic found), most asked first:', r.unanswered.map((u) => `${u.count}×  ${plain(u.question)}`));
  section('Answered with low confidence:', r.lowConfidence.map((u) => `${u.count}×  ${plain(u.question)}  → ${u.topic}`));
  lines.push('', `Feedback: ${r.feedback.helpful} helpful, ${r.feedback.notHelpful} not helpful, ${r.feedback.corrections} correction${r.feedback.corrections === 1 ? '' : 's'}.`);
  section('Not helpful:', r.notHelpful.map((u) => `${u.count}×  ${plain(u.question)}  (answered ${u.topic ?? 'with no topic'})`));
  section('Corrections (asked X, picked topic Y):', r.corrections.map((c) => `${c.count}×  "${plain(c.question)}"  ${c.answered ?? 'no topic'} → ${c.picked}  [${c.review}]`));
  section('Asked an expert, not answered (or not delivered):', (r.expertQuestions ?? []).map((e) => `${when(e.askedAt)}  ${plain(e.question)}${e.error ? `  (${plain(e.error)})` : ''}`));
  section('Needs a new topic (marked by an expert):', (r.newTopics ?? []).map((e) => plain(e.question)));
  if (r.corrections.some((c) => c.review === 'accepted')) lines.push('', 'Accepted corrections become training lines: `coexist-advisor report --export-training --out src/knowledge/training/corrections.jsonl`.');
  if (r.unanswered.length > 0 || r.corrections.length > 0) {
    lines.push('', 'Add the missing phrasings to the knowledge (README, "Changing the facts"), check it with `coexist-advisor check-knowledge`, then deploy.');
  }
  return lines.join('\n');
}

/** One topic's date to write back (report --export-verifications). */
export interface VerificationExportRow {
  topic: string;
  /** The topic's file, relative to knowledge.yml's folder (a folder layout: topics/<id>.yml). */
  file: string;
  /** What to write: the later of the file's date and the stored one. */
  lastVerified: string;
  fileLastVerified: string;
  /** The newest Still correct in the store (UTC day), or null. */
  storedLastVerified: string | null;
  /** Whether the file needs the new date. */
  changed: boolean;
}

export function verificationExport(knowledge: Knowledge, latest: readonly { topic: string; at: number }[]): VerificationExportRow[] {
  const stored = new Map(latest.map((v) => [v.topic, dayString(v.at)]));
  return knowledge.topics.map((t) => {
    const day = stored.get(t.id);
    const lastVerified = laterDate(t.lastVerified, day);
    return { topic: t.id, file: `topics/${t.id}.yml`, lastVerified, fileLastVerified: t.lastVerified, storedLastVerified: day ?? null, changed: lastVerified !== t.lastVerified };
  });
}

export function formatVerificationExport(rows: readonly VerificationExportRow[]): string {
  const changed = rows.filter((r) => r.changed);
  const width = Math.max(...rows.map((r) => r.file.length)) + 2;
  const lines = rows.map((r) => `  ${r.file.padEnd(width)}lastVerified: ${r.lastVerified}${r.changed ? `   (was ${r.fileLastVerified}; Still correct stored ${r.storedLastVerified})` : ''}`);
  return [
    "Each topic's lastVerified: the later of its file's date and the newest Still correct in the store.",
    changed.length ? `Write the ${changed.length} changed date${changed.length > 1 ? 's' : ''} into the files (marked "was"), then check-knowledge and deploy:` : 'Every file already has its date: nothing to write back.',
    ...lines,
  ].join('\n');
}

/** The report's verification sections (src/present/verification.ts) as terminal text: every line, not the apps' first few. */
export function formatVerificationSections(knowledge: Knowledge, v: NonNullable<Report['verification']>, now = Date.now()): string {
  const state = { today: dayString(now), verified: new Map(v.verified.map((x) => [x.topic, dayString(x.at)])) };
  const lines: string[] = [];
  for (const section of verificationSections(knowledge, state, v.needsChange, Number.MAX_SAFE_INTEGER)) {
    lines.push('', `${section.title}:`, ...(section.lines.length ? section.lines.map((l) => `  ${plain(l.question)}${(l.count ?? 1) > 1 ? ` (${l.count}×)` : ''}: ${l.note ?? ''}`) : [`  ${section.empty}`]));
  }
  return lines.join('\n').replace(/^\n/, '');
}
