import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { route } from '../../src/index.ts';
import { clickButton, slackResponses, slackSettled, startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { buttonsOf, type DrawnButton } from '../helpers/slack-client.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';

// *Ask an expert* in Slack, against the running product over signed HTTP with Slack's Web API faked, on SQLite and
// PostgreSQL: the button on a declined answer, the post in EXPERTS_CHANNEL (escaped: `<!channel>` never pings), the
// asker told where it went; the first expert reply in the thread relayed to the asker's DM once (a redelivered event
// and a second reply are not); Save as a phrasing becomes a correction in the report; a post Slack refuses
// (channel_not_found) is told to the asker and listed in the report.

type Block = Record<string, any>;
const kb = fixtureKnowledge();
const EXPERTS = 'C0EXPERTS';
const ASKER = 'U0ASKER';
const EXPERT = 'U0EXPERT';
/** Declined by the advisor (a test below checks), with a channel ping typed into it. */
const QUESTION = '<!channel> what is the refund policy for our hosting invoices?';

const textOf = (value: unknown): string => JSON.stringify(value);

function suite(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`Ask an expert in Slack on ${kind}`, () => {
    let h: BothPlatforms;
    let posts = 0;
    /** The ts the fake gave the last question posted to the experts' channel: its thread. */
    let lastPost = '';
    const store = () => h.product.store.store!;
    const settled = () => slackSettled(h);
    const responses = (count = 1) => slackResponses(h, count);
    /** The asker's declined answer, and its Ask an expert button. */
    const askButton = async (question: string, user = ASKER): Promise<DrawnButton> => {
      const answer = (await h.slack.command(question, { user_id: user })).json();
      const button = buttonsOf(answer.blocks).find((b) => b.action_id === 'ask_expert');
      expect(button, 'the Ask an expert button').toBeDefined();
      return button!;
    };
    /** The expert's reply in the thread of `parent`, as the Events API delivers it (message.channels). */
    const reply = (parent: string, user: string, text: string, n: number) =>
      h.slack.eventBody({ type: 'message', channel: EXPERTS, channel_type: 'channel', user, text, ts: `1800000000.00${n}`, thread_ts: parent, event_ts: `1800000000.00${n}` });

    /** A click on a drawn button, as Slack sends it (signed block_actions), in `channel` (the experts' buttons: EXPERTS). */
    const click = (user: string, button: DrawnButton, channel?: string) => clickButton(h, user, button as { action_id: string; value: string }, channel ? { channel } : {});
    /** The asker's question posted to EXPERTS_CHANNEL (its thread's ts), the asker's notice read. */
    const posted = async (question: string): Promise<string> => {
      await click(ASKER, await askButton(question));
      await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      await responses();
      return lastPost;
    };
    const dmsToAsker = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ASKER);

    beforeAll(async () => {
      const made = await env();
      h = await startBothPlatforms({ ...made.env, EXPERTS_CHANNEL: EXPERTS, KNOWLEDGE_OWNERS: 'U0OWNER' });
    });
    afterAll(async () => stopBothPlatforms(h));
    beforeEach(() => {
      h.fake.reset();
      // Each post to the experts' channel gets a ts of its own, known to the test: the thread the experts reply in.
      h.fake.answerWith('chat.postMessage', (args) => {
        const ts = `1700000000.${String(++posts).padStart(6, '0')}`;
        if (args.channel === EXPERTS && !args.thread_ts) lastPost = ts;
        return { ok: true, channel: args.channel, ts };
      });
    });

    it('the question is one the advisor declines (the premise of these tests)', () => {
      expect(route(QUESTION, kb).kind).toBe('off-topic');
    });

    it('a click posts the question to EXPERTS_CHANNEL, escaped and with who asked; the asker is told where, privately', async () => {
      await click(ASKER, await askButton(QUESTION));
      const [post] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      expect(post!.args.thread_ts).toBeUndefined();
      const drawn = textOf(post!.args.blocks);
      expect(drawn).toContain('Question for the experts');
      expect(drawn).toContain('&lt;!channel&gt; what is the refund policy');
      expect(drawn).toContain(`<@${ASKER}>`);
      expect(drawn).toContain('Asked in Slack');
      for (const t of mrkdwnStrings(post!.args.blocks)) expect(t).not.toContain('<!channel>');
      expect(post!.args.text).not.toContain('<!channel>');
      expect(slackLimitViolations({ blocks: post!.args.blocks, text: post!.args.text })).toEqual([]);
      // With a button for a question no topic fits.
      expect(buttonsOf(post!.args.blocks).map((b) => b.action_id)).toEqual(['new_topic']);

      const [told] = await responses();
      expect(told).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(textOf(told.blocks)).toContain('Your question went to the experts’ channel');
      expect(textOf(told.blocks)).toContain(`<#${EXPERTS}>`);
    });

    it('the first expert reply in the thread reaches the asker once: not again for a redelivered event or a second reply', async () => {
      await click(ASKER, await askButton(`${QUESTION} (second)`));
      await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      await responses();
      const parent = lastPost;

      const first = reply(parent, EXPERT, 'Refunds go through finance: ask <@U0FIN> and see <https://finance.example.com/refunds|the policy>.', 1);
      expect((await h.slack.post(first, 'application/json')).status).toBe(200);
      const [dm] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === ASKER);
      const relayed = textOf(dm!.args.blocks);
      expect(relayed).toContain('An expert answered your question');
      expect(relayed).toContain('Refunds go through finance: ask');
      expect(relayed).toContain('the policy');
      expect(relayed).toContain(`<@${EXPERT}>`);
      expect(relayed).toContain('(second)');
      for (const t of mrkdwnStrings(dm!.args.blocks)) expect(t).not.toContain('<!channel>');
      // In the thread, for the expert: Save as a phrasing of… (the closest topics) and Needs a new topic.
      const [followUp] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS && a.thread_ts === parent);
      const offered = buttonsOf(followUp!.args.blocks).map((b) => b.action_id);
      expect(offered.filter((id) => id.startsWith('save_phrasing:')).length).toBeGreaterThan(0);
      expect(offered).toContain('new_topic');

      // Slack delivers the same event again (to this replica or another), and a second expert replies.
      await h.slack.redeliver(first);
      await h.slack.post(reply(parent, 'U0SECOND', 'Also: check the contract.', 2), 'application/json');
      // A bot's message in the thread (our own follow-up coming back) is never relayed either.
      await h.slack.post(h.slack.eventBody({ type: 'message', channel: EXPERTS, channel_type: 'channel', bot_id: 'BBOT', user: 'UBOT', text: 'relayed', ts: '1800000000.009', thread_ts: parent }), 'application/json');
      await settled();
      expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ASKER)).toHaveLength(1);
      expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === EXPERTS && c.args.thread_ts === parent)).toHaveLength(1);

      // Time to answer, as a metric.
      const metrics = await (await fetch(`${h.product.managementUrl}/metrics`)).text();
      expect(metrics).toMatch(/coexist_expert_time_to_answer_seconds_count\{platform="slack"\} [1-9]/);

      // Save as a phrasing of the first topic offered: a correction the owners review, in the report.
      const save = buttonsOf(followUp!.args.blocks).find((b) => b.action_id.startsWith('save_phrasing:'))!;
      const topic = save.action_id.split(':')[1]!;
      h.fake.reset();
      await click(EXPERT, save, EXPERTS);
      const [saved] = await responses();
      expect(textOf(saved.blocks)).toContain('Saved as a phrasing of');
      await click(EXPERT, save, EXPERTS); // twice: saved once
      await settled();
      const report = await store().report(new Date(0));
      expect(report.corrections.filter((c) => c.picked === topic && c.question === `${QUESTION} (second)`)).toEqual([{ question: `${QUESTION} (second)`, answered: null, picked: topic, count: 1, review: 'pending' }]);
      // Answered: no longer waiting in the report.
      expect(report.expertQuestions?.map((l) => l.question)).not.toContain(`${QUESTION} (second)`);
    });

    it('a reply in a thread that is not an expert question, or in another channel, is not relayed', async () => {
      await h.slack.post(reply('1699999999.000001', EXPERT, 'an unrelated thread', 3), 'application/json');
      await h.slack.post(h.slack.eventBody({ type: 'message', channel: 'C0OTHER', channel_type: 'channel', user: EXPERT, text: 'elsewhere', ts: '1800000000.004', thread_ts: '1700000000.000001' }), 'application/json');
      await settled();
      expect(h.fake.callsTo('chat.postMessage')).toEqual([]);
    });

    it('a post Slack refuses (channel_not_found): the asker is told plainly, with their question, and the report lists it', async () => {
      const question = `${QUESTION} (refused)`;
      h.fake.fail({ method: 'chat.postMessage', error: 'channel_not_found', match: (a) => a.channel === EXPERTS });
      await click(ASKER, await askButton(question));
      const [told] = await responses();
      const said = textOf(told.blocks);
      expect(said).toContain('I could not post your question to the experts’ channel');
      expect(said).toContain('channel_not_found');
      expect(said).toContain('kept for the knowledge owners’ report');
      expect(said).toContain('(refused)');
      const report = await store().report(new Date(0));
      const line = report.expertQuestions?.find((l) => l.question === question);
      expect(line?.error).toMatch(/channel_not_found/);
      expect(h.product.logs.lines.some((l) => l.msg === 'expert question not posted' && /channel_not_found/.test(String(l.error)))).toBe(true);
    });

    it('Needs a new topic, on the post: the question is listed in the report', async () => {
      const question = `${QUESTION} (new topic)`;
      await click(ASKER, await askButton(question));
      const [post] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      await responses();
      h.fake.reset();
      await click(EXPERT, buttonsOf(post!.args.blocks).find((b) => b.action_id === 'new_topic')!, EXPERTS);
      const [told] = await responses();
      expect(textOf(told.blocks)).toContain('Marked as needing a new topic');
      const report = await store().report(new Date(0));
      expect(report.newTopics?.map((l) => l.question)).toContain(question);
    });

    it('a question the store could not save can be asked again at once: the retry is posted, not "already with the experts"', async () => {
      const question = `${QUESTION} (store hiccup)`;
      const button = await askButton(question);
      // The store refuses the question's row (its table is away) after the double-click claim was taken.
      const { sql } = await import('kysely');
      const db = (store() as unknown as { db: Parameters<ReturnType<typeof sql>['execute']>[0] }).db;
      await sql`alter table expert_questions rename to expert_questions_away`.execute(db);
      try {
        await click(ASKER, button);
        const [told] = await responses();
        expect(textOf(told.blocks)).toContain('The store did not answer, so your question was not sent');
        expect(textOf(told.blocks)).toContain('(store hiccup)');
      } finally {
        await sql`alter table expert_questions_away rename to expert_questions`.execute(db);
      }
      expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === EXPERTS)).toEqual([]);

      // The asker tries again, as told: the question is posted and kept; they are told it went.
      h.fake.reset();
      await click(ASKER, button);
      const [post] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      expect(textOf(post!.args.blocks)).toContain('(store hiccup)');
      const [told] = await responses();
      expect(textOf(told.blocks)).toContain('Your question went to the experts’ channel');
      const report = await store().report(new Date(0));
      expect(report.expertQuestions?.filter((l) => l.question === question)).toHaveLength(1);
      // And a double click after that is still sent once.
      h.fake.reset();
      await click(ASKER, button);
      const [again] = await responses();
      expect(textOf(again.blocks)).toContain('This question is already with the experts');
      expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === EXPERTS)).toEqual([]);
    });

    it('the asker writing in the thread is not relayed to them, and does not count as the expert’s reply', async () => {
      const parent = await posted(`${QUESTION} (asker +1)`);
      await h.slack.post(reply(parent, ASKER, '+1, any news?', 21), 'application/json');
      await settled();
      expect(dmsToAsker()).toEqual([]);
      await h.slack.post(reply(parent, EXPERT, 'Finance handles refunds.', 22), 'application/json');
      const [dm] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === ASKER);
      expect(textOf(dm!.args.blocks)).toContain('Finance handles refunds.');
      expect(textOf(dm!.args.blocks)).not.toContain('any news');
      await settled();
      expect(dmsToAsker()).toHaveLength(1);
    });

    it('a reply also sent to the channel (thread_broadcast) is relayed', async () => {
      const parent = await posted(`${QUESTION} (broadcast)`);
      const broadcast = h.slack.eventBody({ type: 'message', subtype: 'thread_broadcast', channel: EXPERTS, channel_type: 'channel', user: EXPERT, text: 'Refunds: finance, for everyone.', ts: '1800000000.031', thread_ts: parent, event_ts: '1800000000.031', root: { ts: parent, thread_ts: parent } });
      await h.slack.post(broadcast, 'application/json');
      const [dm] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === ASKER);
      expect(textOf(dm!.args.blocks)).toContain('Refunds: finance, for everyone.');
      expect(textOf(dm!.args.blocks)).toContain('(broadcast)');
    });

    it('a reply with a file (file_share) is relayed with its words, saying a file was attached; a file alone too', async () => {
      const parent = await posted(`${QUESTION} (file)`);
      const share = (text: string, n: number) =>
        h.slack.eventBody({ type: 'message', subtype: 'file_share', channel: EXPERTS, channel_type: 'channel', user: EXPERT, text, files: [{ id: `F${n}`, name: 'refunds.pdf' }], ts: `1800000000.0${n}`, thread_ts: parent, event_ts: `1800000000.0${n}` });
      await h.slack.post(share('The policy is attached.', 41), 'application/json');
      const [dm] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === ASKER);
      const relayed = textOf(dm!.args.blocks);
      expect(relayed).toContain('The policy is attached.');
      expect(relayed).toContain('The expert attached a file');

      h.fake.reset();
      const lone = await posted(`${QUESTION} (file alone)`);
      await h.slack.post(h.slack.eventBody({ type: 'message', subtype: 'file_share', channel: EXPERTS, channel_type: 'channel', user: EXPERT, text: '', files: [{ id: 'F42', name: 'a.pdf' }, { id: 'F43', name: 'b.pdf' }], ts: '1800000000.042', thread_ts: lone, event_ts: '1800000000.042' }), 'application/json');
      const [dm2] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === ASKER);
      expect(textOf(dm2!.args.blocks)).toContain('The expert attached 2 files');
      expect(textOf(dm2!.args.blocks)).toContain('(file alone)');
    });

    it('the expert-side buttons work only in the experts’ channel: pressed elsewhere, nothing is saved', async () => {
      const question = `${QUESTION} (elsewhere)`;
      await click(ASKER, await askButton(question));
      const [post] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS);
      await responses();
      const parent = lastPost;
      await h.slack.post(reply(parent, EXPERT, 'Ask finance.', 51), 'application/json');
      const [followUp] = await h.fake.waitFor('chat.postMessage', (a) => a.channel === EXPERTS && a.thread_ts === parent);
      const save = buttonsOf(followUp!.args.blocks).find((b) => b.action_id.startsWith('save_phrasing:'))!;
      const newTopic = buttonsOf(post!.args.blocks).find((b) => b.action_id === 'new_topic')!;
      h.fake.reset();
      // The same button values, sent from another channel (a copied id, a crafted payload).
      await click('U0MALLORY', save, 'C0OTHER');
      await click('U0MALLORY', newTopic, 'C0OTHER');
      const told = await responses(2);
      for (const t of told) {
        expect(textOf(t.blocks)).toContain('only in the experts’ channel');
        expect(textOf(t.blocks)).not.toContain('Saved as a phrasing');
        expect(textOf(t.blocks)).not.toContain('Marked as needing a new topic');
      }
      await settled();
      const report = await store().report(new Date(0));
      expect(report.corrections.filter((c) => c.question === question)).toEqual([]);
      expect(report.newTopics?.map((l) => l.question) ?? []).not.toContain(question);
    });
  });
}

onBothStores(suite);
