import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildProduct, type ChildProduct } from '../helpers/child-product.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { SKIP_POSTGRES, TEST_DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

// PostgreSQL behind a network that fails, as the audit made it fail: a TCP proxy on 127.0.0.1 that the test controls
// sits between the product (its own process, with its writer thread) and the machine's PostgreSQL. The database
// itself is never stopped.

async function storedQuestions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from questions');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(SKIP_POSTGRES)('PostgreSQL partitioned, then its connections reset', () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let connector: FakeConnector;
  let product: ChildProduct | undefined;

  beforeAll(async () => {
    schema = await createTestSchema();
    proxy = await TcpProxy.forUrl(TEST_DATABASE_URL).start();
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    product?.kill();
    await proxy?.stop();
    await connector?.stop();
    await schema?.drop();
  });

  it('the process keeps serving, and the questions acked during the partition are stored once the network is back', async () => {
    product = await startChildProduct({ DATABASE_URL: proxy.url(schema.url), STORE_WRITES: 'thread' });
    const before = await Promise.all(Array.from({ length: 5 }, (_, i) => product!.ask(`can we make video calls on the api? before ${i}`, connector.url)));
    expect(before).toEqual([200, 200, 200, 200, 200]);
    await eventually(async () => (await storedQuestions(schema.url)) === 5, 10_000, 'the first questions stored');
    expect((await fetch(`${product.managementUrl}/readyz`)).status).toBe(200);

    // The partition: every byte held both ways. Questions are still answered (the store is never waited on).
    proxy.stall();
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => product!.ask(`does coexistence keep the phone app? during ${i}`, connector.url)));
    expect(during.every((s) => s === 200)).toBe(true);
    // A load balancer keeps probing /readyz: each probe's query checks out a connection that now hangs.
    const probes: number[] = [];
    for (let i = 0; i < 10; i++) {
      void fetch(`${product.managementUrl}/readyz`).then((r) => probes.push(r.status), () => probes.push(0));
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes).not.toContain(200);
    // The network comes back by resetting what it held: the connections in use get "Connection terminated
    // unexpectedly" ('error' on a checked-out pg client). Before the fix this killed the process, 5 runs of 5.
    expect(proxy.reset()).toBeGreaterThan(0);
    proxy.resume();
    await new Promise((r) => setTimeout(r, 300));
    expect(product.alive(), `the product exited: ${JSON.stringify(product.lines.slice(-3))}`).toBe(true);

    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => product!.ask(`green tick on the api? after ${i}`, connector.url)));
    expect(after).toEqual([200, 200, 200, 200, 200]);
    expect(product.alive()).toBe(true);
    // Nothing acked is lost: the writes that failed in the partition are retried on a new connection.
    await eventually(async () => (await storedQuestions(schema.url)) === 30, 30_000, 'all 30 acked questions stored');
    const ready = await fetch(`${product.managementUrl}/readyz`);
    expect(ready.status).toBe(200);
    // The operator's log: readiness lost once (not a line per probe), and back once.
    expect(product.lines.filter((l) => /^not ready: /.test(String(l.msg))).map((l) => l.level)).toEqual([40]);
    expect(product.lines.filter((l) => /^ready again/.test(String(l.msg)))).toHaveLength(1);
    expect(product.alive()).toBe(true);
  }, 60_000);
});
