import type { Logger } from 'pino';
import { Recorder, type RecorderOptions } from './recorder.ts';
import { ThreadWriter, type BatchWriter } from './writer.ts';
import type { StoredRecommendation } from './records.ts';
import type { Knowledge } from '../../src/index.ts';
import { DAY_MS } from '../../src/time.ts';
import { RECHECK_DAYS_DEFAULT, recheckSince, type Rechecked } from './recheck.ts';
import type { SourceChange } from '../../src/index.ts';
import { openStore, type ConversationRef, type ExpertQuestionStore, type CorrectionRef, type HistoryQuery, type PruneCounts, type Report, type Store, type StoreTarget, type StoredVerification, type TrainingLine, type VerificationRecord } from './store.ts';

// The store as the running product uses it: opened and migrated at start (retried in the background while the
// database is away), pruned on a timer, written through the recorder, asked for claims with a deadline, and
// checked by /readyz. Nothing here ever makes a user wait for the database or fail because of it.

export type StoreOperation = 'open' | 'migrate' | 'write' | 'dropped' | 'claim' | 'ping' | 'prune' | 'read';

/**
 * What a claim does when the store cannot say in time whether the key is new (not open yet past the deadline, or not
 * answering): `act` (a duplicate is better than nothing: a recommendation's post, an answer, a share) or `skip`
 * (nothing is better than a duplicate: a correction, a review).
 */
export type WhenUnsure = 'act' | 'skip';

export interface StoreServiceOptions {
  target: StoreTarget;
  retentionDays: number;
  /** RECHECK_DAYS: how far back the report's recheck looks (default 90). */
  recheckDays?: number;
  logger: Logger;
  /** Counts a failure (the /metrics store-error counter). */
  onError?: (operation: StoreOperation, count: number) => void;
  /** Default: every hour. */
  pruneEveryMs?: number;
  /** How long reads and ping() wait for the database. Default 2 s. */
  deadlineMs?: number;
  /**
   * How long a claim waits for the store, while it opens and for its answer (claims are made after the platform's
   * ack: the wait delays a post, never the ack). Default CLAIM_DEADLINE_MS.
   */
  claimDeadlineMs?: number;
  /** A claim the store could not settle in time, and what was done (the /metrics fallback counter). */
  onClaimFallback?: (use: string, decision: WhenUnsure) => void;
  /** A write failure keeps /readyz at 503 this long unless a write succeeds first. Default WRITE_FAILURE_HOLD_MS. */
  writeFailureHoldMs?: number;
  /** Waits between attempts to open the store (the last repeats). */
  reopenMs?: number[];
  /** Passed to the recorder (tests use short back-offs). */
  recorder?: { backoffMs?: number[]; limit?: number };
  /** Told of every record as it is handed over (the /metrics question and feedback counters). */
  onRecord?: RecorderOptions['observe'];
  /**
   * Where the recorder's writes run: on a thread of their own (default: the main thread only hands batches over), or
   * inline on this thread (the CLI, and tests of the writes themselves).
   */
  writes?: 'thread' | 'inline';
}

export interface Readiness {
  ready: boolean;
  store: StoreTarget['kind'];
  /** Why not ready: for the log, not for the HTTP answer (it can name hosts). */
  reason?: string;
}

class Deadline extends Error {}

/**
 * See StoreServiceOptions.claimDeadlineMs. 15 s: with two replicas started together on one PostgreSQL while the
 * machine's two cores ran a test suite and two cross-validations (load average about 8), one start in 20 took more
 * than 5 s to open its store and both replicas posted once each; a claim only delays a post, never an ack.
 */
export const CLAIM_DEADLINE_MS = 15_000;
/** See StoreServiceOptions.writeFailureHoldMs. */
export const WRITE_FAILURE_HOLD_MS = 30_000;
/** Dropped records are logged at most this often, with the count since the last line (none goes unlogged). */
const DROP_LOG_EVERY_MS = 10_000;

