import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/index.ts';
import { presentTopic } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';
import { until } from '../helpers/until.ts';

// The Notifier (adapters/notify.ts) of the running product, over real transports: Slack's chat.postMessage caught by
// the fake Web API, Teams' proactive messages (create conversation, post, thread) caught by the fake Bot Connector,
// conversation references learnt from Bot Framework activities posted to /api/messages and kept in the store, on
// SQLite and PostgreSQL. Failures come back as ok:false with the fault in words, never as an exception.

const kb = fixtureKnowledge();
/** A reply with user text in it, as a feature would send (an expert's answer relayed, a reminder's topic). */
const INJECTED = '<!channel> <at>All</at> **x**';
const answer: Reply = { ...presentTopic(kb, 'calls')!, question: `Calls? ${INJECTED}` };
const AAD = 'c0ffee00-1111-2222-3333-444455556666';
const PERSON = { id: '29:person-1', name: 'Pat Person', aadObjectId: AAD };

function suite(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`the Notifier on ${kind}`, () => {
    let h: BothPlatforms;
    const connector = () => h.connector;
    /** A message from `from` to the bot, as Teams posts it; resolves once the product has answered it. */
    const message = async (from: Record<string, unknown>, scope: 'personal' | 'channel' = 'personal', extra: Record<string, unknown> = {}) => {
      const res = await fetch(`${h.product.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(teamsActivity(connector().url, { from, text: 'help', ...extra }, scope)),
      });
      expect(res.status).toBe(200);
    };

    beforeAll(async () => {
      const made = await env();
      h = await startBothPlatforms({ ...made.env });
      // The Slack face answers auth.test after the start: wait for it, as a scheduled job would find it.
      await until(async () => h.product.notifier.platforms().has('slack'), 'Slack to connect');
    });
    afterAll(async () => stopBothPlatforms(h));
    beforeEach(() => {
      h.fake.reset();
      h.connector.reset();
    });

    it('offers the platforms that are on', () => {
      expect([...h.product.notifier.platforms()].sort()).toEqual(['slack', 'teams']);
    });

    it('Slack: a DM to a person lands in the app DM as the reply drawn for a DM, escaped and within limits', async () => {
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'slack', userId: 'U0OWNER' }, answer);
      const [call] = await h.fake.waitFor('chat.postMessage');
      expect(call!.args.channel).toBe('U0OWNER');
      expect(call!.args.thread_ts).toBeUndefined();
      expect(sent).toEqual({ ok: true, ref: expect.stringMatching(/^\d+\.\d+$/), channelId: 'U0OWNER' });
      const blocks = JSON.stringify(call!.args.blocks);
      expect(blocks).toContain(answer.kind === 'answer' ? answer.title : '');
      expect(call!.args.text.length).toBeGreaterThan(0);
      // Escaped: the user's <!channel> never pings (it is plain text, or escaped in mrkdwn).
      expect(blocks).toContain('Calls?');
      for (const t of mrkdwnStrings(call!.args.blocks)) expect(t).not.toContain('<!channel>');
      expect(slackLimitViolations({ blocks: call!.args.blocks, text: call!.args.text })).toEqual([]);
    });

    it('Slack: a thread post goes to the channel with thread_ts', async () => {
      const sent = await h.product.notifier.send({ kind: 'channel', platform: 'slack', channelId: 'C0DEALS', thread: '1700000000.000100' }, answer);
      const [call] = await h.fake.waitFor('chat.postMessage');
      expect(call!.args).toMatchObject({ channel: 'C0DEALS', thread_ts: '1700000000.000100' });
      expect(sent).toMatchObject({ ok: true, channelId: 'C0DEALS' });
    });

    it('Slack: channel_not_found is ok:false with what to do, not retryable, and logged', async () => {
      h.fake.fail({ method: 'chat.postMessage', error: 'channel_not_found' });
      const sent = await h.product.notifier.send({ kind: 'channel', platform: 'slack', channelId: 'C0GONE' }, answer);
      expect(sent).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/channel C0GONE: channel_not_found; Slack cannot find that channel.*\/invite/) });
      expect(h.product.logs.lines.some((l) => l.component === 'slack-notify' && l.error === 'channel_not_found' && l.level === 40)).toBe(true);
    });

    it('Slack: blocks refused for their format are sent again as text', async () => {
      h.fake.fail({ method: 'chat.postMessage', error: 'invalid_blocks' });
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'slack', userId: 'U0OWNER' }, answer);
      const calls = await h.fake.waitFor('chat.postMessage', () => true, 2);
      expect(sent.ok).toBe(true);
      expect(calls[1]!.args.blocks.every((b: { type: string }) => b.type === 'section')).toBe(true);
      const asText = JSON.stringify(calls[1]!.args.blocks);
      expect(asText).toContain('video calls');
      expect(asText).toContain('&lt;!channel&gt;');
      expect(asText).not.toContain('<!channel>');
    });

    it('Slack: a rate limit is waited out once, then the message goes', async () => {
      h.fake.fail({ method: 'chat.postMessage', status: 429, headers: { 'retry-after': '0' } });
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'slack', userId: 'U0OWNER' }, answer);
      expect(sent.ok).toBe(true);
      expect(h.fake.callsTo('chat.postMessage')).toHaveLength(2);
    });

    it('Teams: a person who messaged the bot once gets the card in that personal chat', async () => {
      await message(PERSON);
      // The reference is recorded after the turn, fire and forget: it is in the store once written.
      const ref = await until(() => h.product.store.conversationRef(`person:${AAD}`), 'the conversation reference');
      expect(ref).toMatchObject({ kind: 'person', conversationId: 'a:personal-chat-1', serviceUrl: connector().url, tenantId: 'tenant-1', userId: '29:person-1' });
      connector().reset();
      // AAD ids are matched in any case, as KNOWLEDGE_OWNERS lists them.
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'teams', userId: AAD.toUpperCase() }, answer);
      expect(sent).toEqual({ ok: true, ref: expect.any(String), channelId: 'a:personal-chat-1' });
      expect(connector().created).toEqual([]);
      expect(connector().calls).toHaveLength(1);
      const [call] = connector().calls;
      expect(call).toMatchObject({ method: 'POST', conversationId: 'a:personal-chat-1' });
      expect(call!.activityId).toBeUndefined();
      const [card] = FakeConnector.cards(call!);
      expect(cardProblems(card!)).toEqual([]);
      const text = textBlocks(card!).join('\n');
      expect(text).toContain(answer.kind === 'answer' ? answer.title : '');
      expect(text).not.toMatch(/(^|[^\\])<at>/);
    });

    it('Teams: a person never seen gets a chat created in the tenant the bot knows, which is then reused', async () => {
      await message(PERSON); // someone in tenant-1 has talked to the bot: its serviceUrl is known
      await until(() => h.product.store.conversationRef('tenant:tenant-1'), 'the tenant reference');
      connector().reset();
      const stranger = 'aad-never-seen-0001';
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'teams', userId: stranger }, answer);
      expect(connector().created).toHaveLength(1);
      const [created] = connector().created;
      expect(created!.parameters).toMatchObject({ isGroup: false, bot: { id: '28:advisor-bot' }, members: [{ id: stranger }], tenantId: 'tenant-1' });
      expect(sent).toMatchObject({ ok: true, channelId: created!.id });
      expect(connector().calls.map((c) => c.conversationId)).toEqual([created!.id]);
      // Remembered: the next message goes to the same chat without creating another.
      expect(await h.product.store.conversationRef(`person:${stranger}`)).toMatchObject({ conversationId: created!.id });
      await h.product.notifier.send({ kind: 'person', platform: 'teams', userId: stranger }, answer);
      expect(connector().created).toHaveLength(1);
      expect(connector().calls.map((c) => c.conversationId)).toEqual([created!.id, created!.id]);
    });

    it('Teams: a channel thread post goes to the thread conversation (<channel>;messageid=<parent>)', async () => {
      await message(PERSON, 'channel');
      await until(() => h.product.store.conversationRef('conversation:19:deals@thread.tacv2'), 'the channel reference');
      connector().reset();
      const sent = await h.product.notifier.send({ kind: 'channel', platform: 'teams', channelId: '19:deals@thread.tacv2', thread: '1700000000123' }, answer);
      expect(sent).toMatchObject({ ok: true, channelId: '19:deals@thread.tacv2;messageid=1700000000123' });
      expect(connector().calls).toHaveLength(1);
      expect(connector().calls[0]).toMatchObject({ method: 'POST', conversationId: '19:deals@thread.tacv2;messageid=1700000000123' });
      // A new top-level post: the channel itself.
      await h.product.notifier.send({ kind: 'channel', platform: 'teams', channelId: '19:deals@thread.tacv2' }, answer);
      expect(connector().calls[1]).toMatchObject({ conversationId: '19:deals@thread.tacv2' });
    });

    it('Teams: a connector that fails is ok:false, retryable, with its status; nothing throws', async () => {
      await message(PERSON);
      await until(() => h.product.store.conversationRef(`person:${AAD}`), 'the conversation reference');
      // 500 on every attempt (the bounded retries included).
      connector().fail('POST', 500, 10);
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'teams', userId: AAD }, answer);
      expect(sent).toEqual({ ok: false, retryable: true, error: expect.stringMatching(/Bot Connector refused to post in a:personal-chat-1: HTTP 500/) });
      expect(h.product.logs.lines.some((l) => l.component === 'teams-notify' && l.level === 40 && /HTTP 500/.test(l.error))).toBe(true);
    });

    it('Teams: a person in a tenant no one has messaged from is ok:false, saying they must open a chat with the bot', async () => {
      const sent = await h.product.notifier.send({ kind: 'person', platform: 'teams', userId: 'aad-elsewhere', workspace: 'tenant-unknown' }, answer);
      expect(sent).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/aad-elsewhere has not opened a chat with the bot, and no one in Teams tenant tenant-unknown has messaged the bot yet.*open a chat with the bot/) });
      expect(connector().calls).toEqual([]);
      expect(connector().created).toEqual([]);
    });
  });
}

onBothStores(suite);

describe('the Notifier before anyone has talked to the bot, and with platforms off', () => {
  it('Teams with no reference at all: ok:false in words; Slack off: ok:false saying so', async () => {
    const connector = await new FakeConnector().start();
    const { startTestProduct } = await import('../helpers/product.ts');
    const product = await startTestProduct({});
    try {
      await product.storeStarted;
      expect([...product.notifier.platforms()]).toEqual(['teams']);
      const teams = await product.notifier.send({ kind: 'person', platform: 'teams', userId: 'aad-nobody' }, answer);
      expect(teams).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/aad-nobody has not opened a chat with the bot, and no one in Teams has messaged the bot yet/) });
      const slack = await product.notifier.send({ kind: 'person', platform: 'slack', userId: 'U1' }, answer);
      expect(slack).toEqual({ ok: false, retryable: false, error: 'Slack is not configured on this deployment' });
      expect(connector.calls).toEqual([]);
    } finally {
      await product.stop();
      await connector.stop();
    }
  });

  it('local mode never sends to a serviceUrl off this machine, even one stored by another replica', async () => {
    const { startTestProduct } = await import('../helpers/product.ts');
    const product = await startTestProduct({});
    try {
      await product.storeStarted;
      await product.store.saveConversationRef({ key: 'person:aad-far', platform: 'teams', kind: 'person', serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 't', conversationId: 'a:far', userId: null, botId: null, updatedAt: Date.now() });
      const sent = await product.notifier.send({ kind: 'person', platform: 'teams', userId: 'aad-far' }, answer);
      expect(sent).toEqual({ ok: false, retryable: false, error: expect.stringMatching(/local mode sends only to a serviceUrl on this machine or in TEAMS_ALLOWED_SERVICE_URLS/) });
    } finally {
      await product.stop();
    }
  });
});
