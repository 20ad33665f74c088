import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type Store } from './store.ts';
import type { WriterData, WriterReply, WriterRequest } from './writer.ts';

// The writer thread's body (see writer.ts): one connection to the store, one batch at a time, in the order handed
// over. The schema is the main thread's business: it has migrated before the first batch is handed over.

const { target } = workerData as WriterData;

// The thread runs at the process's priority. It ran at nice 10 to leave the cores to the thread answering people, but
// on a busy host it was starved: acked questions waited in memory for seconds, and a kill -9 lost them all.
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
      if ('open' in request) await s.ping();
      else {
        await s.recordQuestions(request.batch.questions);
      await s.recordRecommendations(request.batch.recommendations);
        await s.recordFeedback(request.batch.feedback);
      }
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
