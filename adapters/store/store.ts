import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { StoreConfig } from '../config.ts';
import { STORE_FILE_NAME } from '../store-file.ts';
import type { MigrationOutcome } from './migrations.ts';
import type { FeedbackRecord, QuestionRecord, RecommendationRecord, StoredQuestion, StoredRecommendation } from './records.ts';
import type { Database } from './schema.ts';
import type { ExpertQuestions } from './expert-questions.ts';
import type { Basis, HistoryScope, Recommendation, SourceChange, SourceChangeKind, UsageReport } from '../../src/index.ts';
import { QUERY_DEADLINE_MS, cancelPastDeadline, type QueryDeadline } from './query-deadline.ts';

// The store: one interface, two databases. With nothing configured an SQLite file under DATA_DIR (libsql:
// prebuilt binaries from npm, nothing compiled or downloaded at install); with DATABASE_URL=postgres://… a
// PostgreSQL database that several replicas share. Both sit behind one Kysely query layer (store-queries.ts) and
// one set of migrations (migrations.ts). The drivers are imported only when a store is opened: a CLI command that
// does not touch the store never loads them.

export type StoreTarget = StoreConfig['target'];

export const sqliteTarget = (dataDir: string): StoreTarget => ({ kind: 'sqlite', file: path.resolve(dataDir, STORE_FILE_NAME) });

export interface HistoryQuery {
  /**
   * Whose recommendations: a viewer's scope (src/present/scope.ts: the one rule of who sees what), or 'all' for the
   * operator's command line. Required, so no caller lists everyone's by leaving it out.
   */
  scope: HistoryScope | 'all';
  /** Part of the customer's name, any case. */
  customer?: string;
  since?: Date;
  /** Newest first, at most this many (default 50, at most 1000). */
  limit?: number;
}

/** The report's figures for a period: the core's UsageReport (src/present/report.ts), counted here. */
export type Report = UsageReport;

/** A correction group, as the knowledge owner reviews it: every "asked X, picked Y" with the same X and Y. */
export interface CorrectionRef {
  /** The question as asked (any of the group's spellings: case, spacing and trailing punctuation do not matter). */
  question: string;
  picked: string;
}

/** A line of the matcher's training set (src/knowledge/training/*.jsonl). */
export interface TrainingLine {
  q: string;
  topics: string[];
}

/** A cited page's last fetch, as the source watch reads it back. */
export interface SourcePage {
  url: string;
  sourceId: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Null until a fetch of it succeeded (the first success is the baseline). */
  contentHash: string | null;
  updatedDate: string | null;
  checkedAt: Date;
  changedAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
}

/** What a successful fetch found: the state to keep. */
export interface SourcePageState {
  url: string;
  sourceId: string | null;
  etag: string | null;
  lastModified: string | null;
  contentHash: string;
  updatedDate: string | null;
}

/**
 * What the page looked like when this replica read it: `absent` (never fetched), or its hash and date. The store
 * moves the page on only if it still is so: of two replicas seeing the same change, one records (and reports) it.
 */
export type SourcePageExpected = 'absent' | { contentHash: string | null; updatedDate: string | null };

/** A verifier's verdict on a topic, as recorded (src/present/verification.ts). */
export interface VerificationRecord {
  topic: string;
  verdict: 'verified' | 'needs-change';
  platform: 'slack' | 'teams';
  userId: string;
  at: number;
  knowledgeVersion: string;
}

/** A recorded verdict, as read back. */
export interface StoredVerification extends VerificationRecord {
  id: string;
}

/**
 * How far back changes of cited pages are read (a change older than a topic's last verification no longer counts),
 * and so kept by the prune whatever RETENTION_DAYS says: a change pruned earlier could move a topic's due day.
 */
export const SOURCE_CHANGES_DAYS = 400;

