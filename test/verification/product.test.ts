import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slackMessage } from '../../adapters/slack/blocks/reply.ts';
import { teamsCard } from '../../adapters/teams/cards/reply.ts';
import type { VerifyReminderReply } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { buttonsOf } from '../helpers/slack-client.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';
import { RecordingNotifier, VERIFIER_SLACK, VERIFIER_TEAMS, daysAgo, knowledgeWith } from '../helpers/verification.ts';

// Verification against the running product, on SQLite and PostgreSQL: a topic past its interval is marked in Slack
// (signed slash command) and Teams (activities to /api/messages, replies through a fake Bot Connector); its
// verifiers get a reminder through the Notifier (a recording one: what the Slack and Teams notifiers would draw is
// drawn here with the same renderers); Still correct clicked in Slack (a signed block action) and in Teams (a card
// submit) records the verification, and the next answer shows today's date and no mark. Someone else is refused.

type Json = Record<string, any>;
const OWNER = 'U0OWNER1';
const STRANGER = 'U0STRANGER';
const QUESTION = 'can customers call us?';
const today = () => new Date().toISOString().slice(0, 10);
const kbTitle = () => fixtureKnowledge().topics.find((t) => t.id === 'calls')!.title;

function verification(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`verification in Slack and Teams on ${kind}`, () => {
    const old = daysAgo(200);
    const kb = knowledgeWith({ calls: { lastVerified: old, verifiers: [VERIFIER_SLACK, VERIFIER_TEAMS] }, 'group-chats': { lastVerified: old, verifiers: [VERIFIER_SLACK] } });
    let h: BothPlatforms | undefined;
    let product: BothPlatforms['product'];
    let fake: BothPlatforms['fake'];
    let connector: BothPlatforms['connector'];
    let slack: BothPlatforms['slack'];
    let cleanup: (() => Promise<void>) | undefined;
    const notifier = new RecordingNotifier();

    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      h = await startBothPlatforms({ KNOWLEDGE_FILE: kb.file, KNOWLEDGE_OWNERS: OWNER, ...made.env }, { notifier, scheduleTimers: false });
      ({ product, fake, connector, slack } = h);
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await cleanup?.();
      kb.cleanup();
    });
    afterEach(() => {
      fake.reset();
      connector.reset();
    });

    /** The reminder the notifier was asked to send to `userId` for `topic`. */
    const reminderFor = (userId: string, topic: string): VerifyReminderReply => {
      const sent = notifier.sent.find((s) => s.to.kind === 'person' && s.to.userId === userId && s.reply.kind === 'verify-reminder' && s.reply.topic === topic);
      expect(sent, `a reminder for ${topic} to ${userId}`).toBeDefined();
      return sent!.reply as VerifyReminderReply;
    };
    /** A click on a button of a DM from the bot, as Slack sends it: signed, with the message and a response URL. */
    const clickInDm = (user: string, message: { blocks: unknown[] }, actionId: string) => {
      const button = buttonsOf(message.blocks as Json[]).find((b) => b.action_id === actionId)!;
      return slack.interaction({
        type: 'block_actions',
        team: { id: 'T1', domain: 'test' },
        user: { id: user, team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
        container: { type: 'message', message_ts: '1700.1', channel_id: 'D_VERIFY', is_ephemeral: false },
        channel: { id: 'D_VERIFY', name: 'directmessage' },
        message: { type: 'message', ts: '1700.1', blocks: message.blocks, text: '' },
        response_url: `${fake.url}/response/${user}`,
        actions: [{ type: 'button', block_id: 'verify_actions', action_id: button.action_id, value: button.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1.2' }],
      });
    };
    async function teams(fields: Json, from: Json): Promise<ConnectorCall[]> {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { from, ...fields })) });
      expect(res.status).toBeLessThan(300);
      const calls = connector.calls.splice(0);
      for (const call of calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
      return calls;
    }
    const shownIn = (calls: ConnectorCall[]) => calls.flatMap((c) => [String(c.activity.text ?? ''), ...FakeConnector.cards(c).flatMap(textBlocks)]).join('\n');
    const recorded = async () => (await product.store.verificationsSince(new Date(Date.now() - 3_600_000))) ?? [];

    it('marks the stale topic in Slack and Teams, and its reminder goes to each verifier once (a Slack DM, a Teams message)', async () => {
      const answer = (await slack.command(QUESTION, { user_id: 'U_AGENT' })).json();
      expect(JSON.stringify(answer.blocks)).toContain('may be out of date');
      expect(JSON.stringify(answer.blocks)).toContain(`Last verified ${old}`);
      const card = shownIn(await teams({ text: QUESTION }, { id: '29:agent', name: 'Asha', aadObjectId: 'aad-asha' }));
      expect(card).toContain('may be out of date');
      expect(card).toContain(`Last verified ${old}`);

      // The message extension too: a search result and the "ask about this message" dialog.
      const invoke = async (name: string, value: Json) => {
        const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { type: 'invoke', name, value, from: { id: '29:agent', aadObjectId: 'aad-asha' } }, 'channel')) });
        expect(res.status).toBe(200);
        return (await res.json()) as Json;
      };
      const found = await invoke('composeExtension/query', { commandId: 'searchAnswers', parameters: [{ name: 'query', value: QUESTION }], queryOptions: { skip: 0, count: 25 } });
      const first = found.composeExtension.attachments[0].content;
      expect(textBlocks(first).join('\n')).toContain('may be out of date');
      const dialog = await invoke('composeExtension/fetchTask', { commandId: 'askAdvisor', commandContext: 'message', messagePayload: { id: 'm-1', body: { contentType: 'text', content: QUESTION } } });
      expect(textBlocks(dialog.task.value.card.content).join('\n')).toContain('may be out of date');
      connector.reset();

      const run = await product.remindVerifiers();
      expect(run.sent.find((s) => s.topic === 'calls')?.to.sort()).toEqual([VERIFIER_SLACK, VERIFIER_TEAMS].sort());
      expect(notifier.sent.filter((s) => s.reply.kind === 'verify-reminder' && s.reply.topic === 'calls').map((s) => [s.to.platform, s.to.kind === 'person' ? s.to.userId : ''])).toEqual([
        ['slack', VERIFIER_SLACK],
        ['teams', VERIFIER_TEAMS],
      ]);
      // Drawn as the notifiers draw it: within Slack's limits, a valid card.
      const message = slackMessage(reminderFor(VERIFIER_SLACK, 'calls'), 'dm');
      expect(slackLimitViolations(message)).toEqual([]);
      expect(buttonsOf(message.blocks as Json[]).map((b) => b.text.text)).toEqual(['Still correct', 'Needs a change']);
      expect(cardProblems(teamsCard(reminderFor(VERIFIER_TEAMS, 'calls'), fixtureKnowledge()))).toEqual([]);

      // The next run (or another replica) finds the reminder for this due day already sent.
      const before = notifier.sent.length;
      const again = await product.remindVerifiers();
      expect(again.sent).toEqual([]);
      expect(again.already).toContain('calls');
      expect(notifier.sent.length).toBe(before);
    });

    it('Slack: someone who is not a verifier is told so and nothing is recorded; the verifier\'s Still correct is recorded and the next answer shows today, unmarked', async () => {
      const message = slackMessage(reminderFor(VERIFIER_SLACK, 'calls'), 'dm');
      expect((await clickInDm(STRANGER, message, 'verify_topic')).status).toBe(200);
      const [refusal] = await fake.waitFor('response_url');
      // mrkdwn: "&" is sent as "&amp;" (Slack shows "&").
      expect(refusal!.args.text).toBe(`Only the verifiers of ${kbTitle().replace('&', '&amp;')} or the knowledge owners (KNOWLEDGE_OWNERS) can answer this reminder: nothing was recorded.`);
      expect(refusal!.args.replace_original).toBe(false);
      expect(await recorded()).toEqual([]);
      fake.reset();

      expect((await clickInDm(VERIFIER_SLACK, message, 'verify_topic')).status).toBe(200);
      const [done] = await fake.waitFor('response_url');
      expect(done!.args.replace_original).toBe(true);
      expect(done!.args.text).toContain(`${kbTitle().replace('&', '&amp;')} is recorded as verified on ${today()}`);
      // The reminder stays readable; its buttons give way to what was recorded.
      expect((done!.args.blocks as Json[]).some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(done!.args.blocks)).toContain('recorded as verified');
      expect((await recorded()).map((v) => [v.topic, v.verdict, v.platform, v.userId])).toEqual([['calls', 'verified', 'slack', VERIFIER_SLACK]]);

      const answer = (await slack.command(QUESTION, { user_id: 'U_AGENT' })).json();
      expect(JSON.stringify(answer.blocks)).not.toContain('may be out of date');
      expect(JSON.stringify(answer.blocks)).toContain(`Last verified ${today()}`);
    });

    it('Teams: a verifier\'s Still correct on the reminder card is recorded (a colleague\'s is refused) and answers show today', async () => {
      const groups = fixtureKnowledge().topics.find((t) => t.id === 'group-chats')!;
      // group-chats is still stale (only calls was verified): make its Teams reminder by hand, as the notifier would draw it.
      const card = teamsCard(reminderFor(VERIFIER_SLACK, 'group-chats'), fixtureKnowledge());
      const still = (card.actions as Json[]).find((a) => a.title === 'Still correct')!;
      expect(still.data).toMatchObject({ action: 'verifyTopic', topic: 'group-chats' });

      const refused = shownIn(await teams({ text: '', value: still.data, replyToId: 'act-1' }, { id: '29:agent', name: 'Asha', aadObjectId: 'aad-asha' }));
      expect(refused).toContain(`Only the verifiers of ${groups.title}`);
      // A knowledge owner may answer any reminder: here, an owner in Teams is not configured; the Slack-only verifier
      // of group-chats cannot click in Teams. The Teams verifier of calls is not one of group-chats' verifiers either.
      const notTheirs = shownIn(await teams({ text: '', value: still.data, replyToId: 'act-1' }, { id: '29:v', name: 'Vera', aadObjectId: VERIFIER_TEAMS }));
      expect(notTheirs).toContain(`Only the verifiers of ${groups.title}`);
      expect((await recorded()).filter((v) => v.topic === 'group-chats')).toEqual([]);

      // The Teams verifier of calls confirms calls from its card.
      const callsCard = teamsCard(reminderFor(VERIFIER_TEAMS, 'calls'), fixtureKnowledge());
      const confirm = (callsCard.actions as Json[]).find((a) => a.title === 'Still correct')!;
      const said = shownIn(await teams({ text: '', value: confirm.data, replyToId: 'act-2' }, { id: '29:v', name: 'Vera', aadObjectId: VERIFIER_TEAMS }));
      expect(said).toContain(`✅ Thanks: ${kbTitle()} is recorded as verified on ${today()}`);
      expect((await recorded()).filter((v) => v.platform === 'teams').map((v) => [v.topic, v.verdict, v.userId])).toEqual([['calls', 'verified', VERIFIER_TEAMS]]);
      const answer = shownIn(await teams({ text: QUESTION }, { id: '29:agent', name: 'Asha', aadObjectId: 'aad-asha' }));
      expect(answer).toContain(`Last verified ${today()}`);
      expect(answer).not.toContain('may be out of date');
    });

    it('Needs a change is recorded and listed in the owner\'s report, with the stale topics', async () => {
      const message = slackMessage(reminderFor(VERIFIER_SLACK, 'group-chats'), 'dm');
      await clickInDm(VERIFIER_SLACK, message, 'topic_needs_change');
      const [noted] = await fake.waitFor('response_url');
      expect(noted!.args.text).toContain('needs a change');
      fake.reset();
      expect((await recorded()).filter((v) => v.verdict === 'needs-change').map((v) => v.topic)).toEqual(['group-chats']);

      await slack.command('report', { user_id: OWNER });
      const [report] = await fake.waitFor('response_url', (a) => JSON.stringify(a.blocks ?? '').includes('Out of date'));
      const text = JSON.stringify(report!.args.blocks);
      const groups = fixtureKnowledge().topics.find((t) => t.id === 'group-chats')!.title;
      expect(text).toContain('Marked Needs a change');
      expect(text).toMatch(new RegExp(`Out of date.*${groups}`));
      // calls was verified today: no longer out of date.
      expect(text).not.toMatch(new RegExp(`Out of date: past their review interval[^]*${kbTitle()}[^]*Marked Needs a change`));
    });
  });
}

onBothStores(verification);
