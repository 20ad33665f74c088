import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInKnowledge, type RequirementsInput } from '../../src/index.ts';
import type { RecommendationRecord } from '../../adapters/store/records.ts';
import { closedPort } from '../helpers/closed-port.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { mps25, mpsReworded } from '../helpers/knowledge-copy.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { postgresTestStore, recordedUnder, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// After a deploy that raises Co-Existence's MPS from 20 to 25, the posted recommendation whose verdict flips (a 22 MPS
// customer) gets one note in its Slack thread, whichever replicas start: two products on one store, the note posted
// once through the fake Slack Web API; its button opens the updated recommendation; the report lists it.

const builtIn = builtInKnowledge();
const raised = mps25();
const OWNER = 'U0OWNER';

/** A recommendation made in workspace T1 a day ago, recorded under the built-in knowledge. */
const made = (input: RequirementsInput, extra: Partial<RecommendationRecord>): RecommendationRecord =>
  recordedUnder(builtIn, input, { workspace: 'T1', at: Date.now() - 86_400_000, ...extra });

/** Every text a Block Kit structure shows. */
const textOf = (x: unknown): string => JSON.stringify(x);

function suite(kind: string, open: () => Promise<TestStore>, replicas: number) {
  describe(`a recheck note in Slack on ${kind} (${replicas} replica${replicas > 1 ? 's' : ''})`, () => {
    let t: TestStore;
    let fake: FakeSlack;
    let products: Awaited<ReturnType<typeof startTestProduct>>[] = [];
    /** The note as posted (the fake forgets it when a test resets it). */
    let note: { args: Record<string, any> } | undefined;
    // A 22 MPS customer who wants the phone app (flips), one with 10 (stays), both posted in #deals, in threads of their own.
    const flips = made({ customer: 'Acme <!channel> 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { messageRef: '1733000000.000222' });
    const stays = made({ customer: 'Small 10', country: 'IN', agents: 2, peakMps: 10, needs: ['phone-app'] }, { messageRef: '1733000000.000010' });

    beforeAll(async () => {
      t = await open();
      await t.store.recordRecommendations([flips, stays]);
      fake = await new FakeSlack().start();
      const env = { ...t.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_FILE: raised.file, KNOWLEDGE_OWNERS: OWNER, TEAMS_ENABLED: 'false' };
      products = await Promise.all(Array.from({ length: replicas }, () => startTestProduct(env)));
      await Promise.all(products.map((p) => p.recheck));
    });
    afterAll(async () => {
      for (const p of products) await p.stop();
      await fake?.stop();
      await t?.cleanup();
    });

    it('one note, in the flipped recommendation\'s thread, saying what changed and the new verdict', async () => {
      const posts = fake.callsTo('chat.postMessage');
      expect(posts).toHaveLength(1);
      const [post] = posts;
      note = post;
      expect(post!.args).toMatchObject({ channel: 'C0DEALS', thread_ts: '1733000000.000222' });
      const shown = textOf(post!.args.blocks);
      expect(shown).toContain('Co-Existence throughput is now 25 messages per second (was 20).');
      expect(shown).toContain('*Then:* ⚙️ WhatsApp Business API only');
      expect(shown).toContain('*Now:* 📱 WhatsApp Co-Existence');
      expect(shown).toContain(flips.id);
      expect(shown).toContain('Open the updated recommendation');
      // The customer's name is user text: it never pings the channel.
      for (const s of mrkdwnStrings(post!.args.blocks)) expect(s).not.toContain('<!channel>');
      expect(post!.args.text).not.toContain('<!channel>');
      expect(slackLimitViolations({ blocks: post!.args.blocks, text: post!.args.text })).toEqual([]);
      const outcomes = await Promise.all(products.map((p) => p.recheck));
      expect(outcomes.filter((o) => o.ran)).toEqual([expect.objectContaining({ checked: 2, changed: 1, noted: 1, failed: 0 })]);
      const lines = products.flatMap((p) => p.logs.lines).filter((l) => l.job === 'recheck' && /^recheck of the last 90 days/.test(l.msg));
      expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/checked 2, changed 1, noted 1, failed 0$/)]);
    });

    it('Open the updated recommendation: the recommendation made again under today\'s facts, to the clicker alone, with Edit requirements', async () => {
      const post = fake.callsTo('chat.postMessage')[0]!;
      const button = (post.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap((b) => (b.type === 'actions' ? b.elements! : [])).find((e) => e.action_id === 'open_updated_recommendation')!;
      const slack = new SlackClient(products.at(-1)!.url, SIGNING_SECRET, fake.url);
      fake.reset();
      const res = await slack.click({ action_id: button.action_id, value: button.value }, { blocks: post.args.blocks, ts: '1733000001.000001' }, 'C0DEALS');
      expect(res.status).toBe(200);
      const [answer] = await fake.waitFor('response_url');
      expect(answer!.args.response_type).toBe('ephemeral');
      const shown = textOf(answer!.args.blocks);
      expect(shown).toContain('WhatsApp Co-Existence for Acme');
      expect(shown).toContain('Edit requirements');
      expect(fake.callsTo('chat.postMessage')).toEqual([]);
    });

    it('Open the updated recommendation marks a topic past its review interval, as every surface does', async () => {
      const post = note!;
      const button = (post.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap((b) => (b.type === 'actions' ? b.elements! : [])).find((e) => e.action_id === 'open_updated_recommendation')!;
      // A replica whose calendar is past every topic's interval (2028): the same facts, all due for review.
      const later = await startTestProduct({ ...t.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_FILE: raised.file, TEAMS_ENABLED: 'false' }, { today: () => Date.UTC(2028, 0, 1) });
      try {
        await later.recheck;
        fake.reset();
        const res = await new SlackClient(later.url, SIGNING_SECRET, fake.url).click({ action_id: button.action_id, value: button.value }, { blocks: post.args.blocks, ts: '1733000001.000002' }, 'C0DEALS');
        expect(res.status).toBe(200);
        const [answer] = await fake.waitFor('response_url');
        expect(textOf(answer!.args.blocks)).toContain('may be out of date');
      } finally {
        await later.stop();
      }
    });

    it('the owner\'s report lists it under the recommendations the knowledge changed', async () => {
      fake.reset();
      const slack = new SlackClient(products[0]!.url, SIGNING_SECRET, fake.url);
      await slack.event({ type: 'app_home_opened', user: OWNER, channel: 'D1', tab: 'home', event_ts: '9.1' });
      const [home] = await fake.waitFor('views.publish');
      const shown = textOf(home!.args.view.blocks);
      expect(shown).toContain('Recommendations the knowledge changed');
      expect(shown).toContain(`ref ${flips.id}: API only (`);
      expect(shown).toContain('→ Co-Existence (');
      expect(shown).not.toContain('Small 10');
      expect(shown).not.toContain('<!channel>');
    });

    it('started again with the same knowledge, nothing more is posted', async () => {
      fake.reset();
      const again = await startTestProduct({ ...t.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_FILE: raised.file, TEAMS_ENABLED: 'false' });
      try {
        expect(await again.recheck).toMatchObject({ ran: false });
        expect(fake.callsTo('chat.postMessage')).toEqual([]);
      } finally {
        await again.stop();
      }
    });

    it('a later deploy that changes no fact (the same 25 MPS, Meta\'s summary reworded) runs and posts nothing more in the thread', async () => {
      fake.reset();
      const reworded = mpsReworded(25, 'complete');
      const later = await startTestProduct({ ...t.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_FILE: reworded.file, TEAMS_ENABLED: 'false' });
      try {
        expect(await later.recheck).toMatchObject({ ran: true, checked: 2, noted: 0, failed: 0 });
        expect(fake.callsTo('chat.postMessage')).toEqual([]);
      } finally {
        await later.stop();
      }
    });
  });
}

describe('a recheck note when Slack cannot be reached at start', () => {
  it('waits, and is posted in the thread once Slack answers; the next start posts nothing more', async () => {
    const t = await sqliteTestStore();
    const flips = made({ customer: 'Late 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { messageRef: '1733000000.000777' });
    await t.store.recordRecommendations([flips]);
    const port = await closedPort();
    const env = { ...t.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${port}/api/`, KNOWLEDGE_FILE: raised.file, TEAMS_ENABLED: 'false' };
    const p = await startTestProduct(env, { slackConnect: { firstRetryMs: 100, maxRetryMs: 400 }, slackWebApi: { timeoutMs: 400, retries: 0 } });
    let fake: FakeSlack | undefined;
    try {
      expect(await p.recheck).toMatchObject({ ran: true, changed: 1, noted: 0, failed: 0, waiting: 1 });
      fake = await new FakeSlack().start(port);
      const [post] = await fake.waitFor('chat.postMessage', () => true, 1, 15_000);
      expect(post!.args).toMatchObject({ channel: 'C0DEALS', thread_ts: '1733000000.000777' });
      expect(textOf(post!.args.blocks)).toContain('Co-Existence throughput is now 25 messages per second (was 20).');
    } finally {
      await p.stop();
    }
    try {
      fake.reset();
      const again = await startTestProduct({ ...env, SLACK_API_URL: fake.apiUrl });
      try {
        expect(await again.recheck).toMatchObject({ ran: false });
        expect(fake.callsTo('chat.postMessage')).toEqual([]);
      } finally {
        await again.stop();
      }
    } finally {
      await fake?.stop();
      await t.cleanup();
    }
  });
});

suite('SQLite', sqliteTestStore, 1);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => suite('PostgreSQL', postgresTestStore, 2));
