import { parentPort, workerData } from 'node:worker_threads';
import { openPostgresPool, openSqliteDatabase, type SqliteConnection } from './store.ts';
import type { CompiledWrite } from './store-queries.ts';
import type { WriterData, WriterReply, WriterRequest } from './writer.ts';

// The writer thread's body (see writer.ts): one connection to the store, one batch at a time, in the order handed
// over. The schema is the main thread's business: it has migrated before the first batch is handed over. The main
// thread compiles each batch with the store's one query layer (compileWrites() in store-queries.ts); this thread only
// runs the SQL it is given, so it loads the database driver and not Kysely (about 5 MB less resident memory).

const { target } = workerData as WriterData;

/** A connection as this thread uses it: run a statement, check the database answers, close. */
interface Connection {
  run(write: CompiledWrite): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

async function connect(): Promise<Connection> {
  if (target.kind === 'sqlite') {
    const database: SqliteConnection = await openSqliteDatabase(target.file);
    // The same few statements come again and again: prepared once each (as the main thread's store does).
    const prepared = new Map<string, ReturnType<SqliteConnection['prepare']>>();
    const statement = (text: string) => {
      let s = prepared.get(text);
      if (!s) {
        s = database.prepare(text);
        if (prepared.size >= 256) prepared.delete(prepared.keys().next().value!);
        prepared.set(text, s);
      }
      return s;
    };
    return {
      run: async (w) => void statement(w.sql).run(w.parameters),
      ping: async () => void statement('select 1').get(),
      close: async () => database.close(),
    };
  }
  const pool = await openPostgresPool(target.url);
  return {
    run: async (w) => void (await pool.query(w.sql, [...w.parameters])),
    ping: async () => void (await pool.query('select 1')),
    close: () => pool.end(),
  };
}

// The thread runs at the process's priority. It ran at nice 10 to leave the cores to the thread answering people, but
// on a busy host it was starved: acked questions waited in memory for seconds, and a kill -9 lost them all.
let connection: Promise<Connection> | undefined;
let queue: Promise<void> = Promise.resolve();

const port = parentPort!;

async function handle(request: WriterRequest): Promise<void> {
  let reply: WriterReply;
  try {
    if ('close' in request) {
      const open = connection;
      connection = undefined;
      if (open) await (await open).close();
    } else {
      connection ??= connect().catch((err: unknown) => {
        connection = undefined; // the next batch tries again
        throw err;
      });
      const c = await connection;
      if ('open' in request) await c.ping();
      else for (const write of request.writes) await c.run(write);
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
