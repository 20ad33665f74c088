import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, sqliteTarget } from '../../adapters/store/store.ts';
import { startChildProduct } from '../helpers/child-product.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';

// What an acked question guarantees: once a replica is ready (/readyz 200), a question it has acked is in the store
// within the recorder's flush interval (20 ms, then one write) even when both cores are busy, so a kill -9 loses only
// what was acked in that last moment. The test asks continuously (20 at a time) from the moment the product is ready,
// kills it with SIGKILL 3 s into the burst, and expects every question acked 500 ms or more before the kill in the
// store. (Before: the writer thread started on the first write, at nice 10, and was starved: nothing was stored.)

const KILL_AFTER_MS = 500;

function busyCores(): ChildProcess[] {
  return [0, 1].map(() => spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
}

async function untilReady(url: string): Promise<void> {
  const until = Date.now() + 20_000;
  while ((await fetch(`${url}/readyz`)).status !== 200) {
    if (Date.now() > until) throw new Error('not ready within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stores: [string, boolean, () => Promise<{ env: Record<string, string>; texts: () => Promise<string[]>; cleanup: () => Promise<void> }>][] = [
  [
    'SQLite',
    false,
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'coexist-durability-'));
      return {
        env: { DATA_DIR: dir },
        texts: async () => {
          const store = await openStore(sqliteTarget(dir), { create: false });
          const texts: string[] = [];
          for await (const q of store.exportQuestions(new Date(0))) texts.push(q.question);
          await store.close();
          return texts;
        },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    SKIP_POSTGRES,
    async () => {
      const schema = await createTestSchema();
      return {
        env: { DATABASE_URL: schema.url },
        texts: async () => {
          const c = new pg.Client({ connectionString: schema.url });
          await c.connect();
          const { rows } = await c.query<{ text: string }>('select text from questions');
          await c.end();
          return rows.map((r) => r.text);
        },
        cleanup: () => schema.drop(),
      };
    },
  ],
];

describe.each(stores)('kill -9 after a burst, on %s, both cores busy', (_name, skip, make) => {
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(() => connector?.stop());

  it.skipIf(skip)(`SIGKILL mid-burst: every question acked ${KILL_AFTER_MS} ms or more before it is in the store`, async () => {
    const store = await make();
    const burners = busyCores();
    try {
      const product = await startChildProduct({ STORE_WRITES: 'thread', ...store.env });
      await untilReady(product.managementUrl);
      // The Teams face (botbuilder) loads on the first activity: loaded before the burst.
      expect(await product.ask('warm up', connector.url)).toBe(200);
      const ackedAt = new Map<string, number>();
      let i = 0;
      let killedAt = 0;
      const startedAt = Date.now();
      const killer = new Promise<void>((resolve) =>
        setTimeout(() => {
          killedAt = Date.now();
          product.kill('SIGKILL');
          resolve();
        }, 3000),
      );
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (!killedAt) {
            const text = `can we do video calls on the api? ${i++}`;
            const status = await product.ask(text, connector.url).catch(() => 0);
            if (status === 200 && !killedAt) ackedAt.set(text, Date.now());
          }
        }),
      );
      await killer;
      expect(await product.exited).toBe('SIGKILL');
      const due = [...ackedAt].filter(([, at]) => at <= killedAt - KILL_AFTER_MS).map(([text]) => text);
      expect(due.length, `acked ${ackedAt.size} in ${killedAt - startedAt} ms`).toBeGreaterThan(20);
      const stored = new Set(await store.texts());
      expect(due.filter((text) => !stored.has(text)), `${due.length} acked ${KILL_AFTER_MS} ms before the kill, ${stored.size} stored`).toEqual([]);
    } finally {
      for (const b of burners) b.kill('SIGKILL');
      await store.cleanup();
    }
  }, 60_000);
});
