import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { route } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// *Ask an expert* in Teams, against the running product: Bot Framework activities posted to /api/messages, what the
// bot sends (replies and proactive messages) caught by a fake Bot Connector, on SQLite and PostgreSQL. The button on
// a declined answer; the question posted to TEAMS_EXPERTS_CHANNEL (escaped), or, before the bot can reach that
// channel, the asker told and the question kept for the report; the first expert reply in the post's thread
// (`<channel>;messageid=<post>`, read with the RSC permission) relayed to the asker's personal chat once; Save as a
// phrasing becomes a correction; a channel message that does not @mention the bot is not answered.

type Json = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;
const kb = fixtureKnowledge();
const EXPERTS = '19:experts@thread.tacv2';
const ASKER = { id: '29:asker', name: 'Asha <at>All</at> Agent', aadObjectId: 'aad-asker' };
const EXPERT = { id: '29:expert', name: 'Eve Expert', aadObjectId: 'aad-expert' };
const QUESTION = '<at>All</at> **what** is the refund policy for our hosting invoices?';
/** The question as the bot reads it: a mention (`<at>…</at>`) is not part of what was asked. */
const ASKED = QUESTION.replace('<at>All</at> ', '');
/** Markup that would render (a mention, bold) if user text were not escaped. */
const RAW_MARKUP = [/(^|[^\\])<at>/, /(^|[^\\])\*\*what\*\*/];