export interface PruneCounts {
  questions: number;
  recommendations: number;
  feedback: number;
  dedupeKeys: number;
  /** Recheck notes (0007) as old as the recommendations they were about. */
  recheckNotes: number;
  /** Questions sent to the experts' channel (*Ask an expert*), with their answers. */
  expertQuestions: number;
  /** Changes of cited pages (source watch), older than RETENTION_DAYS and SOURCE_CHANGES_DAYS both. */
  sourceChanges: number;
  /** Claims of verification reminders (one per topic and due day). */
  verificationReminders: number;
  /** Finished recheck runs (one per knowledge version). */
  recheckRuns: number;
  /** Where the bot reaches Teams people, tenants and channels, not refreshed by any activity since. */
  conversationRefs: number;
}

/** What the store keeps of *Ask an expert* (adapters/store/expert-questions.ts). */
export type ExpertQuestionStore = Pick<ExpertQuestions, 'add' | 'posted' | 'byId' | 'byPost' | 'answer' | 'relayFailed' | 'markNewTopic' | 'report'>;

export interface Store {
  readonly kind: StoreTarget['kind'];
  /** Where the data lives, for logs and messages: a file, or postgres://host:port/database (never a password). */
  readonly where: string;
  migrate(): Promise<MigrationOutcome>;
  pendingMigrations(): Promise<string[]>;
  /** A trivial query; throws when the database does not answer. */
  ping(): Promise<void>;

  /** Writes are idempotent by id: a batch retried after an unclear failure does not duplicate anything. */
  recordQuestions(rows: QuestionRecord[]): Promise<void>;
  /** A recommendation recorded again under the same id replaces the first (e.g. once its message is posted). */
  recordRecommendations(rows: RecommendationRecord[]): Promise<void>;
  recordFeedback(rows: FeedbackRecord[]): Promise<void>;

  /**
   * True for exactly one caller per key until it expires, across every process sharing the database: the
   * deduplication of Slack retries, double submits and double clicks between replicas.
   */
  claim(key: string, ttlMs: number, now?: number): Promise<boolean>;
  /** Gives a claimed key back (the work it guarded was not done): the next claim of `key` is true again. */
  release(key: string): Promise<void>;
  /** Deletes questions, recommendations and feedback older than `retentionDays`, and expired dedupe keys. */
  prune(retentionDays: number, now?: number): Promise<PruneCounts>;

  history(query: HistoryQuery): Promise<StoredRecommendation[]>;
  recommendation(id: string): Promise<StoredRecommendation | undefined>;
  /** Every recommendation since `since`, oldest first, read in pages. */
  exportRecommendations(since: Date): AsyncIterable<StoredRecommendation>;
  exportQuestions(since: Date): AsyncIterable<StoredQuestion>;
  report(since: Date, now?: number): Promise<Report>;
  /**
   * The knowledge owner's review of a correction group: every correction with that question and pick, reviewed or
   * not, takes the verdict. Returns how many corrections it covered (0: none by that question and pick).
   */
  reviewCorrections(ref: CorrectionRef, verdict: 'accepted' | 'dismissed', reviewer: string, now?: number): Promise<number>;
  /** Accepted corrections since `since`, one training line per question (the newest spelling), oldest first. */
  trainingLines(since: Date): Promise<TrainingLine[]>;

