import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOW_CONFIDENCE, answer, presentTopic, route } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { fixtureKnowledge, nearDomainQuestion, vagueQuestion, twoTopicsQuestion } from '../helpers/fixtures.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// "Which do you mean?", two questions in one, and the decline with EXPERT_HINT, as a person sees them in Teams:
// Bot Framework activities posted to the running product (its store on SQLite), replies caught by a fake Bot
// Connector, each card validated against Adaptive Cards 1.5.

type Json = Record<string, any>;
const kb = fixtureKnowledge();
const titleOf = (topic: string) => presentTopic(kb, topic)!.title;
const HINT = 'Ask in #whatsapp-experts **now** [here](http://x)';

// Our own questions; each test first checks what the matcher makes of it (the premise).
const UNSURE = vagueQuestion((q) => route(q, kb).kind === 'clarify');
const TWO = twoTopicsQuestion(kb, LOW_CONFIDENCE);
const OFF = 'how do i reset my laptop password';
const NEAR = 'can you translate customer voice notes into english for us';

/** Every Action.Submit in a card, in order. */
function submits(card: unknown): Json[] {
  if (Array.isArray(card)) return card.flatMap(submits);
  if (!card || typeof card !== 'object') return [];
  const o = card as Json;
  return [...(o.type === 'Action.Submit' ? [o] : []), ...Object.values(o).flatMap(submits)];
}

