import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type Store } from './store.ts';
import { WRITER_NICE, type WriterData, type WriterReply, type WriterRequest } from './writer.ts';

// The writer thread's body (see writer.ts): one connection to the store, one batch at a time, in the order handed
// over. The schema is the main thread's business: it has migrated before the first batch is handed over.

const { target } = workerData as WriterData;

// Below the requests in the scheduler's eyes: on a busy machine the thread that answers people runs first, and the
// writes catch up in the gaps (the recorder's queue holds them meanwhile). Linux gives each thread its own nice value;
// elsewhere this does nothing.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, WRITER_NICE);
} catch {
  // No /proc, or not allowed: the thread runs at the process's priority.
}
let store: Promise<Store> | undefined;
let queue: Promise<void> = Promise.resolve();

const port = parentPort!;

async function handle(request: WriterRequest): Promise<void> {
  let reply: WriterReply;
  try {
    if ('close' in request) {
      const open = store;
      store = undefined;
      if (open) await (await open).close();
    } else {
      store ??= openStore(target).catch((err: unknown) => {
        store = undefined; // the next batch tries again
        throw err;
      });
      const s = await store;
      await s.recordQuestions(request.batch.questions);
      await s.recordRecommendations(request.batch.recommendations);
      await s.recordFeedback(request.batch.feedback);
    }
    reply = { id: request.id, ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
  }
  port.postMessage(reply);
  if ('close' in request) port.close();
}

port.on('message', (request: WriterRequest) => {
  queue = queue.then(() => handle(request));
});