function submits(card: unknown): Json[] {
  if (Array.isArray(card)) return card.flatMap(submits);
  if (!card || typeof card !== 'object') return [];
  const o = card as Json;
  return [...(o.type === 'Action.Submit' ? [o] : []), ...Object.values(o).flatMap(submits)];
}
const cardsOf = (calls: ConnectorCall[]) => calls.flatMap((c) => FakeConnector.cards(c));
const textOf = (calls: ConnectorCall[]) => cardsOf(calls).flatMap((c) => textBlocks(c)).join('\n');
const inChannel = (conversation: string): Json => ({ id: conversation, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' });

function suite(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`Ask an expert in Teams on ${kind}`, () => {
    let product: Product;
    let connector: FakeConnector;
    const store = () => product.store.store!;

    beforeAll(async () => {
      const made = await env();
      connector = await new FakeConnector().start();
      product = await startTestProduct({ ...made.env, TEAMS_EXPERTS_CHANNEL: EXPERTS }, { teamsConnector: FAST_CONNECTOR });
      await product.storeStarted;
    });
    afterAll(async () => {
      await product?.stop();
      await connector?.stop();
    });
    afterEach(() => connector.reset());

    /** Posts an activity and returns what the bot sent through the connector meanwhile (each card checked). */
    async function post(fields: Json, scope: Scope = 'personal'): Promise<ConnectorCall[]> {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, fields, scope)) });
      expect(res.status).toBeLessThan(300);
      const calls = connector.calls.splice(0);
      for (const card of cardsOf(calls)) expect(cardProblems(card)).toEqual([]);
      return calls;
    }
    /** The asker's question, answered in their personal chat: its Ask an expert submit. */
    async function askButton(question: string): Promise<Json> {
      const calls = await post({ from: ASKER, text: question });
      const ask = submits(cardsOf(calls)).find((s) => s.data?.action === 'askExpert');
      expect(ask, 'the Ask an expert button').toBeDefined();
      return ask!;
    }
    const click = (data: Json, from: Json = ASKER, conversation?: Json) => post({ from, text: '', value: data, ...(conversation ? { conversation } : {}) });

    it('the question is one the advisor declines (the premise of these tests)', () => {
      expect(route(QUESTION, kb).kind).toBe('off-topic');
    });

    it('when Teams refuses the post (the bot is not in the experts channel), the asker is told plainly, with their question, and the report keeps it', async () => {
      const question = `${QUESTION} (unreachable)`;
      const ask = (await askButton(question)).data;
      connector.fail('POST', 403, 1);
      const told = await click(ask);
      expect(told.map((c) => c.conversationId)).toEqual(['a:personal-chat-1']);
      const said = textOf(told);
      expect(said).toMatch(/I could not post your question to the experts’ channel/);
      expect(said).toMatch(/kept for the knowledge owners’ report/);
      expect(said).toContain('unreachable');
      for (const t of textBlocks(cardsOf(told)[0]!)) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
      const line = (await store().report(new Date(0))).expertQuestions?.find((l) => l.question === `${ASKED} (unreachable)`);
      expect(line?.error).toMatch(/403/);
    });

    it('posted to the experts channel (escaped, by name); the first expert reply reaches the asker once; Save as a phrasing is a correction', async () => {
      // The bot learns where the experts channel is from a message there that @mentions it (as once it is added).
      await post({ from: EXPERT, text: '<at>Co-Existence Advisor</at> help', conversation: inChannel(`${EXPERTS};messageid=1`) }, 'channel');
      const deadline = Date.now() + 5000;
      while (!(await product.store.conversationRef(`conversation:${EXPERTS}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      const sent = await click((await askButton(QUESTION)).data);
      const posted = sent.find((c) => c.conversationId === EXPERTS)!;
      expect(posted, 'the post in the experts channel').toBeDefined();
      const postText = textBlocks(FakeConnector.cards(posted)[0]!).join('\n');
      expect(postText).toContain('Question for the experts');
      expect(postText).toContain('refund policy for our hosting invoices');
      expect(postText).toContain('Asked in Microsoft Teams');
      expect(postText).toContain('Asha');
      for (const t of textBlocks(FakeConnector.cards(posted)[0]!)) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
      const told = sent.filter((c) => c.conversationId === 'a:personal-chat-1');
      expect(textOf(told)).toContain('Your question went to the experts’ channel');

      // The expert replies in the post's thread; Teams sends it (RSC) without a mention.
      const thread = inChannel(`${EXPERTS};messageid=${posted.answered}`);
      const replyFields = { id: 'expert-reply-1', from: EXPERT, text: '<p>Refunds go through <b>finance</b>.</p>', conversation: thread, entities: [] };
      const relayed = await post(replyFields, 'channel');
      const toAsker = relayed.filter((c) => c.conversationId === 'a:personal-chat-1');
      expect(toAsker).toHaveLength(1);
      expect(textOf(toAsker)).toContain('An expert answered your question');
      expect(textOf(toAsker)).toContain('Refunds go through finance');
      expect(textOf(toAsker)).toContain('Eve Expert');
      const followUp = relayed.filter((c) => c.conversationId === `${EXPERTS};messageid=${posted.answered}`);
      expect(followUp).toHaveLength(1);
      const saves = submits(cardsOf(followUp)).filter((s) => s.data?.action === 'savePhrasing');
      expect(saves.length).toBeGreaterThan(0);
      expect(submits(cardsOf(followUp)).some((s) => s.data?.action === 'newTopic')).toBe(true);

      // Teams redelivers the same activity; a second expert replies: nothing more reaches the asker.
      const again = [...(await post(replyFields, 'channel')), ...(await post({ from: { id: '29:second', name: 'Sam', aadObjectId: 'aad-second' }, text: 'Also the contract.', conversation: thread, entities: [] }, 'channel'))];
      expect(again.filter((c) => c.conversationId === 'a:personal-chat-1')).toEqual([]);

      const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
      expect(metrics).toMatch(/coexist_expert_time_to_answer_seconds_count\{platform="teams"\} 1/);

      // Save as a phrasing, clicked in the thread by the expert: recorded once as a correction the owners review.
      const save = saves[0]!.data;
      const saved = await click(save, EXPERT, thread);
      expect(textOf(saved)).toContain('Saved as a phrasing of');
      await click(save, EXPERT, thread);
      await product.store.recorder.flush();
      const report = await store().report(new Date(0));
      expect(report.corrections.filter((c) => c.picked === save.topic && c.question === ASKED)).toEqual([{ question: ASKED, answered: null, picked: save.topic, count: 1, review: 'pending' }]);
      expect(report.expertQuestions?.map((l) => l.question)).not.toContain(ASKED);
    });

    it('a channel message that does not @mention the bot is not answered (the RSC permission sends them all)', async () => {
      expect(await post({ from: EXPERT, text: 'compare', conversation: inChannel('19:deals@thread.tacv2;messageid=5'), entities: [] }, 'channel')).toEqual([]);
      expect(await post({ from: EXPERT, text: 'compare', conversation: inChannel(`${EXPERTS};messageid=6`), entities: [] }, 'channel')).toEqual([]);
    });

    it('in a thread of the experts channel that is not an expert question\'s, an @mention is answered as anywhere else', async () => {
      const calls = await post({ from: EXPERT, text: 'compare', conversation: inChannel(`${EXPERTS};messageid=7`) }, 'channel');
      expect(calls.map((c) => c.conversationId)).toEqual([`${EXPERTS};messageid=7`]);
      expect(textOf(calls)).toContain('Throughput');
    });

    it('the asker writing in the thread is not relayed to them; the expert-side buttons pressed outside the experts channel save nothing', async () => {
      const question = `${QUESTION} (asker in thread)`;
      const sent = await click((await askButton(question)).data);
      const posted = sent.find((c) => c.conversationId === EXPERTS)!;
      expect(posted, 'the post in the experts channel').toBeDefined();
      const thread = inChannel(`${EXPERTS};messageid=${posted.answered}`);
      // The asker adds "+1" in the thread (the channel is open to them): nothing is relayed, the question still waits.
      const own = await post({ id: 'asker-plus-one', from: ASKER, text: '+1, any news?', conversation: thread, entities: [] }, 'channel');
      expect(own).toEqual([]);
      const relayed = await post({ id: 'expert-reply-2', from: EXPERT, text: 'Finance handles refunds', conversation: thread, entities: [] }, 'channel');
      const toAsker = relayed.filter((c) => c.conversationId === 'a:personal-chat-1');
      expect(toAsker).toHaveLength(1);
      expect(textOf(toAsker)).toContain('Finance handles refunds');
      expect(textOf(toAsker)).not.toContain('any news');

      // The buttons' data, sent from a personal chat or another channel: not saved, the clicker told why.
      const followUp = relayed.filter((c) => c.conversationId === `${EXPERTS};messageid=${posted.answered}`);
      const save = submits(cardsOf(followUp)).find((s) => s.data?.action === 'savePhrasing')!.data;
      const newTopic = submits(cardsOf(followUp)).find((s) => s.data?.action === 'newTopic')!.data;
      const elsewhere = [...(await click(save, EXPERT)), ...(await click(newTopic, EXPERT, inChannel('19:deals@thread.tacv2;messageid=9')))];
      const said = textOf(elsewhere);
      expect(said).toContain('only in the experts’ channel');
      expect(said).not.toContain('Saved as a phrasing');
      expect(said).not.toContain('Marked as needing a new topic');
      await product.store.recorder.flush();
      const report = await store().report(new Date(0));
      expect(report.corrections.filter((c) => c.question === `${ASKED} (asker in thread)`)).toEqual([]);
      expect(report.newTopics?.map((l) => l.question) ?? []).not.toContain(`${ASKED} (asker in thread)`);
    });
  });
}

onBothStores(suite);
