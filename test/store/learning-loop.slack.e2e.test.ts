import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newQuestionId } from '../../adapters/store/records.ts';
import { clickButton, slackResponses, slackSettled, startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { recommendationRecord } from '../helpers/store.ts';
import { buttonsOf } from '../helpers/slack-client.ts';
import { fixtureKnowledge, vagueQuestion } from '../helpers/fixtures.ts';
import { route } from '../../src/index.ts';

// The learning loop in Slack, against the running product over signed HTTP, on SQLite and on PostgreSQL:
// "Not helpful" offers the closest topics and a pick is recorded as a correction; history entries open in full or
// as a new form; App Home shows your recent recommendations and, for KNOWLEDGE_OWNERS, the week's report, whose
// Accept turns a correction into a training line.

type Block = Record<string, any>;
const OWNER = 'U0OWNER1';
const HOUR = 3_600_000;

const textOf = (blocks: Block[]): string => JSON.stringify(blocks);
/** Every mrkdwn text in the blocks: where Slack would turn `<!channel>` into a ping (plain_text shows it as typed). */
function mrkdwnOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(mrkdwnOf).join('\n');
  if (!value || typeof value !== 'object') return '';
  const o = value as Block;
  return o.type === 'mrkdwn' && typeof o.text === 'string' ? o.text : Object.values(o).map(mrkdwnOf).join('\n');
}

/** A click as Slack sends it from a message (with a response URL) or from App Home (a view, no response URL). */
function click(h: BothPlatforms, user: string, action: Block, where: 'message' | 'home' = 'message', type = 'button') {
  return clickButton(h, user, action as { action_id: string; value: string }, { where, type });
}

