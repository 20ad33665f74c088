import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { SKIP_POSTGRES, createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, buttonsOf } from '../helpers/slack-client.ts';
import { filledModal } from '../helpers/slack-modal.ts';

// Several replicas behind one load balancer: two real products sharing one store (PostgreSQL, as in production;
// and one SQLite file, two products in one process), one fake Slack. The same signed delivery reaching both
// replicas (a redelivered event, a form submitted twice, a double-clicked Share) is acted on once: the duplicate
// is refused by the key claimed in the shared store, not by either process's memory.

type Block = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;

function replicas(kind: 'PostgreSQL' | 'SQLite', makeEnv: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`two replicas on one ${kind} store`, () => {
    let fake: FakeSlack;
    let a: Product;
    let b: Product;
    let toA: SlackClient;
    let toB: SlackClient;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      fake = await new FakeSlack().start();
      const made = await makeEnv();
      cleanup = made.cleanup;
      const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, STORE_WRITES: 'thread', ...made.env };
      // One after the other, as a rolling deploy starts them: the first migrates, the second finds it done.
      a = await startTestProduct(env);
      await a.storeStarted;
      b = await startTestProduct(env);
      await b.storeStarted;
      for (const p of [a, b]) expect(await p.store.readiness()).toMatchObject({ ready: true });
      toA = new SlackClient(a.url, SIGNING_SECRET, fake.url);
      toB = new SlackClient(b.url, SIGNING_SECRET, fake.url);
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await fake?.stop();
      await cleanup?.();
    });
    beforeEach(() => fake.reset());

    const settled = () => Promise.all([a.slack!.drain(), b.slack!.drain()]);

    it('the same view_submission delivered to both posts one recommendation', async () => {
      await toA.command('recommend');
      const [open] = await fake.waitFor('views.open');
      const view: Block = { ...(open!.args.view as Block), id: `V_TWICE_${kind}` };
      const values = filledModal(view, { customer: 'Twice Ltd', country: 'IN', needs: ['calls'] });
      const [first, second] = await Promise.all([toA.submit(view, values), toB.submit(view, values)]);
      expect([first.status, second.status]).toEqual([200, 200]);
      await settled();
      const posts = fake.callsTo('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(JSON.stringify(posts[0]!.args.blocks)).toContain('Twice Ltd');
      // One of the two replicas saw the duplicate and said so.
      expect([...a.logs.lines, ...b.logs.lines].filter((l) => /duplicate submission of view V_TWICE/.test(String(l.msg)))).toHaveLength(1);
    });

    it('an event and its redelivery (X-Slack-Retry-Num) reaching different replicas are answered once', async () => {
      const body = toA.eventBody({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'green tick', ts: '9.1', event_ts: '9.1' }, `EvREPLICA${kind}`);
      const [first, retry] = await Promise.all([toA.post(body, 'application/json'), toB.redeliver(body)]);
      expect([first.status, retry.status]).toEqual([200, 200]);
      await settled();
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    });

    it('a Share double-clicked, the clicks reaching different replicas, posts once', async () => {
      const answer = (await toA.command('video calls')).json();
      const share = buttonsOf(answer.blocks).find((e) => e.action_id === 'share_in_channel')!;
      await Promise.all([toA.click(share), toB.click(share)]);
      await settled();
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    });

    it('different deliveries are not mistaken for duplicates: two events, two answers', async () => {
      const dm = { type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'green tick' };
      await Promise.all([toA.event({ ...dm, ts: '10.1', event_ts: '10.1' }), toB.event({ ...dm, ts: '10.2', event_ts: '10.2' })]);
      await settled();
      expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    });
  });
}

describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => {
  let schema: TestSchema;
  replicas('PostgreSQL', async () => {
    schema = await createTestSchema();
    return { env: { DATABASE_URL: schema.url }, cleanup: async () => {} };
  });
});

replicas('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-replicas-'));
  return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
