import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { buttonsOf } from '../helpers/slack-client.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';
import { until } from '../helpers/until.ts';
import { VERIFIER_SLACK, VERIFIER_TEAMS, daysAgo, knowledgeWith } from '../helpers/verification.ts';

// The reminder over the product's own Notifier, end to end: the daily job posts a Slack DM (chat.postMessage to the
// verifier, caught by the fake Web API) and a Teams proactive message (to the verifier's personal chat, caught by the
// fake Bot Connector); the verifier presses Still correct on what was posted (a signed block action; a card submit
// to /api/messages), and the next answer shows today's date, unmarked. On SQLite and PostgreSQL.

type Json = Record<string, any>;
const QUESTION = 'can customers call us?';
const VERA = { id: '29:vera', name: 'Vera Verifier', aadObjectId: VERIFIER_TEAMS };
const today = () => new Date().toISOString().slice(0, 10);
const title = fixtureKnowledge().topics.find((t) => t.id === 'calls')!.title;

function suite(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`reminders through the Notifier on ${kind}`, () => {
    const old = daysAgo(200);
    const kb = knowledgeWith({ calls: { lastVerified: old, verifiers: [VERIFIER_SLACK, VERIFIER_TEAMS] } }, { lastVerified: daysAgo(1) });
    let h: BothPlatforms | undefined;
    let product: BothPlatforms['product'];
    let fake: BothPlatforms['fake'];
    let connector: BothPlatforms['connector'];
    let slack: BothPlatforms['slack'];

    beforeAll(async () => {
      const made = await env();
      h = await startBothPlatforms({ KNOWLEDGE_FILE: kb.file, ...made.env }, { scheduleTimers: false });
      ({ product, fake, connector, slack } = h);
      await until(() => product.notifier.platforms().has('slack'), 'Slack to connect');
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      kb.cleanup();
    });

    async function teams(fields: Json): Promise<string> {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { from: VERA, ...fields })) });
      expect(res.status).toBe(200);
      const calls = connector.calls.splice(0);
      return calls.flatMap((c) => [String(c.activity.text ?? ''), ...FakeConnector.cards(c).flatMap(textBlocks)]).join('\n');
    }

    it('the verifiers get the reminder as a Slack DM and a Teams message; Still correct on each is recorded and answers show today', async () => {
      // The Teams verifier has talked to the bot once: their personal chat is known.
      await teams({ text: QUESTION });
      await until(() => product.store.conversationRef(`person:${VERIFIER_TEAMS}`), 'the conversation reference');
      connector.reset();
      fake.reset();

      const run = await product.remindVerifiers();
      expect(run.failed).toEqual([]);
      expect(run.sent).toEqual([{ topic: 'calls', dueOn: expect.any(String), to: [VERIFIER_SLACK, VERIFIER_TEAMS] }]);

      // Slack: one DM to the verifier, with the facts, the dates and the two buttons, within Slack's limits.
      const [dm] = await fake.waitFor('chat.postMessage');
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
      expect(dm!.args.channel).toBe(VERIFIER_SLACK);
      expect(slackLimitViolations({ blocks: dm!.args.blocks, text: dm!.args.text })).toEqual([]);
      expect(JSON.stringify(dm!.args.blocks)).toContain(`Last verified ${old}`);
      const buttons = buttonsOf(dm!.args.blocks);
      expect(buttons.map((b) => b.text.text)).toEqual(['Still correct', 'Needs a change']);

      // Teams: one card in the verifier's personal chat.
      expect(connector.calls).toHaveLength(1);
      expect(connector.calls[0]).toMatchObject({ method: 'POST', conversationId: 'a:personal-chat-1' });
      const [card] = FakeConnector.cards(connector.calls[0]!);
      expect(cardProblems(card!)).toEqual([]);
      expect(textBlocks(card!).join('\n')).toContain(`Please check: ${title}`);
      const still = (card!.actions as Json[]).find((a) => a.title === 'Still correct')!;
      connector.reset();

      // Still correct in Slack, on the posted DM.
      const verify = buttons.find((b) => b.action_id === 'verify_topic')!;
      const clicked = await slack.interaction({
        type: 'block_actions',
        team: { id: 'T1', domain: 'test' },
        user: { id: VERIFIER_SLACK, team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: 'trigger-verify',
        container: { type: 'message', message_ts: dm!.args.ts ?? '1700.1', channel_id: 'D0VERIFY', is_ephemeral: false },
        channel: { id: 'D0VERIFY', name: 'directmessage' },
        message: { type: 'message', ts: '1700.1', blocks: dm!.args.blocks, text: dm!.args.text },
        response_url: `${fake.url}/response/verify`,
        actions: [{ type: 'button', block_id: 'verify_actions', action_id: verify.action_id, value: verify.value, text: verify.text, action_ts: '1.2' }],
      });
      expect(clicked.status).toBe(200);
      const [done] = await fake.waitFor('response_url');
      expect(done!.args.text).toContain(`is recorded as verified on ${today()}`);

      // Still correct in Teams, on the posted card.
      const said = await teams({ text: '', value: still.data, replyToId: 'act-1' });
      expect(said).toContain(`✅ Thanks: ${title} is recorded as verified on ${today()}`);
      const stored = (await product.store.verificationsSince(new Date(Date.now() - 3_600_000)))!;
      expect(stored.map((v) => [v.platform, v.userId, v.topic, v.verdict]).sort()).toEqual([
        ['slack', VERIFIER_SLACK, 'calls', 'verified'],
        ['teams', VERIFIER_TEAMS, 'calls', 'verified'],
      ]);

      const answer = (await slack.command(QUESTION, { user_id: 'U_AGENT' })).json();
      expect(JSON.stringify(answer.blocks)).toContain(`Last verified ${today()}`);
      expect(JSON.stringify(answer.blocks)).not.toContain('may be out of date');

      // Sent once: the next run sends nothing.
      fake.reset();
      expect((await product.remindVerifiers()).sent).toEqual([]);
      expect(fake.callsTo('chat.postMessage')).toEqual([]);
    });
  });
}

onBothStores(suite);
