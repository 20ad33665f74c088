import { Worker } from 'node:worker_threads';
import type { RecordBatch } from './recorder.ts';
import type { StoreTarget } from './store.ts';
import type { CompiledWrite } from './store-queries.ts';

// The recorder's writes, on a thread of their own. The SQLite driver is synchronous: inserting a batch of questions
// held the event loop for 2-7 ms and cost every Slack question 30-60 µs of the main thread (bench/RESULTS.md, "The
// store's cost"); PostgreSQL's driver spends 10-14 µs a row encoding. The writer thread opens its own connection to
// the same store (one more SQLite connection in WAL mode, or a small pool); the main thread compiles each batch to SQL
// with the same query layer (compileWrites() in store-queries.ts, tens of microseconds a batch) and hands the
// statements over, so the thread runs them with the driver alone and never loads Kysely. Reads, claims, migrations and the prune stay
// on the main thread's connection. The thread starts, and opens its connection, as soon as the store is open (warm()):
// started on the first write instead, it was still loading when a burst right after a start was killed.

export interface BatchWriter {
  /** Starts the thread and opens its connection now, so the first write does not wait for either. */
  warm(): Promise<void>;
  write(batch: RecordBatch): Promise<void>;
  /** Stops the thread after the writes already handed over. */
  close(): Promise<void>;
}

/** What the thread is told (workerData and messages) and answers. */
export interface WriterData {
  target: StoreTarget;
  /** The module to run: writer-thread.ts from the sources, writer-thread.js from dist/. */
  entry: string;
  /** Register tsx first (running from the TypeScript sources: tests, `npm run dev`, the benchmarks). */
  typescript: boolean;
}
export type WriterRequest = { id: number; writes: CompiledWrite[] } | { id: number; open: true } | { id: number; close: true };
export type WriterReply = { id: number; ok: true } | { id: number; ok: false; message: string; code?: string };

const fromSources = import.meta.url.endsWith('.ts');

export class ThreadWriter implements BatchWriter {
  private worker: Worker | undefined;
  private next = 1;
  private queries: Promise<typeof import('./store-queries.ts')> | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  constructor(private readonly target: StoreTarget) {}

  warm(): Promise<void> {
    return this.send({ open: true });
  }

  async write(batch: RecordBatch): Promise<void> {
    // Compiled here, with the query layer the main thread has loaded anyway; the thread runs the SQL. Batches waiting
    // on the first load resume in the order they came (one promise), so they are handed over in order.
    const { compileWrites } = await (this.queries ??= import('./store-queries.ts'));
    return this.send({ writes: compileWrites(this.target.kind, batch) });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.send({ close: true }), new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
    } catch {
      // The thread failed while closing: terminate() below ends it either way.
    } finally {
      clearTimeout(timer);
      this.worker = undefined;
      await worker.terminate();
    }
  }

  private send(message: { writes: CompiledWrite[] } | { open: true } | { close: true }): Promise<void> {
    const worker = this.worker ?? this.start();
    const id = this.next++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // While a write is under way the thread keeps the process alive: a shutdown that flushes waits for it.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, ...message } satisfies WriterRequest);
    });
  }

  private start(): Worker {
    const entry = new URL(fromSources ? './writer-thread.ts' : './writer-thread.js', import.meta.url).href;
    const data: WriterData = { target: this.target, entry, typescript: fromSources };
    // The process's options, less those only a script given as text takes (`node --input-type=module -e …`).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    // A small young generation: the thread allocates little (a batch's parameters), and its default semi-spaces were
    // about 2.5 MB of the process's idle resident memory. Old space is left unlimited: a thread that ran out of memory
    // would fail the batch in hand.
    const worker = new Worker(new URL('./writer-boot.mjs', import.meta.url), { workerData: data, execArgv, resourceLimits: { maxYoungGenerationSizeMb: 1 } });
    // An idle thread never keeps the process alive (send() holds it while a write is under way).
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiting.resolve();
      else waiting.reject(Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {}));
    });
    const failAll = (err: Error) => {
      if (this.worker === worker) this.worker = undefined; // the next write starts a new thread
      for (const [, waiting] of this.pending) waiting.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => failAll(new Error(`the store's writer thread failed: ${err.message}`)));
    worker.on('exit', (code) => failAll(new Error(`the store's writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
