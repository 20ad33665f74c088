import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardProblems } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, buttonsOf } from '../helpers/slack-client.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';

// Feedback on answers: Block Kit's feedback buttons (a context_actions block) in Slack, Action.Submit buttons in
// Teams, each click recorded against the question it answered; the knowledge owner's report and /metrics count it.

type Block = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;

function feedback(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`feedback on ${kind}`, () => {
    let product: Product;
    let fake: FakeSlack;
    let connector: FakeConnector;
    let slack: SlackClient;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      fake = await new FakeSlack().start();
      connector = await new FakeConnector().start();
      product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...made.env }, { teamsConnector: FAST_CONNECTOR });
      await product.storeStarted;
      slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
    });
    afterAll(async () => {
      await product?.stop();
      await fake?.stop();
      await connector?.stop();
      await cleanup?.();
    });

    const recorded = async () => {
      await product.slack!.drain();
      await product.store.recorder.flush();
    };
    const feedbackButtons = (blocks: Block[]) => blocks.filter((b) => b.type === 'context_actions').flatMap((b) => b.elements).filter((e: Block) => e.type === 'feedback_buttons');

    it('Slack: the answer carries feedback buttons; "Not helpful" is recorded against the question and reported', async () => {
      const text = 'can we do video calls on api?';
      const reply = (await slack.command(text, { user_id: 'U_FEEDBACK' })).json();
      expect(slackLimitViolations(reply)).toEqual([]);
      const [buttons] = feedbackButtons(reply.blocks);
      expect(buttons).toMatchObject({ action_id: 'answer_feedback', positive_button: { text: { type: 'plain_text' } }, negative_button: { text: { type: 'plain_text' } } });
      await recorded();
      const questions: { id: string; userId: string }[] = [];
      for await (const q of product.store.store!.exportQuestions(new Date(0))) questions.push(q);
      const asked = questions.find((q) => q.userId === 'U_FEEDBACK')!;
      expect(JSON.parse(buttons.negative_button.value)).toMatchObject({ q: asked.id, r: 'not-helpful' });

      const click = await slack.interaction({
        type: 'block_actions',
        team: { id: 'T1', domain: 'test' },
        user: { id: 'U_FEEDBACK', team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: 't',
        container: { type: 'message', channel_id: 'C_DEALS', is_ephemeral: true },
        channel: { id: 'C_DEALS', name: 'deals' },
        response_url: `${fake.url}/response/fb`,
        actions: [{ type: 'feedback_buttons', block_id: 'answer_feedback', action_id: 'answer_feedback', value: buttons.negative_button.value, text: buttons.negative_button.text, action_ts: '1.3' }],
      });
      expect(click.status).toBe(200);
      await recorded();
      const report = await product.store.store!.report(new Date(0));
      expect(report.feedback).toMatchObject({ notHelpful: 1, helpful: 0 });
      expect(report.notHelpful).toEqual([expect.objectContaining({ question: text, count: 1 })]);
      const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
      expect(metrics).toMatch(/^coexist_feedback_total\{platform="slack",target="answer",rating="not-helpful"\} 1$/m);
      expect(metrics).toMatch(/^coexist_questions_total\{platform="slack",outcome="answered"\} [1-9]/m);
    });

    it('Slack: the DM answer has them too; an answer shared in a channel and a question not understood do not', async () => {
      fake.reset();
      await slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'group chats', ts: '5.1', event_ts: '5.1' });
      const [dm] = await fake.waitFor('chat.postMessage');
      expect(feedbackButtons(dm!.args.blocks)).toHaveLength(1);

      const answer = (await slack.command('video calls')).json();
      const share = buttonsOf(answer.blocks).find((e) => e.action_id === 'share_in_channel')!;
      fake.reset();
      await slack.click(share);
      const [shared] = await fake.waitFor('chat.postMessage');
      expect(feedbackButtons(shared!.args.blocks)).toHaveLength(0);

      const offTopic = (await slack.command('what is the weather in Lisbon tomorrow')).json();
      expect(feedbackButtons(offTopic.blocks)).toHaveLength(0);
    });

    it('Teams: the answer card has Helpful / Not helpful; a click is thanked and recorded', async () => {
      const ask = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text: 'can we do video calls on api?', from: { id: '29:fb', name: 'F B', aadObjectId: 'aad-feedback' } })) });
      expect(ask.status).toBeLessThan(300);
      const [card] = FakeConnector.cards(connector.calls.splice(0)[0]!);
      expect(cardProblems(card!)).toEqual([]);
      const set = (card!.body as Block[]).find((e) => e.type === 'ActionSet');
      const helpful = set!.actions.find((a: Block) => a.data.rating === 'helpful');
      expect(helpful).toMatchObject({ type: 'Action.Submit', data: { action: 'feedback' } });

      const click = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text: '', value: helpful.data, replyToId: 'answer-1', from: { id: '29:fb', name: 'F B', aadObjectId: 'aad-feedback' } })) });
      expect(click.status).toBeLessThan(300);
      const [thanks] = connector.calls.splice(0);
      expect(thanks!.activity.text).toMatch(/Thanks/);
      await product.store.recorder.flush();
      const questions: { id: string; userId: string }[] = [];
      for await (const q of product.store.store!.exportQuestions(new Date(0))) questions.push(q);
      expect(helpful.data.question).toBe(questions.find((q) => q.userId === 'aad-feedback')!.id);
      expect((await product.store.store!.report(new Date(0))).feedback.helpful).toBe(1);
    });
  });
}

onBothStores(feedback);