  /** Records where the product can send (a conversation reference); replaces the one under the same key. */
  saveConversationRef(ref: ConversationRef): Promise<void>;
  /** The conversation reference under `key` (`person:<aad id>`, `tenant:<id>`, `conversation:<id>`), if any. */
  conversationRef(key: string): Promise<ConversationRef | undefined>;
  /** The most recently seen references of one kind, newest first (e.g. the tenants the bot has seen). */
  conversationRefs(kind: ConversationRef['kind'], limit: number): Promise<ConversationRef[]>;
  /**
   * The recheck of this knowledge version (src/advisor/recheck.ts) is ours to run: true for exactly one replica, once
   * per version, durably. A run that started more than `staleMs` ago and never finished (its replica died) may be
   * taken over.
   */
  claimRecheckRun(knowledgeVersion: string, staleMs: number, now?: number): Promise<boolean>;
  /** The run of this version is over: what it did, for the operator (and so it is never taken over). */
  finishRecheckRun(knowledgeVersion: string, counts: RecheckCounts, now?: number): Promise<void>;
  /**
   * The note for this recommendation under this knowledge version is ours to send: true for exactly one caller, ever
   * (insert-if-absent). Whoever gets true sends, then settles it with settleRecheckNote.
   */
  claimRecheckNote(recommendationId: string, knowledgeVersion: string, now?: number, noted?: RecheckNoted): Promise<boolean>;
  /**
   * Per recommendation, what its newest note since `since` told the thread (notes sent or being sent; a note that
   * failed told nobody): what the next recheck compares today's verdict with.
   */
  lastRecheckNotes(since: Date): Promise<Map<string, RecheckNoted>>;
  /** The run of this version left notes waiting for a platform: it is not finished, and the next start (or this replica, once the platform connects) may claim it at once. */
  releaseRecheckRun(knowledgeVersion: string): Promise<void>;
  settleRecheckNote(recommendationId: string, knowledgeVersion: string, outcome: { ok: true; ref: string } | { ok: false; error: string }): Promise<void>;
  /** Every cited page's last fetch (source watch). */
  sourcePages(): Promise<SourcePage[]>;
  /**
   * A fetch that found the page's state: kept only if the page still is as `expected` (compare and set), with the
   * change recorded when one is given. True: this caller moved it on (and reports the change); false: another did first.
   */
  saveSourcePage(state: SourcePageState, expected: SourcePageExpected, change: { kind: SourceChangeKind; updatedBefore: string | null } | undefined, now: number): Promise<boolean>;
  /** A fetch that found nothing new (304, or the same text and date): when it was checked, and the validators. */
  touchSourcePage(url: string, validators: { etag: string | null; lastModified: string | null }, now: number): Promise<void>;
  /** A fetch that failed, and why (the page's state is kept). */
  sourcePageFailed(url: string, sourceId: string | null, error: string, now: number): Promise<void>;
  /**
   * Changes of cited pages seen since `since`, NEWEST first, at most `limit` (1,000 unless given): the report; the
   * topics they make due (the verifications read more).
   */
  sourceChangesSince(since: Date, limit?: number): Promise<SourceChange[]>;
  /** Records a verifier's verdict (kept as history; never pruned: it is the record of what was checked when). */
  recordVerification(v: VerificationRecord): Promise<void>;
  /** Per topic, the time of its newest Still correct. */
  latestVerifications(): Promise<{ topic: string; at: number }[]>;
  /** Every verdict since `since` (both kinds), oldest first. */
  verificationsSince(since: Date): Promise<StoredVerification[]>;
  /**
   * Claims a topic's reminder for the day it fell due: true for exactly one caller, across every process sharing
   * the database, for good (a durable record, not an expiring key).
   */
  claimReminder(topic: string, dueOn: string, now?: number): Promise<boolean>;
  /** Gives a claimed reminder back (nothing could be sent and a later run may try again). */
  releaseReminder(topic: string, dueOn: string): Promise<void>;

  /** *Ask an expert*: questions sent to the experts' channel, their posts and first replies (expert-questions.ts). */
  readonly experts: ExpertQuestionStore;

  close(): Promise<void>;
}

/** Where the product can send on its own: see ConversationRefsTable (schema.ts). */
export interface ConversationRef {
  key: string;
  platform: 'teams';
  kind: 'person' | 'tenant' | 'conversation';
  serviceUrl: string;
  tenantId: string | null;
  conversationId: string | null;
  userId: string | null;
  botId: string | null;
  updatedAt: number;
}

/** What a recheck note told its thread: the recommendation as remade under that knowledge, and the facts it rested on. */
export interface RecheckNoted {
  recommendation: Recommendation;
  basis: Basis;
}

/** What a recheck run did: recommendations checked, whose verdict changed, notes posted, notes that failed. */
export interface RecheckCounts {
  checked: number;
  changed: number;
  noted: number;
  failed: number;
}

/** postgres://user:secret@db.internal:5432/advisor → postgres://db.internal:5432/advisor */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}


