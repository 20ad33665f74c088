import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, buttonsOf } from '../helpers/slack-client.ts';
import { filledModal } from '../helpers/slack-modal.ts';

// The audit's probe, as a test: two replicas started together on one store (a rolling deploy), and the same
// delivery sent to both in their first second, while their stores are still opening and migrating (one waits for
// the other's lock). Before claims waited for the store, each replica fell back to its own memory and both posted
// (3 runs of 8). Twenty fresh starts per store, each checking a form submitted to both, an event and its redelivery,
// and a Share clicked twice: exactly one post each time.

type Block = Record<string, any>;
const RUNS = 20;

function startedTogether(kind: string, makeEnv: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`two replicas started together on one ${kind} store, within their first second`, () => {
    let fake: FakeSlack;
    // What the clicks and the submit carry (the modal and an answer's Share), taken once from a product of its own
    // before the runs: each run then sends everything the moment its two replicas are up, well inside their first
    // second even on a busy machine (drawing them through replica A first took up to 1 s under load).
    let modal: Block;
    let share: { action_id: string; value?: string };
    beforeAll(async () => {
      fake = await new FakeSlack().start();
      const dir = mkdtempSync(path.join(tmpdir(), 'coexist-replicas-draw-'));
      const p = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: dir });
      try {
        const to = new SlackClient(p.url, SIGNING_SECRET, fake.url);
        await to.command('recommend Replica Corp');
        modal = (await fake.waitFor('views.open'))[0]!.args.view as Block;
        share = buttonsOf((await to.command('video calls')).json().blocks).find((e) => e.action_id === 'share_in_channel')!;
      } finally {
        await p.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
    afterAll(() => fake?.stop());

    it(`post once, ${RUNS} starts of ${RUNS}: a submitted form, a redelivered event and a double-clicked Share`, async () => {
      const outcomes: string[] = [];
      for (let run = 0; run < RUNS; run++) {
        const made = await makeEnv();
        fake.reset();
        const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...made.env };
        const [a, b] = await Promise.all([startTestProduct(env), startTestProduct(env)]);
        const startedAt = Date.now();
        try {
          const toA = new SlackClient(a.url, SIGNING_SECRET, fake.url);
          const toB = new SlackClient(b.url, SIGNING_SECRET, fake.url);
          const settled = () => Promise.all([a.slack!.drain(), b.slack!.drain()]);
          const posts = () => fake.callsTo('chat.postMessage').length;

          const view: Block = { ...modal, id: `V_START_${kind}_${run}` };
          const values = filledModal(view, { customer: 'Replica Corp', country: 'IN', needs: ['calls'] });
          const body = toA.eventBody({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'green tick', ts: `${run}.1`, event_ts: `${run}.1` }, `EvStart${kind}${run}`);
          // All three pairs are sent before either store has had its first second.
          const sent = Promise.all([toA.submit(view, values), toB.submit(view, values), toA.post(body, 'application/json'), toB.redeliver(body), toA.click(share), toB.click(share)]);
          const sentWithin = Date.now() - startedAt;
          const statuses = (await sent).map((r) => r.status);
          await settled();
          const calls = fake.callsTo('chat.postMessage').map((c) => JSON.stringify(c.args));
          const count = (needle: string) => calls.filter((c) => c.includes(needle)).length;
          outcomes.push(`run ${run}: sent after ${sentWithin} ms, statuses ${statuses.join(',')}, recommendation ${count('Replica Corp')}, answer to the DM ${calls.filter((c) => c.includes('"channel":"D1"')).length}, posts ${posts()}`);
          expect(sentWithin).toBeLessThan(1000);
          expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
          expect(count('Replica Corp'), outcomes.at(-1)).toBe(1);
          expect(calls.filter((c) => c.includes('"channel":"D1"')), outcomes.at(-1)).toHaveLength(1);
          // The recommendation, the DM's answer and the shared answer: three posts, never a fourth.
          expect(posts(), outcomes.at(-1)).toBe(3);
        } finally {
          await Promise.all([a.stop(), b.stop()]);
          await made.cleanup();
        }
      }
      expect(outcomes).toHaveLength(RUNS);
    }, 240_000);
  });
}

describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => {
  startedTogether('PostgreSQL', async () => {
    const schema = await createTestSchema();
    return { env: { DATABASE_URL: schema.url }, cleanup: async () => {} };
  });
});

startedTogether('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-replicas-start-'));
  return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
