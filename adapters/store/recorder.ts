import { newFeedbackId, type FeedbackRecord, type QuestionRecord, type RecommendationRecord } from './records.ts';

// Fire-and-forget writes. A listener hands a record over after its ack and goes on: the recorder keeps it in a
// bounded queue and writes batches a moment later. A store that is slow, down or full never blocks a user; what
// could not be written is counted and logged, and dropped after a few tries or when the queue is full. Every
// write is idempotent by id (ids are fixed here, at hand-over), so a retried batch duplicates nothing.

export interface RecordBatch {
  questions: QuestionRecord[];
  recommendations: RecommendationRecord[];
  feedback: FeedbackRecord[];
}

type Item = ({ kind: 'question'; row: QuestionRecord } | { kind: 'recommendation'; row: RecommendationRecord } | { kind: 'feedback'; row: FeedbackRecord }) & {
  attempts: number;
};

export interface RecorderOptions {
  /** Writes one batch; throws when it could not. */
  write: (batch: RecordBatch) => Promise<void>;
  /** A batch failed (it is retried) or records were dropped (`dropped` > 0): for the log and the metrics. */
  onError: (err: unknown, dropped: number) => void;
  /** Records waiting at most; past it the oldest are dropped. Default 5000. */
  limit?: number;
  /** Records per write. Default 200. */
  batchSize?: number;
  /** How long a record waits for others to share its write. Default 20 ms. */
  delayMs?: number;
  /** Tries per record before it is dropped. Default 3. */
  attempts?: number;
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
  private readonly backoffMs: number[];

  constructor(private readonly options: RecorderOptions) {
    this.limit = options.limit ?? 5000;
    this.batchSize = options.batchSize ?? 200;
    this.delayMs = options.delayMs ?? 20;
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? [1000, 5000, 15_000];
  }

  /** A question and how it was answered. Never throws, never waits. */
  question(row: QuestionRecord): void {
    this.add({ kind: 'question', row: { ...row, at: row.at ?? Date.now() }, attempts: 0 });
  }

  /** A recommendation as posted. Never throws, never waits. */
  recommendation(row: RecommendationRecord): void {
    this.add({ kind: 'recommendation', row: { ...row, at: row.at ?? Date.now() }, attempts: 0 });
  }

  /** Feedback on an answer or a recommendation, or a correction. Never throws, never waits. */
  feedback(row: FeedbackRecord): void {
    this.add({ kind: 'feedback', row: { ...row, id: row.id ?? newFeedbackId(), at: row.at ?? Date.now() }, attempts: 0 });
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

  /** Stops the timer; records still queued are dropped (flush() first). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private add(item: Item): void {
    if (this.closed) return;
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
      const retry = items.filter((i) => ++i.attempts < this.attempts);
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