/** A claim key's use, for the fallback metric: its first two parts (`slack:view:V123:…` → `slack:view`). */
export const claimUse = (key: string) => key.split(':', 2).join(':');

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Deadline(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** An error as a log field: its message and code, nothing else (no config objects, no connection strings). */
const errorField = (err: unknown) => ({ message: err instanceof Error ? err.message : String(err), ...(typeof (err as { code?: unknown })?.code === 'string' ? { code: (err as { code: string }).code } : {}) });

export class StoreService {
  readonly recorder: Recorder;
  private current: Store | undefined;
  private lastProblem = 'the store has not been opened yet';
  private opening: Promise<void> | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private openFailures = 0;
  private closed = false;
  /** Keys this process has claimed, so its own repeats cost no round trip. Bounded. */
  private readonly local = new Map<string, number>();
  /** Last time each operation's failure was logged: a database that is down is logged once a minute, not per write. */
  private readonly loggedAt = new Map<StoreOperation, number>();
  private readonly deadlineMs: number;
  private readonly claimDeadlineMs: number;
  /** The recorder's writes, on their own thread (writer.ts); undefined: on this thread. */
  private readonly writer: BatchWriter | undefined;
  /** Claims and writes waiting for the store to open. */
  private openWaiters: ((store: Store | undefined) => void)[] = [];
  /** The recorder's last write outcome, for /readyz: a store that answers `select 1` can still refuse writes. */
  private lastWriteOk = 0;
  private lastWriteFailed = 0;
  private lastWriteProblem = '';
  /** Dropped records not yet logged, and when the last drop line was written. */
  private unloggedDrops = 0;
  private droppedTotal = 0;
  private dropLoggedAt = 0;
  private dropTimer: NodeJS.Timeout | undefined;
  /** False until the writer thread has started and opened its connection (/readyz waits for it). */
  private writerWarm: boolean;
  /** This process's key for the /readyz write probe. */
  private readonly probeKey = `coexist:readyz:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  constructor(private readonly options: StoreServiceOptions) {
    this.deadlineMs = options.deadlineMs ?? 2000;
    this.claimDeadlineMs = options.claimDeadlineMs ?? CLAIM_DEADLINE_MS;
    this.writer = options.writes === 'inline' ? undefined : new ThreadWriter(options.target);
    this.writerWarm = this.writer === undefined;
    this.recorder = new Recorder({
      ...options.recorder,
      ...(options.onRecord ? { observe: options.onRecord } : {}),
      write: async (batch) => {
        // Records handed over while the store is still opening (the first moments after start) wait for it.
        const store = this.current ?? (await this.whenOpen(this.deadlineMs));
        if (!store) throw new Error(`the store is not open: ${this.lastProblem}`);
        try {
          if (this.writer) await this.writer.write(batch);
          else {
            await store.recordQuestions(batch.questions);
            await store.recordRecommendations(batch.recommendations);
            await store.recordFeedback(batch.feedback);
          }
        } catch (err) {
          this.lastWriteFailed = Date.now();
          this.lastWriteProblem = errorField(err).message;
          throw err;
        }
        this.lastWriteOk = Date.now();
      },
      onError: (err, dropped) => {
        if (dropped > 0) this.dropped(err, dropped);
        else this.failed('write', err, { pending: this.recorder.pending });
      },
    });
  }

  /**
   * Records given up: counted at once (coexist_store_records_dropped_total), and logged at error with how many since
   * the last line, at most every DROP_LOG_EVERY_MS: a storm of drops is a few lines, and no drop goes unlogged.
   */
  private dropped(err: unknown, count: number): void {
    this.options.onError?.('dropped', count);
    this.unloggedDrops += count;
    this.droppedTotal += count;
    const log = () => {
      this.dropTimer = undefined;
      if (this.unloggedDrops === 0) return;
      this.dropLoggedAt = Date.now();
      this.options.logger.error(
        { store: this.kind, operation: 'dropped', dropped: this.unloggedDrops, droppedSinceStart: this.droppedTotal, err: errorField(err) },
        `store: ${this.unloggedDrops} record(s) given up without being written (questions, recommendations or feedback already answered to users); counted in coexist_store_records_dropped_total`,
      );
      this.unloggedDrops = 0;
    };
    const wait = this.dropLoggedAt + DROP_LOG_EVERY_MS - Date.now();
    if (wait <= 0 || this.closed) log();
    else if (!this.dropTimer) {
      this.dropTimer = setTimeout(log, wait);
      this.dropTimer.unref();
    }
  }

  /** The open store, waiting for it up to `ms` while it opens; undefined if it does not open in time. */
  private whenOpen(ms: number): Promise<Store | undefined> {
    if (this.current || this.closed) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const done = (store: Store | undefined) => {
        clearTimeout(timer);
        this.openWaiters = this.openWaiters.filter((w) => w !== done);
        resolve(store);
      };
      const timer = setTimeout(() => done(undefined), ms);
      timer.unref();
      this.openWaiters.push(done);
    });
  }

  /** The open store, waiting up to `ms` while it opens (background jobs: the recheck after a start). */
  opened(ms: number): Promise<Store | undefined> {
    return this.whenOpen(ms);
  }

  get kind(): StoreTarget['kind'] {
    return this.options.target.kind;
  }

  /** The open, migrated store; undefined while it is not (reads then say the history is unavailable). */
  get store(): Store | undefined {
    return this.current;
  }

  /** Opens and migrates. Resolves after the first attempt either way; a failed attempt is retried in the background. */
  start(): Promise<void> {
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<void> {
    let store: Store | undefined;
    let stage: StoreOperation = 'open';
    try {
      store = await openStore(this.options.target);
      await store.ping(); // PostgreSQL connects lazily: a refused connection is an open failure, not a migration's
      stage = 'migrate';
      const { applied } = await store.migrate();
      if (this.closed) {
        await store.close();
        return;
      }
      this.current = store;
      this.openFailures = 0;
      for (const waiting of [...this.openWaiters]) waiting(store);
      // The writer thread starts now, with its connection, not on the first write: a burst right after a start is
      // written as it comes (the audit lost 200 of 200 to a kill -9 in the first burst while the thread started).
      // start() resolves once it has (or has failed: ready anyway, the recorder's next write starts the thread again
      // and fails visibly if it cannot).
      if (this.writer) {
        await this.writer.warm().catch((err: unknown) => this.failed('open', err, { writerThread: true }));
        this.writerWarm = true;
        if (this.closed) return;
      }
      this.options.logger.info({ store: store.kind, where: store.where, migrations: applied }, applied.length > 0 ? `store ready (${store.kind}); applied migrations ${applied.join(', ')}` : `store ready (${store.kind})`);
      void this.prune();
      this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneEveryMs ?? 3_600_000);
      this.pruneTimer.unref();
    } catch (err) {
      await store?.close().catch(() => {});
      this.lastProblem = `${stage === 'open' ? 'cannot open' : 'cannot migrate'} the ${this.options.target.kind} store: ${errorField(err).message}`;
      this.failed(stage, err, { retryInMs: this.nextReopenMs() });
      if (!this.closed) {
        this.reopenTimer = setTimeout(() => {
          this.opening = this.open();
        }, this.nextReopenMs());
        this.reopenTimer.unref();
        this.openFailures++;
      }
    }
  }

  private nextReopenMs(): number {
    const waits = this.options.reopenMs ?? [1000, 5000, 15_000, 60_000];
    return waits[Math.min(this.openFailures, waits.length - 1)]!;
  }

  /** Enforces RETENTION_DAYS now (it also runs at open and on a timer). Undefined when the store is not open or failed. */
  prune(): Promise<PruneCounts | undefined> {
    const store = this.current;
    if (!store) return Promise.resolve(undefined);
    return store.prune(this.options.retentionDays).then(
      (counts) => {
        if (Object.values(counts).some((n) => n > 0)) this.options.logger.info({ retentionDays: this.options.retentionDays, deleted: counts }, 'store pruned');
        return counts;
      },
      (err: unknown) => {
        this.failed('prune', err);
        return undefined;
      },
    );
  }

  /**
   * True the first time `key` is claimed by any replica sharing the store, until `ttlMs` have passed. A claim made
   * while the store is still opening (right after a start; a replica waiting for another's migration) waits for it.
   * When the store cannot settle the claim within the claim deadline, `whenUnsure` decides: `act` returns true (a
   * duplicate is better than nothing), `skip` returns false (nothing is better than a duplicate). Either way the
   * fallback is logged and counted (coexist_store_claim_fallbacks_total).
   */
  async claim(key: string, ttlMs: number, whenUnsure: WhenUnsure): Promise<boolean> {
    const now = Date.now();
    const seenUntil = this.local.get(key);
    if (seenUntil !== undefined && seenUntil > now) return false;
    this.local.delete(key);
    this.local.set(key, now + ttlMs);
    if (this.local.size > 10_000) this.local.delete(this.local.keys().next().value!);
    const store = this.current ?? (await this.whenOpen(this.claimDeadlineMs));
    if (!store) return this.unsure(key, whenUnsure, new Error(`the store did not open within ${this.claimDeadlineMs} ms: ${this.lastProblem}`));
    try {
      return await withDeadline(store.claim(key, ttlMs, now), Math.max(1, this.claimDeadlineMs - (Date.now() - now)), 'claim');
    } catch (err) {
      return this.unsure(key, whenUnsure, err);
    }
  }

  /**
   * Gives a claim back when the work it guarded was not done (a store write failed after the claim), so a retry is
   * not taken for a double click: forgotten here at once, and deleted in the store within the claim deadline. False
   * when the store could not delete it (logged): the key stays claimed until it expires.
   */
  async release(key: string): Promise<boolean> {
    this.local.delete(key);
    const store = this.current;
    if (!store) return false;
    try {
      await withDeadline(store.release(key), this.claimDeadlineMs, 'claim release');
      return true;
    } catch (err) {
      this.failed('claim', err, { use: claimUse(key), decision: 'not given back: a retry is taken for a repeat until the key expires' });
      return false;
    }
  }

  /**
   * A claim that says when the store cannot settle it: true (ours), false (another's), or 'unsure' (the store is not
   * open, or did not answer within the claim deadline; logged and counted). For work that would rather wait and try
   * again than guess: a scheduled job's slot (adapters/host/schedule.ts). `now`: the caller's clock.
   */
  async claimOrUnsure(key: string, ttlMs: number, now = Date.now()): Promise<boolean | 'unsure'> {
    const store = this.current;
    if (!store) return 'unsure';
    try {
      return await withDeadline(store.claim(key, ttlMs, now), this.claimDeadlineMs, 'claim');
    } catch (err) {
      this.failed('claim', err, { use: claimUse(key), decision: 'not done now (tried again later)' });
      return 'unsure';
    }
  }

  private unsure(key: string, whenUnsure: WhenUnsure, err: unknown): boolean {
    const use = claimUse(key);
    this.options.onClaimFallback?.(use, whenUnsure);
    this.failed('claim', err, { use, decision: whenUnsure === 'act' ? 'acted (a duplicate is possible)' : 'skipped (nothing done)' });
    // Skipped: not done, so not remembered either; a later attempt may claim it.
    if (whenUnsure === 'skip') this.local.delete(key);
    return whenUnsure === 'act';
  }

  /** Recent recommendations for the apps' `history` command, within the deadline; undefined when it cannot answer. */
  history(query: HistoryQuery): Promise<StoredRecommendation[] | undefined> {
    return this.read('history', (store) => store.history(query));
  }

  /**
   * One recommendation by its id (history's Open and Edit), within the deadline: null when the store has none by that
   * id, undefined when the store cannot answer (as for history()).
   */
  recommendation(id: string): Promise<StoredRecommendation | null | undefined> {
    return this.read('recommendation', async (store) => (await store.recommendation(id)) ?? null);
  }

  /** The knowledge owner's report since `since`, within the deadline; undefined as for history(). */
  report(since: Date): Promise<Report | undefined> {
    return this.read('report', (store) => store.report(since));
  }

  /**
   * The recommendations of the last RECHECK_DAYS whose verdict `knowledge` changes, newest first, for the report;
   * undefined as for history() (within a longer deadline: every recommendation of the period is recomputed).
   */
  async rechecked(knowledge: Knowledge, now = Date.now()): Promise<Rechecked[] | undefined> {
    const store = this.current;
    if (!store) return undefined;
    const since = new Date(now - (this.options.recheckDays ?? RECHECK_DAYS_DEFAULT) * DAY_MS);
    try {
      const { changed } = await withDeadline(recheckSince(store, knowledge, since), Math.max(this.deadlineMs, 5000), 'recheck');
      return changed.reverse();
    } catch (err) {
      this.failed('read', err);
      return undefined;
    }
  }

  /** A knowledge owner's review of a correction group: how many it covered, or undefined when the store did not answer. */
  reviewCorrections(ref: CorrectionRef, verdict: 'accepted' | 'dismissed', reviewer: string): Promise<number | undefined> {
    return this.read('review', (store) => store.reviewCorrections(ref, verdict, reviewer));
  }

  /**
   * Changes of cited pages seen since `since` (source watch), within the deadline; undefined as for history(). With
   * sourceChangeDaysByTopic() (src/present/sources.ts): the topics a changed page made due for verification.
   */
  sourceChangesSince(since: Date, limit?: number): Promise<SourceChange[] | undefined> {
    return this.read('source changes', (store) => store.sourceChangesSince(since, limit));
  }

  /** Accepted corrections as training lines (the report's button), within the deadline; undefined as for history(). */
  trainingLines(since: Date): Promise<TrainingLine[] | undefined> {
    return this.read('training lines', (store) => store.trainingLines(since));
  }

  /** Records a verifier's verdict, within the deadline: true when stored, undefined when the store did not answer. */
  recordVerification(v: VerificationRecord): Promise<true | undefined> {
    return this.read('verification', async (store) => {
      await store.recordVerification(v);
      return true as const;
    });
  }

  /** Per topic, its newest Still correct; undefined when the store cannot answer. */
  latestVerifications(): Promise<{ topic: string; at: number }[] | undefined> {
    return this.read('verifications', (store) => store.latestVerifications());
  }

  /** Every verdict since `since`; undefined when the store cannot answer. */
  verificationsSince(since: Date): Promise<StoredVerification[] | undefined> {
    return this.read('verifications', (store) => store.verificationsSince(since));
  }

  /** A topic's reminder for its due day, claimed once across replicas; undefined when the store cannot answer (send nothing). */
  claimReminder(topic: string, dueOn: string): Promise<boolean | undefined> {
    return this.read('reminder claim', (store) => store.claimReminder(topic, dueOn));
  }

  /** Gives a claimed reminder back, so a later run may send it; false when the store did not answer. */
  async releaseReminder(topic: string, dueOn: string): Promise<boolean> {
    return (await this.read('reminder release', async (store) => (await store.releaseReminder(topic, dueOn), true))) === true;
  }

  /**
   * Records a conversation reference (where the product can send on its own). Fire and forget: never throws; a
   * failure is logged and counted like any write. Resolves true when written.
   */
  async saveConversationRef(ref: ConversationRef): Promise<boolean> {
    const store = this.current ?? (await this.whenOpen(this.deadlineMs));
    if (!store) return false;
    try {
      await withDeadline(store.saveConversationRef(ref), this.deadlineMs, 'saving a conversation reference');
      return true;
    } catch (err) {
      this.failed('write', err, { what: 'conversation reference' });
      return false;
    }
  }

  /** A conversation reference by key, within the deadline: null when there is none, undefined when the store cannot answer. */
  async conversationRef(key: string): Promise<ConversationRef | null | undefined> {
    if (!this.current) await this.whenOpen(this.deadlineMs);
    return this.read('conversation reference', async (store) => (await store.conversationRef(key)) ?? null);
  }

  /** The most recently seen conversation references of one kind, within the deadline; undefined when the store cannot answer. */
  async conversationRefs(kind: ConversationRef['kind'], limit: number): Promise<ConversationRef[] | undefined> {
    if (!this.current) await this.whenOpen(this.deadlineMs);
    return this.read('conversation references', (store) => store.conversationRefs(kind, limit));
  }

  /**
   * *Ask an expert*'s reads and writes (expert-questions.ts), within the deadline; undefined when the store is not open
   * or did not answer in time (logged and counted), so the caller can tell the person.
   */
  experts<T>(what: string, run: (experts: ExpertQuestionStore) => Promise<T>): Promise<T | undefined> {
    return this.read(what, (store) => run(store.experts));
  }

  /**
   * A read for a user, within the deadline. Undefined when the store is not open or does not answer in time
   * (logged and counted): the user is told, never left waiting.
   */
  private async read<T>(what: string, run: (store: Store) => Promise<T>): Promise<T | undefined> {
    const store = this.current;
    if (!store) return undefined;
    try {
      return await withDeadline(run(store), this.deadlineMs, what);
    } catch (err) {
      this.failed('read', err);
      return undefined;
    }
  }

  /**
   * /readyz: ready when the store is open, its writer thread has started (with STORE_WRITES=thread), it takes a write
   * within the deadline (a small upsert: `select 1` answers on a full disk or a read-only DATA_DIR), and the
   * recorder's writes are not failing (a failed write holds readiness at "not ready" for WRITE_FAILURE_HOLD_MS, unless
   * a later write succeeds).
   */
  async readiness(): Promise<Readiness> {
    const store = this.current;
    if (!store) return { ready: false, store: this.kind, reason: this.lastProblem };
    if (!this.writerWarm) return { ready: false, store: this.kind, reason: "the store's writer thread is starting" };
    const now = Date.now();
    if (this.lastWriteFailed > this.lastWriteOk && now - this.lastWriteFailed < (this.options.writeFailureHoldMs ?? WRITE_FAILURE_HOLD_MS)) {
      return { ready: false, store: this.kind, reason: `the ${this.kind} store refuses writes: ${this.lastWriteProblem}` };
    }
    try {
      await withDeadline(store.claim(this.probeKey, 1, now), this.deadlineMs, 'write probe');
      return { ready: true, store: this.kind };
    } catch (err) {
      this.failed('ping', err);
      return { ready: false, store: this.kind, reason: `the ${this.kind} store does not take a write: ${errorField(err).message}` };
    }
  }

  /**
   * Writes what is queued (waiting at most `deadlineMs`), then closes the store. The default fits the process's
   * shutdown: 10 s to drain requests, then this, within main.ts's 15 s backstop.
   */
  async close(deadlineMs = 3000): Promise<void> {
    if (this.closed) return;
    await withDeadline(this.recorder.flush(), deadlineMs, 'flushing the recorder').catch((err: unknown) => this.failed('write', err, { pending: this.recorder.pending }));
    this.closed = true;
    for (const waiting of [...this.openWaiters]) waiting(undefined);
    this.recorder.close();
    clearTimeout(this.dropTimer);
    await this.writer?.close().catch(() => {});
    clearTimeout(this.reopenTimer);
    clearInterval(this.pruneTimer);
    const store = this.current;
    this.current = undefined;
    this.lastProblem = 'the store is closed';
    await store?.close().catch(() => {});
  }

  private failed(operation: StoreOperation, err: unknown, fields: Record<string, unknown> = {}): void {
    this.options.onError?.(operation, 1);
    const now = Date.now();
    const last = this.loggedAt.get(operation);
    if (last !== undefined && now - last < 60_000) return;
    this.loggedAt.set(operation, now);
    this.options.logger.error({ store: this.kind, operation, err: errorField(err), ...fields }, `store ${operation} failed (logged at most once a minute per operation; counted in coexist_store_errors_total)`);
  }
}
