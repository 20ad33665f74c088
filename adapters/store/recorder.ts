import { newFeedbackId, type FeedbackRecord, type QuestionRecord, type RecommendationRecord } from './records.ts';

// Fire-and-forget writes. A listener hands a record over after its ack and goes on: the recorder keeps it in a
// bounded queue and writes batches a moment later (DELAY_MS). A store that is slow, down or full never blocks a user:
// a batch that fails is retried, with back-off, until it is written or its records have waited MAX_WAIT_MS, or the
// queue is full (then the oldest go). What is given up is counted and logged, never silent. Every write is idempotent
// by id (ids are fixed here, at hand-over), so a retried batch duplicates nothing.

/** How long a record waits for others to share its write: the most a kill -9 can lose of a steady stream. */
export const DELAY_MS = 20;
/** How long a record may wait for a store that fails before it is given up (an outage longer than this loses records). */
export const MAX_WAIT_MS = 10 * 60_000;
/** Records waiting at most (a few MB): past it the oldest are given up. */
export const QUEUE_LIMIT = 20_000;

export interface RecordBatch {
  questions: QuestionRecord[];
  recommendations: RecommendationRecord[];
  feedback: FeedbackRecord[];
}

type Item = ({ kind: 'question'; row: QuestionRecord } | { kind: 'recommendation'; row: RecommendationRecord } | { kind: 'feedback'; row: FeedbackRecord }) & {
  attempts: number;
  /** When it was handed over (epoch ms). */
  since: number;
};

export interface RecorderOptions {
  /** Writes one batch; throws when it could not. */
  write: (batch: RecordBatch) => Promise<void>;
  /** A batch failed (it is retried) or records were dropped (`dropped` > 0): for the log and the metrics. */
  onError: (err: unknown, dropped: number) => void;
  /** Records waiting at most; past it the oldest are dropped. Default QUEUE_LIMIT. */
  limit?: number;
  /** Records per write. Default 200. */
  batchSize?: number;
  /** How long a record waits for others to share its write. Default DELAY_MS. */
  delayMs?: number;
  /** Tries per record before it is dropped. Default: no limit (MAX_WAIT_MS decides). */
  attempts?: number;
  /** A record whose write failed is dropped once it has waited this long since its hand-over. Default MAX_WAIT_MS. */
  maxWaitMs?: number;
  /** Epoch milliseconds (tests). */
  now?: () => number;
  /** Waits after a failed write: the nth failure in a row waits the nth (the last repeats). */
  backoffMs?: number[];
  /** Told of every record as it is handed over, written or not (the /metrics counters). Must not throw. */
  observe?: (record: HandedRecord) => void;
}

/** A record as handed over. */
export type HandedRecord = { kind: 'question'; row: QuestionRecord } | { kind: 'recommendation'; row: RecommendationRecord } | { kind: 'feedback'; row: FeedbackRecord };

export class Recorder {
  private readonly queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failuresInRow = 0;
  private idle: (() => void)[] = [];
  private closed = false;
  private readonly limit: number;
  private readonly batchSize: number;
  private readonly delayMs: number;
  private readonly attempts: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly backoffMs: number[];

  constructor(private readonly options: RecorderOptions) {
    this.limit = options.limit ?? QUEUE_LIMIT;
    this.batchSize = options.batchSize ?? 200;
    this.delayMs = options.delayMs ?? DELAY_MS;
    this.attempts = options.attempts ?? Number.POSITIVE_INFINITY;
    this.maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
    this.now = options.now ?? Date.now;
    this.backoffMs = options.backoffMs ?? [500, 1000, 2000, 5000];
  }

  /** A question and how it was answered. Never throws, never waits. */
  question(row: QuestionRecord): void {
    this.add({ kind: 'question', row: { ...row, at: row.at ?? Date.now() }, attempts: 0, since: this.now() });
  }

  /** A recommendation as posted. Never throws, never waits. */
  recommendation(row: RecommendationRecord): void {
    this.add({ kind: 'recommendation', row: { ...row, at: row.at ?? Date.now() }, attempts: 0, since: this.now() });
  }

  /** Feedback on an answer or a recommendation, or a correction. Never throws, never waits. */
  feedback(row: FeedbackRecord): void {
    this.add({ kind: 'feedback', row: { ...row, id: row.id ?? newFeedbackId(), at: row.at ?? Date.now() }, attempts: 0, since: this.now() });
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Resolves when everything handed over so far has been written or given up on. For shutdown (with a deadline)
   * and for tests; listeners never wait on it.
   */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return Promise.resolve();
    this.schedule(0);
    // Someone waits for this write (a shutdown): its timer keeps the process alive, unlike the recorder's usual ones.
    this.timer?.ref();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops the timer; records still queued are dropped, and counted as dropped (flush() first). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.queue.splice(0).length;
    if (left > 0) this.options.onError(new Error(`the store was closed with ${left} records not yet written`), left);
    this.wake();
  }

  private add(item: Item): void {
    if (this.closed) {
      this.options.onError(new Error('a record was handed over after the store was closed'), 1);
      return;
    }
    try {
      this.options.observe?.(item);
    } catch {
      // Counting must never cost a record.
    }
    this.queue.push(item);
    if (this.queue.length > this.limit) {
      const dropped = this.queue.splice(0, this.queue.length - this.limit).length;
      this.options.onError(new Error(`the recorder's queue is full (${this.limit} records): the oldest were dropped`), dropped);
    }
    this.schedule(this.failuresInRow > 0 ? undefined : this.delayMs);
  }

  private schedule(delay: number | undefined): void {
    if (this.closed || this.writing) return;
    if (delay === undefined) {
      if (this.timer) return; // a back-off wait is already set
      delay = this.delayMs;
    }
    if (this.timer) {
      if (delay !== 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writeBatch().finally(() => {
        this.writing = undefined;
        if (this.queue.length === 0) this.wake();
        else if (this.failuresInRow === 0) this.schedule(0);
      });
    }, delay);
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const items = this.queue.splice(0, this.batchSize);
    if (items.length === 0) return;
    const batch: RecordBatch = { questions: [], recommendations: [], feedback: [] };
    for (const item of items) {
      if (item.kind === 'question') batch.questions.push(item.row);
      else if (item.kind === 'recommendation') batch.recommendations.push(item.row);
      else batch.feedback.push(item.row);
    }
    try {
      await this.options.write(batch);
      this.failuresInRow = 0;
    } catch (err) {
      const now = this.now();
      const retry = items.filter((i) => ++i.attempts < this.attempts && now - i.since < this.maxWaitMs);
      const dropped = items.length - retry.length;
      this.queue.unshift(...retry);
      this.options.onError(err, dropped);
      const wait = this.backoffMs[Math.min(this.failuresInRow, this.backoffMs.length - 1)] ?? 1000;
      this.failuresInRow++;
      // The flush() callers are told once nothing more can be done now: a failing store must not hold up a
      // shutdown. What is left (retries, and records queued behind them) is tried again after the back-off.
      this.wake();
      if (this.queue.length > 0 && !this.closed) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule(0);
        }, wait);
        this.timer.unref();
      }
    }
  }

  private wake(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