export class StoreMissing extends Error {}

export interface OpenOptions {
  /** Create the SQLite file (and DATA_DIR) when missing. Default true; the read-only CLI commands pass false. */
  create?: boolean;
  /** PostgreSQL: the query deadline (default QUERY_DEADLINE_MS). */
  queryDeadlineMs?: number;
}

/** Opens the store; it does not migrate (see migrate()). Throws StoreMissing when `create: false` and there is none. */
export async function openStore(target: StoreTarget, options: OpenOptions = {}): Promise<Store> {
  const { KyselyStore } = await import('./store-queries.ts');
  const deadline: QueryDeadline = { ms: options.queryDeadlineMs ?? QUERY_DEADLINE_MS };
  return new KyselyStore(target.kind, target.kind === 'sqlite' ? target.file : describePostgresUrl(target.url), await connect(target, options, deadline), deadline);
}

type SqliteDatabase = { prepare(sql: string): unknown; close(): void };

/**
 * Kysely's SQLite driver prepares every statement afresh; preparing costs more than running one of ours (a claim:
 * ~20 µs to run, ~150 µs with the prepare and Kysely around it). The same SQL text gets the same prepared
 * statement (they are reusable), for the few hundred shapes the store uses.
 */
function reusingStatements<D extends SqliteDatabase>(database: D): D {
  const prepared = new Map<string, unknown>();
  return {
    prepare(sql: string) {
      let statement = prepared.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (prepared.size >= 256) prepared.delete(prepared.keys().next().value!);
        prepared.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  } as unknown as D;
}

async function connect(target: StoreTarget, options: OpenOptions, deadline: QueryDeadline): Promise<Kysely<Database>> {
  const { Kysely, PostgresDialect, SqliteDialect } = await import('./kysely.ts');
  if (target.kind === 'sqlite') {
    const database = await openSqliteDatabase(target.file, options.create !== false);
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database as unknown as import('kysely').SqliteDatabase) }) });
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: await openPostgresPool(target.url, deadline) }) });
}

/** What libsql's Database is to us (it is better-sqlite3's interface). */
export interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): { run(parameters: readonly unknown[]): unknown; get(parameters?: readonly unknown[]): unknown };
  close(): void;
}

/**
 * The SQLite connection, as the server's Kysely and the writer thread (writer-thread.ts, which runs SQL compiled on
 * the main thread and loads no Kysely) both open it.
 */
export async function openSqliteDatabase(file: string, create = true): Promise<SqliteConnection> {
  if (!create && !existsSync(file)) {
    throw new StoreMissing(`There is no store at ${file} yet: the server creates it on its first start (or run \`coexist-advisor db migrate\`). Set DATA_DIR (or DATABASE_URL) to where the server keeps its data.`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const { default: Sqlite } = await import('libsql');
  const database = new Sqlite(file);
  // WAL: the CLI reads while the server writes. NORMAL: no fsync per commit (a crash may lose the last
  // moments of history, never corrupt the file). A short busy timeout: SQLite waits synchronously.
  database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 1000;');
  return database as unknown as SqliteConnection;
}

/** The PostgreSQL pool, as the server's Kysely and the writer thread both open it. */
export async function openPostgresPool(url: string, deadline: QueryDeadline = { ms: QUERY_DEADLINE_MS }): Promise<import('pg').Pool> {
  const { default: pg } = await import('pg');
  const INT8 = 20;
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // A peer that vanished (a partition) is noticed by TCP too, not only by the query deadline below.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'coexist-advisor',
    // bigint (epoch milliseconds, counts) as numbers, not strings.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  // A connection that breaks must never end the process. pg-pool listens on idle connections only; a connection
  // checked out by a query (or a partition's stalled one, reset when the network comes back) emits 'error' with no
  // listener, which Node turns into an uncaught exception. Every connection gets a listener when it is made: the
  // query in flight fails with the error (the caller logs and counts it), and the pool drops the connection when it
  // is given back (it is no longer queryable).
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    cancelPastDeadline(client, deadline);
  });
  return pool;
}