function learningLoop(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`the learning loop in Slack on ${kind}`, () => {
    let h: BothPlatforms;
    let cleanup: (() => Promise<void>) | undefined;
    const store = () => h.product.store.store!;
    const recorded = () => slackSettled(h);
    const responses = (count = 1) => slackResponses(h, count);

    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      h = await startBothPlatforms({ ...made.env, KNOWLEDGE_OWNERS: `${OWNER}, 00000000-0000-4000-8000-00000000beef` });
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await cleanup?.();
    });

    it('"Not helpful" offers the closest topics (never the one given), once; a pick shows its answer and is a correction', async () => {
      h.fake.reset();
      const question = 'can my agents answer whatsapp calls on the api?'; // answered surely (an unsure one is asked back)
      const answer = (await h.slack.command(question, { user_id: 'U_PICKER' })).json();
      const feedback = answer.blocks.filter((b: Block) => b.type === 'context_actions').flatMap((b: Block) => b.elements)[0];
      const given = JSON.parse(feedback.negative_button.value).t;
      await click(h, 'U_PICKER', { action_id: 'answer_feedback', value: feedback.negative_button.value }, 'message', 'feedback_buttons');
      const [offer] = await responses();
      expect(offer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(textOf(offer.blocks)).toContain('Which of these were you asking about?');
      const offered = buttonsOf(offer.blocks);
      expect(offered.length).toBeGreaterThanOrEqual(3);
      expect(offered.every((b) => b.action_id.startsWith('correct_topic:'))).toBe(true);
      expect(offered.map((b) => b.action_id.split(':')[1])).not.toContain(given);

      // The feedback buttons toggle and Slack sends each change: the offer is not repeated.
      await click(h, 'U_PICKER', { action_id: 'answer_feedback', value: feedback.negative_button.value }, 'message', 'feedback_buttons');
      await recorded();
      expect(h.fake.callsTo('response_url')).toHaveLength(1);

      const pick = offered[0]!;
      const picked = pick.action_id.split(':')[1];
      h.fake.reset();
      await click(h, 'U_PICKER', pick);
      const [shown] = await responses();
      expect(shown).toMatchObject({ response_type: 'ephemeral', replace_original: true });
      expect(shown.blocks[0]).toMatchObject({ type: 'header', text: { text: pick.text.text } });
      await click(h, 'U_PICKER', pick); // a double click records once
      await recorded();

      const report = await store().report(new Date(0));
      expect(report.feedback.notHelpful).toBe(2);
      expect(report.corrections.filter((c) => c.picked === picked)).toEqual([{ question, answered: given, picked, count: 1, review: 'pending' }]);
    });

    it('an unsure question is asked back ("Which do you mean?"): picking a topic is a correction too', async () => {
      h.fake.reset();
      const question = vagueQuestion((q) => route(q, fixtureKnowledge()).kind === 'clarify');
      const asked = (await h.slack.command(question, { user_id: 'U_UNSURE' })).json();
      expect(textOf(asked.blocks)).toContain('Which do you mean?');
      const offered = buttonsOf(asked.blocks).filter((b) => b.action_id.startsWith('correct_topic:'));
      expect(offered.length).toBeGreaterThan(1);
      const guess = offered[0]!.action_id.split(':')[1]; // the best guess is offered first
      const pick = offered[1]!;
      await click(h, 'U_UNSURE', pick);
      const [shown] = await responses();
      expect(shown.blocks[0]).toMatchObject({ type: 'header', text: { text: pick.text.text } });
      await recorded();
      const line = (await store().report(new Date(0))).corrections.find((c) => c.question === question);
      expect(line).toEqual({ question, answered: guess, picked: pick.action_id.split(':')[1], count: 1, review: 'pending' });
      // Asked again by someone else: the same question back, its own question id in the buttons (drawn per request).
      const again = (await h.slack.command(question, { user_id: 'U_OTHER' })).json();
      const theirs = buttonsOf(again.blocks).find((b) => b.action_id === pick.action_id)!;
      expect(JSON.parse(theirs.value).q).not.toBe(JSON.parse(pick.value).q);
    });

    it('history: Open shows the whole recommendation with its ref; Edit opens the form prefilled; an unknown id is said so', async () => {
      await store().recordRecommendations([
        // Posted by a colleague in a channel the test user is in (who sees what: history-scope.e2e.test.ts).
        recommendationRecord({ customer: '<!channel> Ping & Co', country: 'IN', agents: 4, needs: ['calls'], notes: 'Wants *bold* <https://evil.example|click>' }, { id: 'PING0002', userId: 'U0SALES2', workspace: 'T1', at: Date.now() - HOUR }),
      ]);
      h.fake.memberships.set('U_AGENT', ['C0DEALS']);
      h.fake.reset();
      await h.slack.command('history ping');
      const [list] = await responses();
      const open = buttonsOf(list.blocks).find((b) => b.action_id === 'open_recommendation' && b.value === 'PING0002');
      const edit = buttonsOf(list.blocks).find((b) => b.action_id === 'edit_recommendation' && b.value === 'PING0002');
      expect(open && edit).toBeTruthy();

      h.fake.reset();
      await click(h, 'U_AGENT', open!);
      const [full] = await responses();
      expect(full).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      const shown = textOf(full.blocks);
      expect(shown).toContain('Ref `PING0002`');
      expect(shown).toContain('by <@U0SALES2>');
      expect(shown).toMatch(/Why/);
      expect(mrkdwnOf(full.blocks)).not.toContain('<!channel>');
      expect(mrkdwnOf(full.blocks)).not.toContain('<https://evil.example');
      expect(buttonsOf(full.blocks).map((b) => b.action_id)).toContain('edit_requirements');

      h.fake.reset();
      await click(h, 'U_AGENT', edit!);
      const [opened] = await h.fake.waitFor('views.open');
      const customer = opened!.args.view.blocks.find((b: Block) => b.block_id === 'customer');
      expect(customer.element.initial_value).toBe('<!channel> Ping & Co');
      expect(JSON.stringify(opened!.args.view.blocks)).toContain('Wants *bold*');

      h.fake.reset();
      await click(h, 'U_AGENT', { action_id: 'open_recommendation', value: 'NOSUCH01' });
      const [missing] = await responses();
      expect(missing.text).toMatch(/cannot find recommendation NOSUCH01 among those you can see/);
    });

    it('App Home: your own recent recommendations, and the report only for a knowledge owner; Accept makes a training line', async () => {
      const now = Date.now();
      await store().recordRecommendations([
        recommendationRecord({ customer: 'Owner Deal', country: 'IN', needs: [] }, { id: 'OWNR0001', userId: OWNER, at: now - HOUR }),
        recommendationRecord({ customer: 'Someone Else', country: 'IN', needs: [] }, { id: 'ELSE0001', userId: 'U0SALES9', at: now - HOUR }),
      ]);
      const unanswered = { id: newQuestionId(), platform: 'slack' as const, userId: 'U1', text: '<!channel> where is the wallpaper setting?', topic: null, confidence: 0.1, at: now - HOUR };
      const asked = { id: newQuestionId(), platform: 'slack' as const, userId: 'U1', text: 'does the phone still ring for my team', topic: 'calls' as const, confidence: 0.3, at: now - HOUR };
      await store().recordQuestions([unanswered, asked]);
      await store().recordFeedback([{ platform: 'slack', userId: 'U1', target: 'answer', targetId: asked.id, rating: 'correction', topic: 'number-usage', at: now - HOUR }]);

      h.fake.reset();
      await h.slack.event({ type: 'app_home_opened', user: OWNER, channel: 'D1', tab: 'home', event_ts: '9.1' });
      const [home] = await h.fake.waitFor('views.publish');
      expect(home!.args.user_id).toBe(OWNER);
      expect(slackLimitViolations(home!.args.view)).toEqual([]);
      const blocks = home!.args.view.blocks as Block[];
      const all = textOf(blocks);
      expect(all).toContain('Your recent recommendations');
      expect(all).toContain('Owner Deal');
      expect(all).not.toContain('Someone Else');
      expect(all).toContain('Knowledge owner’s report');
      expect(all).toMatch(/Questions\*\\n\d+/);
      expect(all).toContain('&lt;!channel&gt; where is the wallpaper setting?');
      expect(mrkdwnOf(blocks)).not.toContain('<!channel>');
      const accept = buttonsOf(blocks).find((b) => b.action_id.startsWith('review_correction:accepted') && JSON.parse(b.value).q === asked.text);
      expect(accept).toBeTruthy();

      // Open, from App Home (no message to answer): the recommendation in a modal.
      h.fake.reset();
      const openOwn = buttonsOf(blocks).find((b) => b.action_id === 'open_recommendation' && b.value === 'OWNR0001');
      await click(h, OWNER, openOwn!, 'home');
      const [opened] = await h.fake.waitFor('views.open');
      expect(opened!.args.view).toMatchObject({ type: 'modal', title: { text: 'Recommendation' } });
      expect(textOf(opened!.args.view.blocks)).toContain('Ref `OWNR0001`');
      expect(slackLimitViolations(opened!.args.view)).toEqual([]);

      // Someone who is not an owner sees their own list and no report.
      h.fake.reset();
      await h.slack.event({ type: 'app_home_opened', user: 'U0SALES9', channel: 'D2', tab: 'home', event_ts: '9.2' });
      const [theirs] = await h.fake.waitFor('views.publish');
      expect(textOf(theirs!.args.view.blocks)).toContain('Someone Else');
      expect(textOf(theirs!.args.view.blocks)).not.toContain('Knowledge owner');

      // A non-owner's click on Accept changes nothing; the owner's click accepts and the Home tab shows it.
      h.fake.reset();
      await click(h, 'U0SALES9', accept!, 'home');
      await h.product.slack!.drain();
      expect(await store().trainingLines(new Date(0))).toEqual([]);
      await click(h, OWNER, accept!, 'home');
      const [after] = await h.fake.waitFor('views.publish');
      expect(textOf(after!.args.view.blocks)).toMatch(/does the phone still ring for my team.*accepted/);
      expect(await store().trainingLines(new Date(0))).toEqual([{ q: 'does the phone still ring for my team', topics: ['number-usage'] }]);

      h.fake.reset();
      const export_ = buttonsOf(after!.args.view.blocks).find((b) => b.action_id === 'show_training_lines');
      await click(h, OWNER, export_!, 'home');
      const [modal] = await h.fake.waitFor('views.open');
      expect(slackLimitViolations(modal!.args.view)).toEqual([]);
      expect(textOf(modal!.args.view.blocks)).toContain('{\\"q\\":\\"does the phone still ring for my team\\",\\"topics\\":[\\"number-usage\\"]}');
      expect(textOf(modal!.args.view.blocks)).toContain('report --export-training --out');
    });

    it('a full report at its limits (every section full, 500-character questions): within Block Kit limits in a message and in App Home', async () => {
      const now = Date.now();
      const long = (tag: string, i: number) => `${tag} ${i} <!here> ${'why does this not work on the phone and the desktop app as well '.repeat(8)}`.slice(0, 500);
      const rows = Array.from({ length: 12 }, (_, i) => [
        { id: newQuestionId(), platform: 'slack' as const, userId: 'U1', text: long('unanswered', i), topic: null, confidence: 0.1, at: now - HOUR },
        { id: newQuestionId(), platform: 'slack' as const, userId: 'U1', text: long('unsure', i), topic: 'calls' as const, confidence: 0.3, at: now - HOUR },
      ]).flat();
      await store().recordQuestions(rows);
      await store().recordFeedback(
        rows.filter((r) => r.topic !== null).flatMap((r) => [
          { platform: 'slack' as const, userId: 'U1', target: 'answer' as const, targetId: r.id, rating: 'not-helpful' as const, at: now - HOUR },
          { platform: 'slack' as const, userId: 'U1', target: 'answer' as const, targetId: r.id, rating: 'correction' as const, topic: 'number-usage' as const, at: now - HOUR },
        ]),
      );
      h.fake.reset();
      await h.slack.command('report', { user_id: OWNER });
      const [report] = await responses(); // responses() checks every message against the limits
      expect(report.blocks.length).toBeLessThanOrEqual(50);
      expect(buttonsOf(report.blocks).filter((b) => b.action_id.startsWith('review_correction:accepted')).length).toBeGreaterThanOrEqual(5);
      expect(mrkdwnOf(report.blocks)).not.toContain('<!here>');
      h.fake.reset();
      await h.slack.event({ type: 'app_home_opened', user: OWNER, channel: 'D1', tab: 'home', event_ts: '9.9' });
      const [home] = await h.fake.waitFor('views.publish');
      expect(slackLimitViolations(home!.args.view)).toEqual([]);
      expect(mrkdwnOf(home!.args.view.blocks)).not.toContain('<!here>');
    });

    it('/coexist-vs-api report: the owner gets it privately and Dismiss updates it; anyone else is told who it is for', async () => {
      const now = Date.now();
      const asked = { id: newQuestionId(), platform: 'slack' as const, userId: 'U1', text: 'green tick on the app number?', topic: 'verification' as const, confidence: 0.3, at: now - HOUR };
      await store().recordQuestions([asked]);
      await store().recordFeedback([{ platform: 'slack', userId: 'U1', target: 'answer', targetId: asked.id, rating: 'correction', topic: 'linked-devices', at: now - HOUR }]);
      // A correction to a topic removed from the knowledge since: it can be dismissed, not accepted.
      await store().recordFeedback([{ platform: 'slack', userId: 'U1', target: 'answer', targetId: asked.id, rating: 'correction', topic: 'retired-topic' as never, at: now - HOUR }]);

      h.fake.reset();
      await h.slack.command('report', { user_id: 'U_AGENT' });
      const [refused] = await responses();
      expect(textOf(refused.blocks)).toContain('for the knowledge owners');

      h.fake.reset();
      await h.slack.command('report', { user_id: OWNER });
      const [report] = await responses();
      expect(report.response_type).toBe('ephemeral');
      const forRetired = buttonsOf(report.blocks).filter((b) => b.action_id.startsWith('review_correction') && JSON.parse(b.value).p === 'retired-topic');
      expect(forRetired.map((b) => b.action_id.split(':')[1])).toEqual(['dismissed']);
      h.fake.reset();
      await click(h, OWNER, { action_id: 'review_correction:accepted:9', value: JSON.stringify({ q: asked.text, p: 'retired-topic', v: 'accepted' }) }); // an old or forged button
      expect((await responses())[0].text).toMatch(/no longer in the knowledge/);
      expect(await store().trainingLines(new Date(0))).not.toContainEqual(expect.objectContaining({ topics: ['retired-topic'] }));
      const dismiss = buttonsOf(report.blocks).find((b) => b.action_id.startsWith('review_correction:dismissed') && JSON.parse(b.value).q === asked.text && JSON.parse(b.value).p === 'linked-devices');
      h.fake.reset();
      await click(h, OWNER, dismiss!);
      const [updated] = await responses();
      expect(updated.replace_original).toBe(true);
      expect(textOf(updated.blocks)).toMatch(/green tick on the app number\?.*dismissed/);
      expect((await store().report(new Date(0))).corrections.find((c) => c.question === asked.text && c.picked === 'linked-devices')?.review).toBe('dismissed');
    });
  });
}

onBothStores(learningLoop);
