import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../adapters/store/store.ts';
import { SKIP_POSTGRES, TEST_DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

// A PostgreSQL query past its deadline is cancelled by cutting its connection, so a stalled network never leaves the
// pool's few connections held (max 4): once the network is back, the next query gets a fresh connection at once.

describe.skipIf(SKIP_POSTGRES)('the PostgreSQL query deadline', () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let store: Store;

  beforeAll(async () => {
    schema = await createTestSchema();
    proxy = await TcpProxy.forUrl(TEST_DATABASE_URL).start();
    store = await openStore({ kind: 'postgres', url: proxy.url(schema.url) }, { queryDeadlineMs: 400 });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.stop();
  });

  it('cuts the connection of every query the stall holds, and the store answers as soon as the network is back', async () => {
    await store.ping();
    proxy.stall();
    // Twice the pool's size: had the stalled queries kept their connections, the pool would be exhausted.
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.claim(`stalled-${Math.random()}`, 60_000)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    const reasons = outcomes.map((o) => String((o as PromiseRejectedResult).reason?.message));
    // The queries that had a connection were cut at the deadline; the others waited for a new connection, which the
    // stall held until the pool's connection timeout.
    expect(reasons.filter((r) => r === 'query cancelled after 400 ms').length, reasons.join('; ')).toBeGreaterThan(0);
    expect(reasons.every((r) => r === 'query cancelled after 400 ms' || /timeout exceeded when trying to connect/.test(r)), reasons.join('; ')).toBe(true);
    proxy.resume();
    const t0 = Date.now();
    expect(await store.claim('after the stall', 60_000)).toBe(true);
    // Well under the pool's 3 s connection timeout: no query waited for a connection held by the stall.
    expect(Date.now() - t0).toBeLessThan(2500);
  }, 20_000);
});
