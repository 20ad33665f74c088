import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newQuestionId } from '../../adapters/store/records.ts';
import { closestTopics, presentNotHelpful, presentTopic, route } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { fixtureKnowledge, vagueQuestion } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { recommendationRecord } from '../helpers/store.ts';
import { FAST_CONNECTOR, teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// The learning loop in Teams, against the running product: Bot Framework activities posted to /api/messages, the
// replies caught by a fake Bot Connector, the store on SQLite and on PostgreSQL. "Not helpful" offers the closest
// topics and a pick is recorded as a correction (in a chat and in the askAdvisor dialog); history entries open in
// full or as a prefilled form; the knowledge owner's `report` with Accept / Dismiss, whose Accept makes a training
// line.

type Json = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;
const HOUR = 3_600_000;
/** KNOWLEDGE_OWNERS takes Teams users by AAD object id, in any case. */
const OWNER_AAD = '5b7f3a1e-2c4d-4e6f-8a9b-0c1d2e3f4a5b';
const OWNER = { id: '29:owner', name: 'Kim Owner', aadObjectId: OWNER_AAD };
const AGENT = { id: '29:agent', name: 'Asha Agent', aadObjectId: 'aad-asha' };
/** Markup that would render (a mention, bold, a link) if user text were not escaped. */
const RAW_MARKUP = [/(^|[^\\])<at>/, /(^|[^\\])\*\*x\*\*/, /(^|[^\\])\[a\]\(http/];
const INJECTED = '<at>All</at> **x** [a](http://x)';

const kb = fixtureKnowledge();
const titleOf = (topic: string) => presentTopic(kb, topic)!.title;
/** Every Action.Submit in a card (card-level and in ActionSets), with where it sits. */
function submits(card: unknown): Json[] {
  if (Array.isArray(card)) return card.flatMap(submits);
  if (!card || typeof card !== 'object') return [];
  const o = card as Json;
  return [...(o.type === 'Action.Submit' ? [o] : []), ...Object.values(o).flatMap(submits)];
}
function expectEscaped(card: Json): void {
  for (const t of textBlocks(card)) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
}

function learningLoop(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`the learning loop in Teams on ${kind}`, () => {
    let product: Product;
    let connector: FakeConnector;
    let cleanup: (() => Promise<void>) | undefined;
    const store = () => product.store.store!;

    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      connector = await new FakeConnector().start();
      // The agent is a sales lead here, so their history lists a colleague's entry (who sees what: history-scope.e2e.test.ts).
      product = await startTestProduct({ ...made.env, KNOWLEDGE_OWNERS: `U0SLACKOWNER, ${OWNER_AAD.toUpperCase()}`, SALES_LEADS: 'aad-asha' }, { teamsConnector: FAST_CONNECTOR });
      await product.storeStarted;
    });
    afterAll(async () => {
      await product?.stop();
      await connector?.stop();
      await cleanup?.();
    });
    afterEach(() => {
      for (const call of connector.calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
      connector.reset();
    });

    /** Posts an activity; returns what the bot sent back through the connector (each card checked). */
    async function say(fields: Json, scope: Scope = 'personal', from: Json = AGENT): Promise<ConnectorCall[]> {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { from, ...fields }, scope)) });
      expect(res.status).toBeLessThan(300);
      const calls = connector.calls.splice(0);
      for (const call of calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
      return calls;
    }
    const click = (data: Json, replyToId: string, from: Json = AGENT, scope: Scope = 'personal') => say({ text: '', value: data, replyToId }, scope, from);
    const onlyCard = (calls: ConnectorCall[]): Json => {
      expect(calls).toHaveLength(1);
      const cards = FakeConnector.cards(calls[0]!);
      expect(cards).toHaveLength(1);
      return cards[0]!;
    };
    /** An invoke of the message extension (the askAdvisor dialog): its HTTP response. */
    async function invoke(name: string, value: Json): Promise<Json> {
      const res = await fetch(`${product.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(teamsActivity(connector.url, { type: 'invoke', name, value, from: AGENT }, 'channel')),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    }
    const dialogCard = (body: Json): { title: string; card: Json } => {
      expect(body.task?.type).toBe('continue');
      const card = body.task.value.card.content as Json;
      expect(cardProblems(card)).toEqual([]);
      return { title: body.task.value.title, card };
    };
    const corrections = async () => {
      await product.store.recorder.flush();
      return (await store().report(new Date(0))).corrections;
    };

    it('"Not helpful" offers the closest topics (never the one answered); a pick shows its answer and is a correction', async () => {
      const question = 'can my agents answer whatsapp calls on the api?'; // answered surely (an unsure one is asked back)
      const answer = onlyCard(await say({ text: question }));
      const notHelpful = submits(answer).find((a) => a.data.action === 'feedback' && a.data.rating === 'not-helpful')!;
      const answered = notHelpful.data.topic as string;
      expect(answer.body[0].text).toBe(titleOf(answered));
      expect(notHelpful.data).toMatchObject({ text: question });

      const offerCalls = await click(notHelpful.data, 'answer-card-1');
      expect(offerCalls[0]!.method).toBe('POST'); // a new message: the answer stays
      const offer = onlyCard(offerCalls);
      expect(JSON.stringify(offer)).toContain('Which of these were you asking about?');
      const picks = submits(offer);
      expect(picks.length).toBeGreaterThanOrEqual(3);
      expect(picks.every((p) => p.data.action === 'correct' && p.data.question === notHelpful.data.question && p.data.text === question)).toBe(true);
      const offered = picks.map((p) => p.data.topic as string);
      expect(offered).not.toContain(answered);
      expect(offered[0]).toBe(closestTopics(question, kb, { exclude: answered })[0]); // closest first
      expect(offered).toEqual(presentNotHelpful(kb, question, answered).topics.map((t) => t.topic));
      expect(picks.map((p) => p.title)).toEqual(offered.map(titleOf));

      const pick = picks[1]!;
      const shownCalls = await click(pick.data, 'offer-card-1');
      expect(shownCalls[0]).toMatchObject({ method: 'PUT', activityId: 'offer-card-1' }); // the answer takes the offer's place
      const shown = onlyCard(shownCalls);
      expect(shown.body[0].text).toBe(titleOf(pick.data.topic));
      expect(textBlocks(shown).join('\n')).toContain(`“${question}”`); // as asked: it leads with the setup asked about
      await click(pick.data, 'offer-card-1'); // a double click is one correction

      const found = (await corrections()).filter((c) => c.question === question);
      expect(found).toEqual([{ question, answered, picked: pick.data.topic, count: 1, review: 'pending' }]);
      const report = await store().report(new Date(0));
      expect(report.notHelpful).toEqual([expect.objectContaining({ question, topic: answered, count: 1 })]);
    });

    it('an unsure question is asked back ("Which do you mean?"): picking a topic is a correction too', async () => {
      const question = vagueQuestion((q) => route(q, fixtureKnowledge()).kind === 'clarify');
      const asked = onlyCard(await say({ text: question }));
      expect(JSON.stringify(asked)).toContain('Which do you mean?');
      const offered = submits(asked).filter((a) => a.data.action === 'correct');
      expect(offered.length).toBeGreaterThan(1);
      // Every pick carries the recorded question's id (the correction's target) and the question as typed.
      expect(offered[0]!.data.question).toMatch(/^[0-9A-Z]{16}$/);
      expect(offered.every((a) => a.data.question === offered[0]!.data.question && a.data.text === question)).toBe(true);
      const guess = offered[0]!.data.topic; // the best guess is offered first
      const shown = onlyCard(await click(offered[1]!.data, 'unsure-answer-1'));
      expect(shown.body[0].text).toBe(titleOf(offered[1]!.data.topic));
      const found = (await corrections()).filter((c) => c.question === question);
      expect(found).toEqual([{ question, answered: guess, picked: offered[1]!.data.topic, count: 1, review: 'pending' }]);
    });

    it('the same in the askAdvisor dialog: Not helpful shows the closest topics, a pick its answer, and it is a correction', async () => {
      const question = 'will we keep the green tick on coexistence?';
      const { card } = dialogCard(await invoke('composeExtension/fetchTask', { commandId: 'askAdvisor', commandContext: 'message', messagePayload: { id: 'm-9', body: { contentType: 'text', content: question } } }));
      const notHelpful = submits(card).find((a) => a.data.action === 'feedback' && a.data.rating === 'not-helpful')!;
      const answered = notHelpful.data.topic as string;

      const offer = dialogCard(await invoke('composeExtension/submitAction', { commandId: 'askAdvisor', commandContext: 'message', data: notHelpful.data }));
      expect(offer.title).toBe('Which topic did you mean?');
      const picks = submits(offer.card);
      expect(picks.length).toBeGreaterThanOrEqual(3);
      expect(picks.map((p) => p.data.topic)).not.toContain(answered);
      expect(picks[0]!.data.topic).toBe(closestTopics(question, kb, { exclude: answered })[0]);

      const pick = picks[0]!;
      const shown = dialogCard(await invoke('composeExtension/submitAction', { commandId: 'askAdvisor', commandContext: 'message', data: pick.data }));
      expect(shown.title).toBe(titleOf(pick.data.topic));
      expect(shown.card.body[0].text).toBe(titleOf(pick.data.topic));
      expect(connector.calls).toEqual([]); // all of it in the dialog: nothing posted to the conversation

      // The dialog answers at once; the correction is recorded right after.
      const expected = [{ question, answered, picked: pick.data.topic, count: 1, review: 'pending' }];
      for (let tries = 0; tries < 50 && JSON.stringify((await corrections()).filter((c) => c.question === question)) !== JSON.stringify(expected); tries++) await new Promise((r) => setTimeout(r, 20));
      expect((await corrections()).filter((c) => c.question === question)).toEqual(expected);
    });

    it('a question with markup is escaped on the Not helpful card; a forged pick is an old card and records nothing', async () => {
      const question = `${INJECTED} how many messages per second on coexistence?`; // a question the matcher is sure of: Not helpful is on sure answers
      // Teams sends a typed "<at>" as HTML text (a real mention is an <at> tag with an entity, and is removed).
      const answer = onlyCard(await say({ text: '<p>&lt;at&gt;All&lt;/at&gt; **x** [a](http://x) how many messages per second on coexistence?</p>' }));
      const notHelpful = submits(answer).find((a) => a.data.rating === 'not-helpful')!;
      const offer = onlyCard(await click(notHelpful.data, 'answer-card-2'));
      expectEscaped(offer);
      expect(textBlocks(offer).join('\n')).toContain('\\<at\\>All\\</at\\> \\*\\*x\\*\\* \\[a\\]\\(http://x\\)');

      const pick = submits(offer)[0]!;
      for (const forged of [
        { ...pick.data, topic: 'no-such-topic' },
        { ...pick.data, question: 'Q'.repeat(65) },
        { ...pick.data, text: 42 },
        { ...notHelpful.data, topic: 'no-such-topic' },
      ]) {
        const calls = await click(forged, 'offer-card-2');
        expect(calls).toHaveLength(1);
        expect(calls[0]!.activity.text).toMatch(/older version of this card/);
      }
      expect((await corrections()).filter((c) => c.question === question)).toEqual([]);
    });

    it('history: Open shows the whole recommendation with its ref; Edit brings the prefilled form; an unknown id is said so', async () => {
      await store().recordRecommendations([
        recommendationRecord(
          { customer: `${INJECTED} Ping`, country: 'IN', agents: 4, needs: ['calls'], notes: 'Wants **bold** <at>Team</at>' },
          { id: 'PING0002', platform: 'teams', userId: 'aad-someone-else', workspace: 'tenant-1', channelId: 'a:x', messageRef: 'y', at: Date.now() - HOUR },
        ),
        recommendationRecord({ customer: 'Mine Ping', country: 'BR', needs: [] }, { id: 'MINE0002', platform: 'teams', userId: 'aad-asha', channelId: 'a:x', messageRef: 'z', at: Date.now() - 2 * HOUR }),
      ]);
      const list = onlyCard(await say({ text: 'history ping' }));
      expectEscaped(list);
      const open = submits(list).find((a) => a.data.action === 'openRecommendation' && a.data.id === 'PING0002')!;
      const edit = submits(list).find((a) => a.data.action === 'recommend.edit' && a.data.requirements?.customer === `${INJECTED} Ping`)!;
      expect(open.title).toBe('Open');
      expect(edit.title).toBe('Edit');
      expect(submits(list).filter((a) => a.title === 'Open')).toHaveLength(2);

      const full = onlyCard(await click(open.data, 'history-card'));
      const all = JSON.stringify(full);
      expect(all).toMatch(/Ref PING0002 · made \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by someone in Teams/);
      expect(all).toMatch(/Why/);
      expect(full.body[0].text).toContain('\\<at\\>All\\</at\\> \\*\\*x\\*\\* \\[a\\]\\(http://x\\) Ping');
      expectEscaped(full);
      expect(submits(full).map((a) => a.title)).toContain('Edit requirements');
      const mine = submits(list).find((a) => a.data.action === 'openRecommendation' && a.data.id === 'MINE0002')!;
      expect(JSON.stringify(onlyCard(await click(mine.data, 'history-card')))).toMatch(/Ref MINE0002 · made .* by you/);

      const form = onlyCard(await click(edit.data, 'history-card'));
      const input = (id: string) => (form.body as Json[]).find((e) => e.id === id)!;
      expect(input('customer').value).toBe(`${INJECTED} Ping`);
      expect(input('country').value).toBe('IN');
      expect(input('agents').value).toBe(4);
      expect(input('notes').value).toBe('Wants **bold** <at>Team</at>');

      const missing = await click({ action: 'openRecommendation', id: 'NOSUCH01' }, 'history-card');
      expect(missing).toHaveLength(1);
      expect(missing[0]!.activity.text).toMatch(/cannot find recommendation NOSUCH01 among those you can see/);
      const forged = await click({ action: 'openRecommendation', id: 'x'.repeat(65) }, 'history-card');
      expect(forged[0]!.activity.text).toMatch(/older version of this card/);
      // Only in a personal chat, like the history.
      const inChannel = await click(open.data, 'history-card', AGENT, 'channel');
      expect(JSON.stringify(inChannel)).toMatch(/only in a personal chat/);
      expect(JSON.stringify(inChannel)).not.toContain('PING0002');
    });

    it('history: entries too large to carry their requirements keep the card within Teams\' size; their Edit reads the store', async () => {
      const notes = `Huge ${'"\\'.repeat(990)}`; // 2 bytes a character in JSON: the worst notes the form keeps (control characters become spaces)
      await store().recordRecommendations(
        Array.from({ length: 10 }, (_, i) =>
          recommendationRecord({ customer: `Huge ${i}`, country: 'IN', needs: ['calls'], notes }, { id: `HUGE000${i}`, platform: 'teams', userId: 'aad-asha', channelId: 'a:x', messageRef: `h${i}`, at: Date.now() - HOUR - i }),
        ),
      );
      const list = onlyCard(await say({ text: 'history huge' }));
      expect(Buffer.byteLength(JSON.stringify(list))).toBeLessThan(28 * 1024);
      const byId = submits(list).filter((a) => a.data.action === 'recommend.edit' && a.data.requirements === undefined);
      expect(byId.length).toBeGreaterThan(0);
      const form = onlyCard(await click(byId[0]!.data, 'history-card'));
      const input = (id: string) => (form.body as Json[]).find((e) => e.id === id)!;
      expect(input('customer').value).toBe(`Huge ${byId[0]!.data.id.slice(-1)}`);
      expect(input('notes').value).toBe(notes);
      expect(input('needs_0').value).toBe('calls');
      // Like Open, only in a personal chat.
      expect(JSON.stringify(await click(byId[0]!.data, 'history-card', AGENT, 'groupChat'))).toMatch(/only in a personal chat/);
    });

    it('report: an owner gets the figures and the corrections with Accept; Accept marks it accepted and makes a training line', async () => {
      const now = Date.now();
      const asked = { id: newQuestionId(), platform: 'teams' as const, userId: 'aad-u1', text: `${INJECTED} does the phone still ring for my team`, topic: 'calls' as const, confidence: 0.3, at: now - HOUR };
      await store().recordQuestions([asked]);
      await store().recordFeedback([{ platform: 'teams', userId: 'aad-u1', target: 'answer', targetId: asked.id, rating: 'correction', topic: 'number-usage', question: asked.text, at: now - HOUR }]);

      // Someone who is not an owner is told who it is for.
      expect(JSON.stringify(await say({ text: 'report' }))).toContain('for the knowledge owners');

      const reportCalls = await say({ text: 'report' }, 'personal', OWNER);
      const report = onlyCard(reportCalls);
      const all = JSON.stringify(report);
      expect(all).toContain('Knowledge owner’s report');
      const facts = (report.body as Json[]).find((e) => e.type === 'FactSet')!.facts as Json[];
      expect(facts.map((f) => f.title)).toEqual(['Questions', 'Answered', 'Rated helpful', 'Corrections']);
      expect(Number(facts[0]!.value)).toBeGreaterThanOrEqual(1);
      expect(facts[3]!.value).toMatch(/to review/);
      expectEscaped(report);
      expect(textBlocks(report).join('\n')).toContain('\\<at\\>All\\</at\\> \\*\\*x\\*\\* \\[a\\]\\(http://x\\) does the phone still ring for my team');
      const accept = submits(report).find((a) => a.data.action === 'reviewCorrection' && a.data.verdict === 'accepted' && a.data.question === asked.text)!;
      expect(accept).toMatchObject({ title: `Accept: ${titleOf('number-usage')}`, data: { picked: 'number-usage' } });
      expect(submits(report).find((a) => a.data.verdict === 'dismissed' && a.data.question === asked.text)).toBeTruthy();

      // A non-owner's click on Accept changes nothing.
      const refused = await click(accept.data, 'report-card');
      expect(refused[0]!.activity.text).toMatch(/Only the knowledge owners/);
      expect(await store().trainingLines(new Date(0))).toEqual([]);

      const accepted = await click(accept.data, 'report-card', OWNER);
      expect(accepted[0]).toMatchObject({ method: 'PUT', activityId: 'report-card' }); // the report is updated in place
      const updated = textBlocks(onlyCard(accepted)).join('\n');
      expect(updated).toMatch(/does the phone still ring for my team.*✅ accepted/);
      expect(JSON.stringify(submits(onlyCard(accepted)))).not.toContain('does the phone still ring');
      expect(await store().trainingLines(new Date(0))).toContainEqual({ q: asked.text, topics: ['number-usage'] });
      expect((await store().report(new Date(0))).corrections.find((c) => c.question === asked.text)?.review).toBe('accepted');
    });

    it('report: Dismiss marks it dismissed; in a channel or group chat the report is not shown', async () => {
      const now = Date.now();
      const asked = { id: newQuestionId(), platform: 'teams' as const, userId: 'aad-u2', text: 'green tick on the app number?', topic: 'verification' as const, confidence: 0.3, at: now - HOUR };
      await store().recordQuestions([asked]);
      await store().recordFeedback([{ platform: 'teams', userId: 'aad-u2', target: 'answer', targetId: asked.id, rating: 'correction', topic: 'linked-devices', at: now - HOUR }]);
      const report = onlyCard(await say({ text: 'report' }, 'personal', OWNER));
      const dismiss = submits(report).find((a) => a.data.verdict === 'dismissed' && a.data.question === asked.text)!;
      const dismissed = onlyCard(await click(dismiss.data, 'report-card-2', OWNER));
      expect(textBlocks(dismissed).join('\n')).toMatch(/green tick on the app number\?.*✖️ dismissed/);
      expect((await store().report(new Date(0))).corrections.find((c) => c.question === asked.text)?.review).toBe('dismissed');
      expect(await store().trainingLines(new Date(0))).not.toContainEqual(expect.objectContaining({ q: asked.text }));

      for (const scope of ['channel', 'groupChat'] as const) {
        const calls = await say({ text: '<at>Co-Existence Advisor</at> report', entities: [{ type: 'mention', text: '<at>Co-Existence Advisor</at>', mentioned: { id: '28:advisor-bot', name: 'x' } }] }, scope, OWNER);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.activity.text).toMatch(/only in a personal chat/);
        expect(JSON.stringify(calls)).not.toContain('green tick');
        // Nor reviewed from there.
        expect((await click(dismiss.data, 'report-card-2', OWNER, scope))[0]!.activity.text).toMatch(/only in a personal chat/);
      }
    });
  });
}

onBothStores(learningLoop);
