import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { knowledgeVersion } from '../../adapters/store/knowledge-version.ts';
import { MAX_STORED_QUESTION_CHARS, type StoredQuestion } from '../../adapters/store/records.ts';
import { answer, ownScope } from '../../src/index.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { SKIP_POSTGRES, createTestSchema, type TestSchema } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { filledModal } from '../helpers/slack-modal.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';

// What the store holds after people use the product: signed Slack requests and Teams activities against the
// running app, then the store read back. Every question (capped text, platform, user, topic or none, confidence)
// and every recommendation (id, time, platform, user, channel, message, link, customer, requirements, verdict,
// confidence, knowledge version) is recorded after the reply has gone. Tests wait on the Slack drain and the
// recorder's flush, never on a fixed sleep.

type Block = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;


async function teams(h: BothPlatforms, fields: Record<string, unknown>) {
  const res = await fetch(`${h.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(h.connector.url, fields)) });
  expect(res.status).toBeLessThan(300);
  return h.connector.calls.splice(0);
}

/** Everything handed to the recorder so far has been written (or given up on). */
async function recorded(h: BothPlatforms): Promise<void> {
  await h.product.slack!.drain();
  await h.product.store.recorder.flush();
}

async function questions(h: BothPlatforms): Promise<StoredQuestion[]> {
  const all: StoredQuestion[] = [];
  for await (const q of h.product.store.store!.exportQuestions(new Date(0))) all.push(q);
  return all;
}

function recording(kind: 'SQLite' | 'PostgreSQL', env: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`what the ${kind} store holds`, () => {
    let h: BothPlatforms;
    let cleanup: (() => Promise<void>) | undefined;
    const kb = fixtureKnowledge();
    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      h = await startBothPlatforms({ ...made.env, STORE_WRITES: 'thread' }); // as deployed: records written on their own thread
      expect(h.product.store.store, 'the store is open').toBeDefined();
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await cleanup?.();
    });

    it('a Slack slash-command question: text, platform, user, the topic answered and its confidence', async () => {
      const text = 'can we do video calls on api?';
      const reply = await h.slack.command(text, { user_id: 'U_ASKER1' });
      expect(reply.json().blocks).toBeDefined(); // answered in the ack
      await recorded(h);
      const expected = answer(text, kb);
      expect(expected.topic).not.toBeNull();
      const q = (await questions(h)).find((r) => r.userId === 'U_ASKER1');
      expect(q).toMatchObject({ platform: 'slack', userId: 'U_ASKER1', question: text, topic: expected.topic });
      expect(q!.confidence).toBeCloseTo(expected.confidence, 5);
      expect(q!.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    });

    it('a question it could not answer is recorded with no topic; help and compare are not questions', async () => {
      await h.slack.command('what is the weather in Lisbon tomorrow', { user_id: 'U_ASKER2' });
      await h.slack.command('help', { user_id: 'U_ASKER2' });
      await h.slack.command('', { user_id: 'U_ASKER2' });
      await recorded(h);
      const mine = (await questions(h)).filter((r) => r.userId === 'U_ASKER2');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ question: 'what is the weather in Lisbon tomorrow', topic: null, platform: 'slack' });
    });

    it('a Slack DM question is recorded once, even when Slack redelivers it', async () => {
      const body = h.slack.eventBody({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_DMER', text: 'do group chats work on coexistence?', ts: '7.1', event_ts: '7.1' }, `EvRECORD${kind}`);
      await h.slack.post(body, 'application/json');
      await h.slack.redeliver(body);
      await recorded(h);
      const mine = (await questions(h)).filter((r) => r.userId === 'U_DMER');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ platform: 'slack', question: 'do group chats work on coexistence?' });
    });

    it('a very long question is stored capped', async () => {
      const long = `calls ${'x'.repeat(3000)}`;
      await h.slack.command(long, { user_id: 'U_LONG' });
      await recorded(h);
      const [q] = (await questions(h)).filter((r) => r.userId === 'U_LONG');
      expect(q!.question).toHaveLength(MAX_STORED_QUESTION_CHARS);
      expect(long.startsWith(q!.question)).toBe(true);
    });

    it('a Slack recommendation: id, platform, user, channel, the posted message and its link, customer, requirements, verdict, confidence, knowledge version', async () => {
      h.fake.reset();
      await h.slack.command('recommend', { user_id: 'U_SELLER' });
      const [open] = await h.fake.waitFor('views.open');
      const view: Block = open!.args.view;
      const values = filledModal(view, { customer: '<!channel> Acme & Co', country: 'IN', agents: '12', needs: ['calls'] });
      const before = Date.now();
      expect((await h.slack.interaction({ type: 'view_submission', team: { id: 'T1', domain: 'test' }, user: { id: 'U_SELLER', team_id: 'T1' }, api_app_id: 'A1', token: 'legacy', trigger_id: 't', view: { id: 'V_REC1', team_id: 'T1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', blocks: view.blocks, state: { values }, hash: 'h' } })).status).toBe(200);
      await recorded(h);
      const [post] = h.fake.callsTo('chat.postMessage');
      expect(post).toBeDefined();
      const history = await h.product.store.store!.history({ scope: ownScope({ platform: 'slack', workspace: 'T1', userId: 'U_SELLER' }) });
      expect(history).toHaveLength(1);
      const r = history[0]!;
      expect(r.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(r).toMatchObject({
        platform: 'slack',
        userId: 'U_SELLER',
        workspace: 'T1', // the workspace it was made in: who may see it depends on it
        channelId: 'C_DEALS',
        customer: '<!channel> Acme & Co',
        knowledgeVersion: knowledgeVersion(h.product.knowledge),
      });
      expect(r.messageRef).toMatch(/^\d+\.\d+$/);
      expect(r.messageLink).toBe(`https://test.slack.invalid/archives/C_DEALS/p${r.messageRef!.replace('.', '')}`);
      expect(r.requirements).toMatchObject({ country: 'IN', agents: 12, needs: ['calls'] });
      expect(['coexistence', 'api-only']).toContain(r.setup);
      expect(['high', 'medium', 'low']).toContain(r.confidence);
      // The verdict recorded is the one posted.
      expect(JSON.stringify(post!.args.blocks)).toContain(r.recommendation.summary.split('.')[0]!.slice(0, 20));
    });

    it('a Teams question and a Teams recommendation, with the AAD object id as the user', async () => {
      const replies = await teams(h, { text: 'can we do video calls on api?', from: { id: '29:user-teams', name: 'Teams Person', aadObjectId: 'aad-recorder' } });
      expect(replies).toHaveLength(1);
      const submitted = await teams(h, {
        text: '',
        replyToId: 'form-card-rec',
        from: { id: '29:user-teams', name: 'Teams Person', aadObjectId: 'aad-recorder' },
        value: { action: 'recommend.submit', customer: 'Teams Customer', country: 'IN', needs_0: 'calls' },
      });
      expect(submitted).toHaveLength(1);
      await h.product.store.recorder.flush();
      const q = (await questions(h)).filter((r) => r.userId === 'aad-recorder');
      expect(q).toHaveLength(1);
      expect(q[0]).toMatchObject({ platform: 'teams', question: 'can we do video calls on api?', topic: answer('can we do video calls on api?', kb).topic });
      const [r] = await h.product.store.store!.history({ scope: ownScope({ platform: 'teams', workspace: 'tenant-1', userId: 'aad-recorder' }) });
      expect(r).toMatchObject({ platform: 'teams', workspace: 'tenant-1', customer: 'Teams Customer', channelId: 'a:personal-chat-1', messageRef: 'form-card-rec', knowledgeVersion: knowledgeVersion(h.product.knowledge) });
      expect(r!.requirements).toMatchObject({ country: 'IN', needs: ['calls'] });
    });
  });
}

