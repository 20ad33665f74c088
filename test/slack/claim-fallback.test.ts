import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { SKIP_POSTGRES, TEST_DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';
import { filledModal } from '../helpers/slack-modal.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

// When the shared store stalls (PostgreSQL behind a TCP proxy on 127.0.0.1 that holds every byte), a submitted form
// cannot be claimed in time. For a recommendation a duplicate is better than nothing: it is posted anyway, once the
// claim deadline has passed, and the fallback is counted where an operator looks.

type Block = Record<string, any>;

describe.skipIf(SKIP_POSTGRES)('a recommendation submitted while the store stalls', () => {
  let fake: FakeSlack;
  let schema: TestSchema;
  let proxy: TcpProxy;
  let product: Awaited<ReturnType<typeof startTestProduct>>;

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    schema = await createTestSchema();
    proxy = await TcpProxy.forUrl(TEST_DATABASE_URL).start();
    product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATABASE_URL: proxy.url(schema.url) });
    await product.storeStarted;
  });
  afterAll(async () => {
    await product?.stop();
    await proxy?.stop();
    await fake?.stop();
  });

  it('is posted once the claim deadline passes, and coexist_store_claim_fallbacks_total says so', async () => {
    const slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
    await slack.command('recommend Stalled Ltd');
    const [open] = await fake.waitFor('views.open');
    const view: Block = { ...(open!.args.view as Block), id: 'V_STALLED' };
    proxy.stall();
    const t0 = Date.now();
    const ack = await slack.submit(view, filledModal(view, { customer: 'Stalled Ltd', country: 'IN', needs: ['calls'] }));
    expect(ack.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000); // the ack never waits for the claim
    await product.slack!.drain();
    const posts = fake.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.args.blocks)).toContain('Stalled Ltd');
    proxy.resume();
    const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/coexist_store_claim_fallbacks_total\{use="slack:view",decision="act"\} 1/);
    expect(product.logs.lines.some((l) => l.operation === 'claim' && l.use === 'slack:view' && /duplicate is possible/.test(l.decision))).toBe(true);
  }, 30_000);
});