describe('Teams: clarify instead of guessing, two topics, the decline', () => {
  let product: Awaited<ReturnType<typeof startTestProduct>>;
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    product = await startTestProduct({ EXPERT_HINT: HINT }, { teamsConnector: FAST_CONNECTOR });
    await product.storeStarted;
  });
  afterAll(async () => {
    await product?.stop();
    await connector?.stop();
  });
  afterEach(() => connector.reset());

  async function say(fields: Json, scope: Scope = 'personal'): Promise<ConnectorCall[]> {
    const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, fields, scope)) });
    expect(res.status).toBeLessThan(300);
    const calls = connector.calls.splice(0);
    for (const call of calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
    return calls;
  }
  const onlyCard = (calls: ConnectorCall[]): Json => {
    expect(calls).toHaveLength(1);
    const cards = FakeConnector.cards(calls[0]!);
    expect(cards).toHaveLength(1);
    return cards[0]!;
  };
  const corrections = async (question: string) => {
    await product.store.recorder.flush();
    return (await product.store.store!.report(new Date(0))).corrections.filter((c) => c.question === question);
  };

  it('an unsure question leads with "Which do you mean?" and topic buttons, no answer; a pick replaces the card with the answer and is a correction', async () => {
    const r = answer(UNSURE, kb);
    expect(r.topic !== null && r.confidence < LOW_CONFIDENCE && r.alternatives.length > 0).toBe(true);
    const card = onlyCard(await say({ text: UNSURE }));
    const texts = textBlocks(card);
    expect(texts[0]).toMatch(/Which do you mean\?/);
    expect(texts.join('\n')).not.toMatch(/\*\*Co-Existence\*\*|\*\*API only\*\*/);
    expect(texts.join('\n')).not.toContain(presentTopic(kb, r.topic!)!.sides[0]!.answer.slice(0, 40));
    expect(texts.join('\n')).toContain(`“${UNSURE}”`);
    const picks = submits(card);
    const offered = [r.topic!, ...r.alternatives].slice(0, 3);
    expect(picks.map((p) => p.data.topic)).toEqual(offered);
    expect(picks.map((p) => p.title)).toEqual(offered.map(titleOf));
    expect(picks.every((p) => p.data.action === 'correct' && p.data.text === UNSURE && typeof p.data.question === 'string')).toBe(true);

    const pick = picks[1]!;
    const shownCalls = await say({ text: '', value: pick.data, replyToId: 'clarify-card-1' });
    expect(shownCalls[0]).toMatchObject({ method: 'PUT', activityId: 'clarify-card-1' }); // the answer takes the question's place
    const shown = onlyCard(shownCalls);
    expect(shown.body[0].text).toBe(titleOf(pick.data.topic));
    expect(textBlocks(shown).join('\n')).toMatch(/\*\*Co-Existence\*\*/);
    expect(await corrections(UNSURE)).toEqual([{ question: UNSURE, answered: r.topic, picked: pick.data.topic, count: 1, review: 'pending' }]);
  });

  it('the question is shown as typed, never as markdown', async () => {
    // A vague question that stays unsure with the markdown and the mention around it (their words are read too).
    const question = `${vagueQuestion((q) => route(`${q} **now** <at>All</at>`, kb).kind === 'clarify')} **now** <at>All</at>`;
    const r = answer(question, kb);
    expect(r.topic !== null && r.confidence < LOW_CONFIDENCE && r.alternatives.length > 0).toBe(true);
    const card = onlyCard(await say({ text: question }));
    expect(textBlocks(card)[0]).toMatch(/Which do you mean\?/);
    for (const t of textBlocks(card)) expect(t).not.toMatch(/(^|[^\\])\*\*now\*\*/);
  });

  it('in the askAdvisor dialog too: the question back, and a pick shows its answer', async () => {
    const res = await fetch(`${product.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsActivity(connector.url, { type: 'invoke', name: 'composeExtension/fetchTask', value: { commandId: 'askAdvisor', commandContext: 'message', messagePayload: { id: 'm-1', body: { contentType: 'text', content: UNSURE } } } }, 'channel')),
    });
    const body = (await res.json()) as Json;
    expect(body.task.value.title).toBe('Which do you mean?');
    const card = body.task.value.card.content as Json;
    expect(cardProblems(card)).toEqual([]);
    expect(textBlocks(card)[0]).toMatch(/Which do you mean\?/);
    expect(submits(card).length).toBeGreaterThanOrEqual(2);
  });

  it('two questions in one: both answers, the second under "You also asked about …"; More details opens both', async () => {
    const r = answer(TWO, kb);
    if (r.topic === null || !r.also) throw new Error(`premise: "${TWO}" asks two things`);
    const card = onlyCard(await say({ text: TWO }));
    const texts = textBlocks(card);
    expect(card.body[0].text).toBe(titleOf(r.topic));
    const also = texts.findIndex((t) => t.includes(`You also asked about ${titleOf(r.also!.topic)}`));
    expect(also).toBeGreaterThan(0);
    const second = presentTopic(kb, r.also.topic, TWO)!;
    const main = presentTopic(kb, r.topic, TWO)!;
    expect(texts.indexOf(main.sides[0]!.answer)).toBeLessThan(also);
    expect(texts.indexOf(second.sides[0]!.answer)).toBeGreaterThan(also);
    const toggle = (card.actions as Json[]).find((a) => a.type === 'Action.ToggleVisibility')!;
    expect(toggle.targetElements).toHaveLength(4);
  });

  it('off-topic and near-domain questions are declined with EXPERT_HINT, as plain text', async () => {
    for (const q of [OFF, NEAR]) {
      expect(answer(q, kb).topic).toBeNull();
      const texts = textBlocks(onlyCard(await say({ text: q })));
      const hint = texts.find((t) => t.includes('Not something I cover?'))!;
      // As Teams shows it (a backslash shows the next character as itself): the hint as written, no formatting.
      expect(hint.replace(/\\(.)/g, '$1')).toContain(`Not something I cover? ${HINT}`);
      expect(hint).not.toMatch(/(^|[^\\])\*\*now\*\*|(^|[^\\])\[here\]\(http/);
    }
  });
  it('a declined question that came close to topics shows them as buttons after the decline; a pick replaces the card with the answer and is a correction', async () => {
    const question = nearDomainQuestion((q) => { const r = answer(q, kb); return r.topic === null && r.alternatives.length > 0; });
    const r = answer(question, kb);
    const card = onlyCard(await say({ text: question }));
    const texts = textBlocks(card);
    expect(texts[0]).toMatch(/could not match this to a topic I cover/);
    expect(texts.join('\n')).not.toMatch(/\*\*Co-Existence\*\*|\*\*API only\*\*/);
    expect(texts.some((t) => t.includes('Not something I cover?'))).toBe(true);
    const picks = submits(card).filter((p) => p.data?.action === 'correct');
    expect(picks.map((p) => p.data.topic)).toEqual(r.alternatives);
    expect(picks.map((p) => p.title)).toEqual(r.alternatives.map(titleOf));

    const pick = picks[0]!;
    const shownCalls = await say({ text: '', value: pick.data, replyToId: 'decline-card-1' });
    expect(shownCalls[0]).toMatchObject({ method: 'PUT', activityId: 'decline-card-1' });
    expect(onlyCard(shownCalls).body[0].text).toBe(titleOf(pick.data.topic));
    expect(await corrections(question)).toEqual([{ question, answered: null, picked: pick.data.topic, count: 1, review: 'pending' }]);
  });
});