recording('SQLite', async () => ({ env: {}, cleanup: async () => {} }));

describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => {
  let schema: TestSchema;
  recording('PostgreSQL', async () => {
    schema = await createTestSchema();
    return { env: { DATABASE_URL: schema.url }, cleanup: async () => {} };
  });

  describe('a store that is slow never holds up a reply', () => {
    let h: BothPlatforms;
    let locker: pg.Client | undefined;
    beforeAll(async () => {
      schema = await createTestSchema();
      h = await startBothPlatforms({ DATABASE_URL: schema.url, STORE_WRITES: 'thread' });
    });
    afterAll(async () => {
      await locker?.end().catch(() => {});
      await stopBothPlatforms(h);
    });

    it('with the questions table locked, questions are answered at once; the records are written once the lock goes', async () => {
      locker = new pg.Client({ connectionString: schema.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table questions in access exclusive mode');
      // A first question: its record's insert is now stuck behind the lock.
      expect((await h.slack.command('can we do video calls on api?', { user_id: 'U_FIRST' })).status).toBe(200);
      // (The waiting statement is still being parsed, so pg_stat_activity does not show its text yet.)
      const stuck = async () => {
        // Inside the locker's transaction pg_stat_activity is a snapshot taken at its first read: take a new one.
        await locker!.query('select pg_stat_clear_snapshot()');
        const { rows } = await locker!.query(`select count(*)::int as n from pg_stat_activity where application_name = 'coexist-advisor' and wait_event_type = 'Lock'`);
        return rows[0].n as number;
      };
      await expect.poll(stuck, { timeout: 5000, interval: 20 }).toBe(1);
      // While it is stuck, people are still answered, in Slack and in Teams.
      const reply = await h.slack.command('do group chats work?', { user_id: 'U_WAITER' });
      expect(reply.status).toBe(200);
      expect(reply.json().blocks).toBeDefined();
      expect(await teams(h, { text: 'can we do video calls on api?' })).toHaveLength(1);
      // The product's insert is still, or again, waiting on the lock: under load these steps can outlast the 5 s query
      // deadline, which cuts the insert, and the recorder retries it within 5 s.
      await expect.poll(stuck, { timeout: 10_000, interval: 50 }).toBe(1);
      await locker.query('commit');
      await recorded(h);
      const users = (await questions(h)).map((q) => q.userId).sort();
      expect(users).toEqual(['U_FIRST', 'U_WAITER', 'aad-asha']);
    });
  });
});

describe('a broken store (a file where DATA_DIR should be)', () => {
  let h: BothPlatforms;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coexist-broken-'));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    // A short claim deadline: every claim waits for a store that never opens (5 s each by default), then acts.
    h = await startBothPlatforms({ DATA_DIR: path.join(dir, 'file'), STORE_WRITES: 'thread' }, { store: { claimDeadlineMs: 300, recorder: { backoffMs: [50] } } });
  });
  afterAll(async () => {
    await stopBothPlatforms(h);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every question and posts every recommendation; the failures are counted', async () => {
    expect(h.product.store.store).toBeUndefined();
    const reply = await h.slack.command('can we do video calls on api?');
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.json().blocks)).toMatch(/video calls/i);

    await h.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'group chats', ts: '3.1', event_ts: '3.1' });
    await h.fake.waitFor('chat.postMessage');

    await h.slack.command('recommend');
    const [open] = await h.fake.waitFor('views.open');
    const view: Block = open!.args.view;
    expect((await h.slack.submit({ ...view, id: 'V_BROKEN' }, filledModal(view, { customer: 'Still Served', country: 'IN', needs: ['calls'] }))).status).toBe(200);
    await h.fake.waitFor('chat.postMessage', (args) => JSON.stringify(args.blocks).includes('Still Served'));

    expect(await teams(h, { text: 'can we do video calls on api?' })).toHaveLength(1);
    expect(await teams(h, { text: '', replyToId: 'broken-form', value: { action: 'recommend.submit', customer: 'Teams Still Served', country: 'IN' } })).toHaveLength(1);

    await recorded(h); // the writes failed (and are retried in the background): the flush does not hang
    const metrics = await (await fetch(`${h.product.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^coexist_store_errors_total\{operation="write"\} [1-9]/m);
    expect(metrics).toMatch(/^coexist_store_errors_total\{operation="claim"\} [1-9]/m);
  });
});
