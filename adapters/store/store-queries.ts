import { createHash } from 'node:crypto';
import type { Compilable, Kysely, Selectable } from 'kysely';
// The threshold itself, not the core's index: the writer thread loads this module and needs nothing else of the core.
import { LOW_CONFIDENCE } from '../../src/matching/thresholds.ts';
import { DAY_MS } from '../../src/time.ts';
import { DummyDriver, Kysely as KyselyClass, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from './kysely.ts';
import { migrateToLatest, pendingMigrations, type MigrationOutcome } from './migrations.ts';
import {
  MAX_REF_CHARS,
  MAX_STORED_QUESTION_CHARS,
  cap,
  newFeedbackId,
  normaliseRecommendationId,
  questionKey,
  type FeedbackRecord,
  type Platform,
  type QuestionRecord,
  type RecommendationRecord,
  type StoredQuestion,
  type StoredRecommendation,
} from './records.ts';
import type { Database, RecommendationsTable, SourceChangesTable, SourcePagesTable } from './schema.ts';
import type { RecordBatch } from './recorder.ts';
import type { ConversationRef, CorrectionRef, HistoryQuery, PruneCounts, RecheckCounts, RecheckNoted, Report, SourcePage, SourcePageExpected, SourcePageState, Store, StoreTarget, StoredVerification, TrainingLine, VerificationRecord } from './store.ts';
import { SOURCE_CHANGES_DAYS } from './store.ts';
import type { SourceChange, SourceChangeKind } from '../../src/index.ts';
import { FeedbackTally, REPORT_LINES, TrainingTally, questionOf } from './report-lines.ts';
import { ExpertQuestions } from './expert-questions.ts';
import { LONG_QUERY_DEADLINE_MS, QUERY_DEADLINE_MS, type QueryDeadline } from './query-deadline.ts';

/** Keys longer than this are stored as their SHA-256: the key column stays small and indexable. */
const MAX_KEY_CHARS = 200;
const storedKey = (key: string): string => (key.length <= MAX_KEY_CHARS ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`);

// The store's queries, written once in Kysely for SQLite and PostgreSQL. Only constructs both understand:
// INSERT … ON CONFLICT (upsert, with a WHERE on the update), RETURNING, LIKE … ESCAPE, count(column).

const PAGE = 500;
/** How far back the report looks for Needs a change marks (one made since the topic's last verification is listed). */
const VERIFICATION_MARKS_DAYS = 365;
/** Feedback rows read per page by the report, the review and the training lines (all of them, a page at a time). */
const FEEDBACK_PAGE = 2000;

const ref = (value: string | null | undefined): string | null => (value == null || value === '' ? null : cap(String(value), MAX_REF_CHARS));

/** `50% off_x!` → `50!% off!_x!!`: the customer search matches the text literally. */
const likeLiteral = (text: string): string => text.replace(/[!%_]/g, (c) => `!${c}`);

function toRecommendation(row: Selectable<RecommendationsTable>): StoredRecommendation {
  const detail = JSON.parse(row.detail);
  return {
    id: row.id,
    createdAt: new Date(Number(row.created_at)),
    platform: row.platform as Platform,
    userId: row.user_id,
    workspace: row.workspace ?? null,
    channelId: row.channel_id,
    messageRef: row.message_ref,
    messageLink: row.message_link,
    customer: row.customer,
    setup: row.setup as StoredRecommendation['setup'],
    confidence: row.confidence as StoredRecommendation['confidence'],
    summary: row.summary,
    requirements: JSON.parse(row.requirements),
    knowledgeVersion: row.knowledge_version,
    recommendation: detail,
    basis: readBasis(row.basis),
  };
}

/** What a recheck note told its thread, or undefined when it does not read (the recheck then compares with the recommendation as posted). */
function readNoted(text: string | null): RecheckNoted | undefined {
  if (!text) return undefined;
  try {
    const noted = JSON.parse(text) as Partial<RecheckNoted> | null;
    return noted && typeof noted === 'object' && noted.recommendation && typeof noted.recommendation === 'object' && noted.basis && typeof noted.basis === 'object' ? (noted as RecheckNoted) : undefined;
  } catch {
    return undefined;
  }
}

/** The stored basis, or null when there is none or it does not read (the recheck then compares lines). */
function readBasis(text: string | null | undefined): StoredRecommendation['basis'] {
  if (!text) return null;
  try {
    const basis = JSON.parse(text) as unknown;
    return basis && typeof basis === 'object' && !Array.isArray(basis) ? (basis as StoredRecommendation['basis']) : null;
  } catch {
    return null;
  }
}

/** What a page's row may hold: validators and dates as the page sent them, cut to sane sizes. */
const PAGE_FIELD_CHARS = { url: 2000, validator: 300, date: 100, error: 500 } as const;
const capped = (value: string | null, max: number): string | null => (value == null ? null : cap(value, max));

function toSourcePage(row: Selectable<SourcePagesTable>): SourcePage {
  const at = (v: number | null) => (v == null ? null : new Date(Number(v)));
  return {
    url: row.url,
    sourceId: row.source_id,
    etag: row.etag,
    lastModified: row.last_modified,
    contentHash: row.content_hash,
    updatedDate: row.updated_date,
    checkedAt: new Date(Number(row.checked_at)),
    changedAt: at(row.changed_at),
    failedAt: at(row.failed_at),
    lastError: row.last_error,
  };
}

function toSourceChange(row: Selectable<SourceChangesTable>): SourceChange {
  return {
    url: row.url,
    sourceId: row.source_id,
    changedAt: new Date(Number(row.changed_at)),
    kind: row.kind as SourceChangeKind,
    updatedBefore: row.updated_before,
    updatedAfter: row.updated_after,
  };
}

// The recorder's writes, built once here for both paths: run by KyselyStore.record*() (inline), or compiled on the
// main thread by compileWrites() and run as SQL text by the writer thread (writer-thread.ts), which so needs no Kysely.
// Each builder returns the statements in the order they must run.

function questionWrites(db: Kysely<Database>, rows: QuestionRecord[], now: number): Compilable[] {
  if (rows.length === 0) return [];
  return [
    db
      .insertInto('questions')
      .values(
        rows.map((q) => {
          const text = cap(q.text, MAX_STORED_QUESTION_CHARS);
          return {
            id: q.id,
            created_at: q.at ?? now,
            platform: q.platform,
            user_id: cap(q.userId, MAX_REF_CHARS),
            text,
            text_key: questionKey(text),
            topic: q.topic,
            confidence: Number.isFinite(q.confidence) ? q.confidence : 0,
          };
        }),
      )
      .onConflict((oc) => oc.column('id').doNothing()),
  ];
}

function recommendationWrites(db: Kysely<Database>, rows: RecommendationRecord[], now: number): Compilable[] {
  return rows.map((r) => {
    const rec = r.recommendation;
    const customer = rec.requirements.customer?.trim() || null;
    const values = {
      id: normaliseRecommendationId(r.id),
      created_at: r.at ?? now,
      platform: r.platform,
      user_id: cap(r.userId, MAX_REF_CHARS),
      workspace: ref(r.workspace),
      channel_id: ref(r.channelId),
      message_ref: ref(r.messageRef),
      message_link: r.messageLink ? cap(r.messageLink, 2000) : null,
      customer,
      customer_key: customer?.toLowerCase() ?? null,
      setup: rec.setup,
      confidence: rec.confidence,
      summary: rec.summary,
      requirements: JSON.stringify(rec.requirements),
      detail: JSON.stringify(rec),
      knowledge_version: r.knowledgeVersion,
      basis: r.basis ? JSON.stringify(r.basis) : null,
    };
    const { id: _id, created_at: _at, ...changes } = values;
    return db
      .insertInto('recommendations')
      .values(values)
      .onConflict((oc) => oc.column('id').doUpdateSet(changes));
  });
}

function feedbackWrites(db: Kysely<Database>, rows: FeedbackRecord[], now: number): Compilable[] {
  if (rows.length === 0) return [];
  return [
    db
      .insertInto('feedback')
      .values(
        rows.map((f) => ({
          id: f.id ?? newFeedbackId(),
          created_at: f.at ?? now,
          platform: f.platform,
          user_id: cap(f.userId, MAX_REF_CHARS),
          target: f.target,
          target_id: cap(f.target === 'recommendation' ? normaliseRecommendationId(f.targetId) : f.targetId, MAX_REF_CHARS),
          rating: f.rating,
          topic: f.topic ?? null,
          question: f.question ? cap(f.question, MAX_STORED_QUESTION_CHARS) : null,
          reviewed_at: null,
          review: null,
          reviewed_by: null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing()),
  ];
}

/** A statement as the writer thread runs it: SQL text in the store's dialect, and its parameters. */
export interface CompiledWrite {
  sql: string;
  parameters: readonly unknown[];
}

/** Kysely without a connection (DummyDriver), one per dialect: it only turns the builders above into SQL text. */
const compilers = new Map<StoreTarget['kind'], Kysely<Database>>();
function compiler(kind: StoreTarget['kind']): Kysely<Database> {
  let db = compilers.get(kind);
  if (!db) {
    db = new KyselyClass<Database>({
      dialect:
        kind === 'sqlite'
          ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler() }
          : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() },
    });
    compilers.set(kind, db);
  }
  return db;
}

/** A batch as the statements KyselyStore.record*() would run, in the same order (questions, recommendations, feedback). */
export function compileWrites(kind: StoreTarget['kind'], batch: RecordBatch, now = Date.now()): CompiledWrite[] {
  const db = compiler(kind);
  return [...questionWrites(db, batch.questions, now), ...recommendationWrites(db, batch.recommendations, now), ...feedbackWrites(db, batch.feedback, now)].map((w) => {
    const { sql: text, parameters } = w.compile();
    return { sql: text, parameters };
  });
}

export class KyselyStore implements Store {
  readonly experts: ExpertQuestions;

  constructor(
    readonly kind: StoreTarget['kind'],
    readonly where: string,
    private readonly db: Kysely<Database>,
    private readonly deadline: QueryDeadline = { ms: QUERY_DEADLINE_MS },
  ) {
    this.experts = new ExpertQuestions(db);
  }

  /** Runs `work` with the long query deadline (migrations and the prune may touch every row). */
  private async long<T>(work: () => Promise<T>): Promise<T> {
    const usual = this.deadline.ms;
    this.deadline.ms = Math.max(usual, LONG_QUERY_DEADLINE_MS);
    try {
      return await work();
    } finally {
      this.deadline.ms = usual;
    }
  }

  async migrate(): Promise<MigrationOutcome> {
    return this.long(async () => migrateToLatest(this.db, await this.schema()));
  }

  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.db, await this.schema());
  }

  /** PostgreSQL: the schema the connection's search_path resolves to (where the tables are made). */
  private async schema(): Promise<string | undefined> {
    if (this.kind !== 'postgres') return undefined;
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(this.db);
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('the PostgreSQL search_path names no existing schema: create it, or fix the options in DATABASE_URL');
    return schema;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async recordQuestions(rows: QuestionRecord[]): Promise<void> {
    await this.run(questionWrites(this.db, rows, Date.now()));
  }

  async recordRecommendations(rows: RecommendationRecord[]): Promise<void> {
    await this.run(recommendationWrites(this.db, rows, Date.now()));
  }

  async recordFeedback(rows: FeedbackRecord[]): Promise<void> {
    await this.run(feedbackWrites(this.db, rows, Date.now()));
  }

  private async run(writes: Compilable[]): Promise<void> {
    for (const w of writes) await this.db.executeQuery(w.compile());
  }

  async claim(key: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    // New key: inserted, ours. Existing but expired: taken over, ours. Existing and live: nothing returned. On
    // PostgreSQL a concurrent insert of the same key waits for the first to commit, then sees it live.
    const row = await this.db
      .insertInto('dedupe_keys')
      .values({ key: storedKey(key), expires_at: now + Math.max(1, Math.round(ttlMs)) })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
          .where('dedupe_keys.expires_at', '<=', now),
      )
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async release(key: string): Promise<void> {
    await this.db.deleteFrom('dedupe_keys').where('key', '=', storedKey(key)).execute();
  }

  prune(retentionDays: number, now = Date.now()): Promise<PruneCounts> {
    const cutoff = now - retentionDays * DAY_MS;
    const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
    return this.long(async () => ({
      questions: deleted(await this.db.deleteFrom('questions').where('created_at', '<', cutoff).executeTakeFirst()),
      recommendations: deleted(await this.db.deleteFrom('recommendations').where('created_at', '<', cutoff).executeTakeFirst()),
      feedback: deleted(await this.db.deleteFrom('feedback').where('created_at', '<', cutoff).executeTakeFirst()),
      dedupeKeys: deleted(await this.db.deleteFrom('dedupe_keys').where('expires_at', '<=', now).executeTakeFirst()),
      recheckNotes: deleted(await this.db.deleteFrom('recheck_notes').where('created_at', '<', cutoff).executeTakeFirst()),
      expertQuestions: deleted(await this.db.deleteFrom('expert_questions').where('asked_at', '<', cutoff).executeTakeFirst()),
      sourceChanges: deleted(await this.db.deleteFrom('source_changes').where('changed_at', '<', Math.min(cutoff, now - SOURCE_CHANGES_DAYS * DAY_MS)).executeTakeFirst()),
      verificationReminders: deleted(await this.db.deleteFrom('verification_reminders').where('claimed_at', '<', cutoff).executeTakeFirst()),
      recheckRuns: deleted(await this.db.deleteFrom('recheck_runs').where('finished_at', 'is not', null).where('started_at', '<', cutoff).executeTakeFirst()),
      conversationRefs: deleted(await this.db.deleteFrom('conversation_refs').where('updated_at', '<', cutoff).executeTakeFirst()),
    }));
  }

  async history(query: HistoryQuery): Promise<StoredRecommendation[]> {
    let q = this.db.selectFrom('recommendations').selectAll();
    const customer = query.customer?.trim().toLowerCase();
    if (customer) q = q.where(sql<boolean>`customer_key like ${`%${likeLiteral(customer)}%`} escape '!'`);
    if (query.since) q = q.where('created_at', '>=', query.since.getTime());
    if (query.scope !== 'all') {
      // The rule of src/present/scope.ts (maySee), as SQL: same platform; a row without a workspace only for its
      // maker; in the viewer's workspace, their own, those in their conversations, or all for a lead.
      const s = query.scope;
      q = q.where('platform', '=', s.platform).where((eb) => {
        const legacy = eb.and([eb('workspace', 'is', null), eb('user_id', '=', s.userId)]);
        if (s.workspace === null) return legacy;
        const visible = s.all ? [] : [eb('user_id', '=', s.userId), ...(s.conversations.length > 0 ? [eb('channel_id', 'in', [...s.conversations])] : [])];
        return eb.or([legacy, eb.and([eb('workspace', '=', s.workspace), ...(s.all ? [] : [eb.or(visible)])])]);
      });
    }
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), 1000);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRecommendation);
  }

  async recommendation(id: string): Promise<StoredRecommendation | undefined> {
    const row = await this.db.selectFrom('recommendations').selectAll().where('id', '=', normaliseRecommendationId(id)).executeTakeFirst();
    return row ? toRecommendation(row) : undefined;
  }

  async *exportRecommendations(since: Date): AsyncIterable<StoredRecommendation> {
    let after: { at: number; id: string } | undefined;
    for (;;) {
      let q = this.db.selectFrom('recommendations').selectAll().where('created_at', '>=', since.getTime());
      if (after) {
        const { at, id } = after;
        q = q.where((eb) => eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]));
      }
      const rows = await q.orderBy('created_at').orderBy('id').limit(PAGE).execute();
      for (const row of rows) yield toRecommendation(row);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { at: Number(last.created_at), id: last.id };
    }
  }

  async *exportQuestions(since: Date): AsyncIterable<StoredQuestion> {
    let after: { at: number; id: string } | undefined;
    for (;;) {
      let q = this.db.selectFrom('questions').selectAll().where('created_at', '>=', since.getTime());
      if (after) {
        const { at, id } = after;
        q = q.where((eb) => eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', id)])]));
      }
      const rows = await q.orderBy('created_at').orderBy('id').limit(PAGE).execute();
      for (const row of rows) {
        yield {
          id: row.id,
          createdAt: new Date(Number(row.created_at)),
          platform: row.platform as Platform,
          userId: row.user_id,
          question: row.text,
          topic: row.topic,
          confidence: Number(row.confidence),
        };
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { at: Number(last.created_at), id: last.id };
    }
  }

  async report(since: Date): Promise<Report> {
    const from = since.getTime();
    const totals = await this.db
      .selectFrom('questions')
      .select((eb) => [eb.fn.countAll<number>().as('questions'), eb.fn.count<number>('topic').as('answered')])
      .where('created_at', '>=', from)
      .executeTakeFirstOrThrow();

    const unanswered = await this.db
      .selectFrom('questions')
      .select((eb) => [eb.fn.min('text').as('question'), eb.fn.countAll<number>().as('count')])
      .where('created_at', '>=', from)
      .where('topic', 'is', null)
      .groupBy('text_key')
      .orderBy('count', 'desc')
      .orderBy('text_key')
      .limit(REPORT_LINES)
      .execute();

    const lowConfidence = await this.db
      .selectFrom('questions')
      .select((eb) => [eb.fn.min('text').as('question'), 'topic', eb.fn.countAll<number>().as('count')])
      .where('created_at', '>=', from)
      .where('topic', 'is not', null)
      .where('confidence', '<', LOW_CONFIDENCE)
      .groupBy(['text_key', 'topic'])
      .orderBy('count', 'desc')
      .orderBy('text_key')
      .limit(REPORT_LINES)
      .execute();

    // The feedback is grouped in report-lines.ts (richer than SQL's GROUP BY: question keys, review states), every row
    // of the period a page at a time.
    const tally = new FeedbackTally();
    for await (const row of this.feedbackRows({ since: from })) tally.add(row);
    const { feedback, notHelpful, corrections } = tally.result();
    const experts = await this.experts.report(from, REPORT_LINES);

    return {
      since,
      questions: Number(totals.questions),
      answered: Number(totals.answered),
      unanswered: unanswered.map((r) => ({ question: String(r.question), count: Number(r.count) })),
      lowConfidence: lowConfidence.map((r) => ({ question: String(r.question), topic: String(r.topic), count: Number(r.count) })),
      feedback,
      notHelpful,
      corrections,
      expertQuestions: experts.open.map((l) => ({ question: l.question, askedAt: new Date(l.askedAt), ...(l.error ? { error: l.error } : {}) })),
      newTopics: experts.newTopics.map((l) => ({ question: l.question, ...(l.answer ? { answer: l.answer } : {}) })),
      sourcesChanged: await this.sourceChangesSince(since),
      verification: {
        verified: await this.latestVerifications(),
        needsChange: (await this.verificationsSince(new Date(from - VERIFICATION_MARKS_DAYS * DAY_MS)))
          .filter((v) => v.verdict === 'needs-change')
          .map((v) => ({ topic: v.topic, platform: v.platform, userId: v.userId, at: new Date(v.at) })),
      },
    };
  }

  /**
   * Feedback rows since `since`, oldest first, with the question each is about, read a page at a time (keyset on
   * created_at and id): every row, whatever their number, in pages of FEEDBACK_PAGE.
   */
  private async *feedbackRows(filter: { since: number; rating?: 'correction'; picked?: string; review?: string }) {
    let after: { at: number; id: string } | undefined;
    for (;;) {
      let q = this.db
        .selectFrom('feedback as f')
        .leftJoin('questions as q', (join) => join.onRef('q.id', '=', 'f.target_id').on('f.target', '=', 'answer'))
        .select(['f.id', 'f.created_at', 'f.rating', 'f.topic as picked', 'f.question as ownQuestion', 'q.text as storedQuestion', 'q.topic as answered', 'f.review'])
        .where('f.created_at', '>=', filter.since);
      if (filter.rating !== undefined) q = q.where('f.rating', '=', filter.rating);
      if (filter.picked !== undefined) q = q.where('f.topic', '=', filter.picked);
      if (filter.review !== undefined) q = q.where('f.review', '=', filter.review);
      const from = after;
      if (from) q = q.where((eb) => eb.or([eb('f.created_at', '>', from.at), eb.and([eb('f.created_at', '=', from.at), eb('f.id', '>', from.id)])]));
      const rows = await q.orderBy('f.created_at').orderBy('f.id').limit(FEEDBACK_PAGE).execute();
      yield* rows;
      if (rows.length < FEEDBACK_PAGE) return;
      const last = rows.at(-1)!;
      after = { at: Number(last.created_at), id: last.id };
    }
  }

  async reviewCorrections(ref: CorrectionRef, verdict: 'accepted' | 'dismissed', reviewer: string, now = Date.now()): Promise<number> {
    const key = questionKey(ref.question);
    const ids: string[] = [];
    for await (const row of this.feedbackRows({ since: 0, rating: 'correction', picked: ref.picked })) if (questionKey(questionOf(row)) === key) ids.push(row.id);
    for (let i = 0; i < ids.length; i += PAGE) {
      await this.db
        .updateTable('feedback')
        .set({ review: verdict, reviewed_at: now, reviewed_by: cap(reviewer, MAX_REF_CHARS) })
        .where('id', 'in', ids.slice(i, i + PAGE))
        .execute();
    }
    return ids.length;
  }

  async trainingLines(since: Date): Promise<TrainingLine[]> {
    const tally = new TrainingTally();
    for await (const row of this.feedbackRows({ since: since.getTime(), rating: 'correction', review: 'accepted' })) tally.add({ question: questionOf(row), picked: row.picked, at: Number(row.created_at) });
    return tally.result();
  }

  async saveConversationRef(r: ConversationRef): Promise<void> {
    const row = {
      key: cap(r.key, MAX_KEY_CHARS),
      platform: r.platform,
      kind: r.kind,
      service_url: cap(r.serviceUrl, MAX_REF_CHARS),
      tenant_id: ref(r.tenantId),
      conversation_id: ref(r.conversationId),
      user_id: ref(r.userId),
      bot_id: ref(r.botId),
      updated_at: r.updatedAt,
    };
    const { key: _key, ...update } = row;
    await this.db.insertInto('conversation_refs').values(row).onConflict((oc) => oc.column('key').doUpdateSet(update)).execute();
  }

  async conversationRef(key: string): Promise<ConversationRef | undefined> {
    const row = await this.db.selectFrom('conversation_refs').selectAll().where('key', '=', cap(key, MAX_KEY_CHARS)).executeTakeFirst();
    return row ? toConversationRef(row) : undefined;
  }

  async conversationRefs(kind: ConversationRef['kind'], limit: number): Promise<ConversationRef[]> {
    const rows = await this.db.selectFrom('conversation_refs').selectAll().where('kind', '=', kind).orderBy('updated_at', 'desc').limit(Math.max(1, Math.min(limit, 1000))).execute();
    return rows.map(toConversationRef);
  }

  async claimRecheckRun(knowledgeVersion: string, staleMs: number, now = Date.now()): Promise<boolean> {
    // New version: inserted, ours. Started long ago and never finished: taken over, ours. Otherwise another replica's.
    const row = await this.db
      .insertInto('recheck_runs')
      .values({ knowledge_version: knowledgeVersion, started_at: now, finished_at: null, checked: null, changed: null, noted: null, failed: null })
      .onConflict((oc) =>
        oc
          .column('knowledge_version')
          .doUpdateSet({ started_at: (eb) => eb.ref('excluded.started_at') })
          .where('recheck_runs.finished_at', 'is', null)
          .where('recheck_runs.started_at', '<=', now - staleMs),
      )
      .returning('knowledge_version')
      .executeTakeFirst();
    return row !== undefined;
  }

  async recordVerification(v: VerificationRecord): Promise<void> {
    await this.db
      .insertInto('verifications')
      .values({
        id: newFeedbackId(v.at),
        topic: cap(v.topic, MAX_REF_CHARS),
        verdict: v.verdict,
        verified_by: cap(v.userId, MAX_REF_CHARS),
        platform: v.platform,
        verified_at: v.at,
        knowledge_version: cap(v.knowledgeVersion, MAX_REF_CHARS),
      })
      .execute();
  }

  async latestVerifications(): Promise<{ topic: string; at: number }[]> {
    const rows = await this.db
      .selectFrom('verifications')
      .select((eb) => ['topic', eb.fn.max('verified_at').as('at')])
      .where('verdict', '=', 'verified')
      .groupBy('topic')
      .orderBy('topic')
      .execute();
    return rows.map((r) => ({ topic: r.topic, at: Number(r.at) }));
  }

  async verificationsSince(since: Date): Promise<StoredVerification[]> {
    const rows = await this.db.selectFrom('verifications').selectAll().where('verified_at', '>=', since.getTime()).orderBy('verified_at').orderBy('id').limit(5000).execute();
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      verdict: r.verdict === 'needs-change' ? 'needs-change' : 'verified',
      platform: r.platform === 'teams' ? 'teams' : 'slack',
      userId: r.verified_by,
      at: Number(r.verified_at),
      knowledgeVersion: r.knowledge_version,
    }));
  }

  async claimReminder(topic: string, dueOn: string, now = Date.now()): Promise<boolean> {
    const row = await this.db
      .insertInto('verification_reminders')
      .values({ topic: cap(topic, MAX_REF_CHARS), due_on: dueOn, claimed_at: now })
      .onConflict((oc) => oc.columns(['topic', 'due_on']).doNothing())
      .returning('topic')
      .executeTakeFirst();
    return row !== undefined;
  }

  async finishRecheckRun(knowledgeVersion: string, counts: RecheckCounts, now = Date.now()): Promise<void> {
    await this.db.updateTable('recheck_runs').set({ finished_at: now, ...counts }).where('knowledge_version', '=', knowledgeVersion).execute();
  }

  async releaseRecheckRun(knowledgeVersion: string): Promise<void> {
    await this.db.deleteFrom('recheck_runs').where('knowledge_version', '=', knowledgeVersion).where('finished_at', 'is', null).execute();
  }

  async lastRecheckNotes(since: Date): Promise<Map<string, RecheckNoted>> {
    const rows = await this.db
      .selectFrom('recheck_notes')
      .select(['recommendation_id', 'noted'])
      .where('created_at', '>=', since.getTime())
      .where('outcome', '!=', 'failed')
      .where('noted', 'is not', null)
      .orderBy('created_at')
      .orderBy('knowledge_version')
      .execute();
    const out = new Map<string, RecheckNoted>();
    for (const row of rows) {
      const noted = readNoted(row.noted);
      if (noted) out.set(row.recommendation_id, noted); // oldest first: the newest note wins
    }
    return out;
  }

  async claimRecheckNote(recommendationId: string, knowledgeVersion: string, now = Date.now(), noted?: RecheckNoted): Promise<boolean> {
    const row = await this.db
      .insertInto('recheck_notes')
      .values({ recommendation_id: normaliseRecommendationId(recommendationId), knowledge_version: knowledgeVersion, created_at: now, outcome: 'sending', message_ref: null, error: null, noted: noted ? JSON.stringify(noted) : null })
      .onConflict((oc) => oc.columns(['recommendation_id', 'knowledge_version']).doNothing())
      .returning('recommendation_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async settleRecheckNote(recommendationId: string, knowledgeVersion: string, outcome: { ok: true; ref: string } | { ok: false; error: string }): Promise<void> {
    await this.db
      .updateTable('recheck_notes')
      .set(outcome.ok ? { outcome: 'sent', message_ref: ref(outcome.ref) } : { outcome: 'failed', error: cap(outcome.error, 1000) })
      .where('recommendation_id', '=', normaliseRecommendationId(recommendationId))
      .where('knowledge_version', '=', knowledgeVersion)
      .execute();
  }

  async sourcePages(): Promise<SourcePage[]> {
    return (await this.db.selectFrom('source_pages').selectAll().orderBy('url').execute()).map(toSourcePage);
  }

  async saveSourcePage(state: SourcePageState, expected: SourcePageExpected, change: { kind: SourceChangeKind; updatedBefore: string | null } | undefined, now: number): Promise<boolean> {
    const url = cap(state.url, PAGE_FIELD_CHARS.url);
    const fields = {
      source_id: capped(state.sourceId, PAGE_FIELD_CHARS.validator),
      etag: capped(state.etag, PAGE_FIELD_CHARS.validator),
      last_modified: capped(state.lastModified, PAGE_FIELD_CHARS.validator),
      content_hash: state.contentHash,
      updated_date: capped(state.updatedDate, PAGE_FIELD_CHARS.date),
      checked_at: now,
      failed_at: null,
      last_error: null,
      ...(change ? { changed_at: now } : {}),
    };
    let moved: { url: string } | undefined;
    if (expected === 'absent') {
      moved = await this.db
        .insertInto('source_pages')
        .values({ url, changed_at: null, ...fields })
        .onConflict((oc) => oc.column('url').doNothing())
        .returning('url')
        .executeTakeFirst();
    } else {
      // Compare and set: only if the page is still as this replica read it.
      let q = this.db.updateTable('source_pages').set(fields).where('url', '=', url);
      q = expected.contentHash === null ? q.where('content_hash', 'is', null) : q.where('content_hash', '=', expected.contentHash);
      q = expected.updatedDate === null ? q.where('updated_date', 'is', null) : q.where('updated_date', '=', expected.updatedDate);
      moved = await q.returning('url').executeTakeFirst();
    }
    if (!moved) return false;
    if (change) {
      await this.db
        .insertInto('source_changes')
        .values({ url, changed_at: now, source_id: fields.source_id, kind: change.kind, updated_before: capped(change.updatedBefore, PAGE_FIELD_CHARS.date), updated_after: fields.updated_date })
        .onConflict((oc) => oc.columns(['url', 'changed_at']).doNothing())
        .execute();
    }
    return true;
  }

  async touchSourcePage(url: string, validators: { etag: string | null; lastModified: string | null }, now: number): Promise<void> {
    await this.db
      .updateTable('source_pages')
      .set({ checked_at: now, failed_at: null, last_error: null, ...(validators.etag !== null ? { etag: capped(validators.etag, PAGE_FIELD_CHARS.validator) } : {}), ...(validators.lastModified !== null ? { last_modified: capped(validators.lastModified, PAGE_FIELD_CHARS.validator) } : {}) })
      .where('url', '=', cap(url, PAGE_FIELD_CHARS.url))
      .execute();
  }

  async sourcePageFailed(url: string, sourceId: string | null, error: string, now: number): Promise<void> {
    const failed = { checked_at: now, failed_at: now, last_error: cap(error, PAGE_FIELD_CHARS.error) };
    await this.db
      .insertInto('source_pages')
      .values({ url: cap(url, PAGE_FIELD_CHARS.url), source_id: capped(sourceId, PAGE_FIELD_CHARS.validator), etag: null, last_modified: null, content_hash: null, updated_date: null, changed_at: null, ...failed })
      .onConflict((oc) => oc.column('url').doUpdateSet(failed))
      .execute();
  }

  async sourceChangesSince(since: Date, limit = 1000): Promise<SourceChange[]> {
    // Newest first: with more than `limit` (a noisy page), the recent changes are the ones kept.
    const rows = await this.db.selectFrom('source_changes').selectAll().where('changed_at', '>=', since.getTime()).orderBy('changed_at', 'desc').orderBy('url').limit(limit).execute();
    return rows.map(toSourceChange);
  }

  async releaseReminder(topic: string, dueOn: string): Promise<void> {
    await this.db.deleteFrom('verification_reminders').where('topic', '=', topic).where('due_on', '=', dueOn).execute();
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

function toConversationRef(row: Selectable<Database['conversation_refs']>): ConversationRef {
  return {
    key: row.key,
    platform: 'teams',
    kind: row.kind as ConversationRef['kind'],
    serviceUrl: row.service_url,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    botId: row.bot_id,
    updatedAt: Number(row.updated_at),
  };
}
