import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { historyCard } from '../../adapters/teams/cards/history.ts';
import { notHelpfulCard } from '../../adapters/teams/cards/answer.ts';
import { reportCard } from '../../adapters/teams/cards/report.ts';
import { TEAMS_LIMITS } from '../../adapters/teams/limits.ts';
import { presentHistory, presentNotHelpful, presentReport, recommend, validateRequirements, type PastRecommendation, type UsageReport } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// The Teams side of the learning loop without a working store: its cards at their largest (within Teams' message
// size, user text escaped), and what an owner, anyone else and a channel are told when the store does not answer.
// With a store, on SQLite and PostgreSQL: test/store/learning-loop.teams.e2e.test.ts.

type Json = Record<string, any>;
const kb = fixtureKnowledge();
const OWNER_AAD = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';
const OWNER = { id: '29:owner', name: 'Kim Owner', aadObjectId: OWNER_AAD };
/** Markup that would render (a mention, bold, a link) if user text were not escaped. */
const RAW_MARKUP = [/(^|[^\\])<at>/, /(^|[^\\])\*\*x\*\*/, /(^|[^\\])\[a\]\(http/];
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card));

function submits(card: unknown): Json[] {
  if (Array.isArray(card)) return card.flatMap(submits);
  if (!card || typeof card !== 'object') return [];
  const o = card as Json;
  return [...(o.type === 'Action.Submit' ? [o] : []), ...Object.values(o).flatMap(submits)];
}

describe('the cards at their largest', () => {
  it('history: ten entries with the longest notes stay within the message size; Edit then carries the id', () => {
    // Control characters are 6 bytes each in JSON: the worst notes a form accepts.
    const notes = '\u0001"\\'.repeat(666);
    const valid = validateRequirements({ customer: `<at>All</at> **x** [a](http://x) ${'c'.repeat(40)}`, country: 'IN', needs: ['calls'], notes });
    if (!valid.ok) throw new Error(JSON.stringify(valid.errors));
    const small = validateRequirements({ customer: 'Small', country: 'BR', needs: [] });
    if (!small.ok) throw new Error('invalid');
    const past: PastRecommendation[] = Array.from({ length: 10 }, (_, i) => {
      const requirements = i === 4 ? small.requirements : valid.requirements;
      const rec = recommend(requirements, kb);
      return { id: `BIG0000${i}`, createdAt: new Date(), platform: 'teams', userId: 'aad-x', customer: requirements.customer ?? null, setup: rec.setup, confidence: rec.confidence, messageLink: null, requirements };
    });
    const card = historyCard(presentHistory(past), 'aad-x');
    expect(cardProblems(card)).toEqual([]);
    expect(bytes(card)).toBeLessThanOrEqual(TEAMS_LIMITS.cardBudgetBytes);
    for (const t of textBlocks(card)) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
    const opens = submits(card).filter((a) => a.data.action === 'openRecommendation');
    const edits = submits(card).filter((a) => a.data.action === 'recommend.edit');
    expect(opens.map((a) => a.data.id)).toEqual(past.map((p) => p.id));
    expect(edits).toHaveLength(10);
    // The small one keeps its requirements; the large ones that did not fit carry their id.
    expect(edits[4]!.data).toEqual({ action: 'recommend.edit', requirements: small.requirements });
    expect(edits.filter((a) => a.data.id !== undefined).length).toBeGreaterThan(0);
    for (const e of edits) expect(e.data.requirements !== undefined || /^BIG0000\d$/.test(e.data.id)).toBe(true);
  });

  it('report: eight long questions with markup per section stay within the message size, escaped', () => {
    const q = (i: number) => `<at>All</at> **x** [a](http://x) ${i} ${'.-!'.repeat(160)}`;
    const lines = Array.from({ length: 8 }, (_, i) => i);
    const report: UsageReport = {
      since: new Date('2026-11-18T00:00:00Z'),
      questions: 1234,
      answered: 1000,
      unanswered: lines.map((i) => ({ question: q(i), count: 9 - i })),
      lowConfidence: lines.map((i) => ({ question: q(i), topic: 'calls', count: 2 })),
      feedback: { helpful: 10, notHelpful: 5, corrections: 8 },
      notHelpful: lines.map((i) => ({ question: q(i), topic: 'calls', count: 1 })),
      corrections: lines.map((i) => ({ question: q(i).slice(0, 500), answered: 'calls', picked: i === 0 ? 'removed-topic' : 'number-usage', count: 1, review: i === 1 ? ('accepted' as const) : ('pending' as const) })),
    };
    const card = reportCard(presentReport(report, kb, new Date('2026-11-25T00:00:00Z')));
    expect(cardProblems(card)).toEqual([]);
    expect(bytes(card)).toBeLessThanOrEqual(TEAMS_LIMITS.cardBudgetBytes);
    const texts = textBlocks(card);
    for (const t of texts) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
    expect(texts.join('\n')).toContain('18 Nov 2026 – 25 Nov 2026 (UTC)');
    const reviews = submits(card).filter((a) => a.data.action === 'reviewCorrection');
    expect(reviews.length).toBeGreaterThan(0);
    // A reviewed correction has no buttons.
    expect(reviews.some((a) => a.data.question === q(1).slice(0, 500))).toBe(false);
    expect(texts.some((t) => t.includes('✅ accepted'))).toBe(true);
    for (const a of reviews) expect(a.data.question.length).toBeLessThanOrEqual(500);
  });

  it('Not helpful without a recorded question: the picks only show the topic (nothing to correct)', () => {
    const card = notHelpfulCard(presentNotHelpful(kb, 'can we keep calls?', 'calls'));
    expect(cardProblems(card)).toEqual([]);
    const picks = submits(card);
    expect(picks.length).toBeGreaterThan(0);
    for (const p of picks) expect(p.data).toMatchObject({ action: 'topic', question: 'can we keep calls?' });
    expect(picks.map((p) => p.data.topic)).not.toContain('calls');
  });
});

describe('when the store does not answer', () => {
  let dir: string;
  let connector: FakeConnector;
  let product: Awaited<ReturnType<typeof startTestProduct>>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coexist-teams-loop-'));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    connector = await new FakeConnector().start();
    product = await startTestProduct({ DATA_DIR: path.join(dir, 'file'), KNOWLEDGE_OWNERS: OWNER_AAD }, { teamsConnector: FAST_CONNECTOR });
    await product.storeStarted;
  });
  afterAll(async () => {
    await product?.stop();
    await connector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const call of connector.calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
    connector.reset();
  });

  async function say(fields: Json, from?: Json, scope: Scope = 'personal'): Promise<ConnectorCall[]> {
    const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { ...(from ? { from } : {}), ...fields }, scope)) });
    expect(res.status).toBeLessThan(300);
    const calls = [...connector.calls];
    expect(calls).toHaveLength(1);
    return calls;
  }
  const shown = (calls: ConnectorCall[]) => JSON.stringify(calls[0]!.activity);

  it('an owner\'s report says it cannot be read; anyone else is told who it is for; a channel gets the personal-chat answer', async () => {
    expect(shown(await say({ text: 'report' }, OWNER))).toMatch(/The report cannot be read right now/);
    connector.reset();
    const refused = shown(await say({ text: 'report' }));
    expect(refused).toMatch(/for the knowledge owners/);
    expect(refused).not.toMatch(/cannot be read/);
    connector.reset();
    expect(shown(await say({ text: 'report' }, OWNER, 'channel'))).toMatch(/only in a personal chat/);
  });

  it('the owner check is the AAD object id on the msteams channel only: an owner\'s id in from.id, or another channel, is refused (audit finding 9)', async () => {
    const forged = [
      { channelId: 'webchat', from: { id: OWNER_AAD, name: 'Kim Owner' } }, // the audit's request
      { channelId: 'msteams', from: { id: OWNER_AAD, name: 'Kim Owner' } }, // no aadObjectId: from.id is no proof
      { channelId: 'webchat', from: OWNER }, // the right AAD id, on a channel that is not Teams
      { channelId: 'directline', from: OWNER },
    ];
    const accept = { action: 'reviewCorrection', question: 'does the phone ring?', picked: 'calls', verdict: 'accepted' };
    for (const { channelId, from } of forged) {
      const report = shown(await say({ text: 'report', channelId }, from));
      expect(report, `${channelId} ${JSON.stringify(from)}`).toMatch(/for the knowledge owners/);
      expect(report).not.toMatch(/cannot be read/);
      connector.reset();
      expect(shown(await say({ text: '', value: accept, replyToId: 'report-1', channelId }, from))).toMatch(/Only the knowledge owners/);
      connector.reset();
    }
    // The owner in Teams is still an owner.
    expect(shown(await say({ text: 'report', channelId: 'msteams' }, OWNER))).toMatch(/The report cannot be read right now/);
  });

  it('an owner\'s Accept is not saved, and says so; a removed topic cannot be accepted; a malformed one is an old card', async () => {
    const accept = { action: 'reviewCorrection', question: 'does the phone ring?', picked: 'calls', verdict: 'accepted' };
    expect(shown(await say({ text: '', value: accept, replyToId: 'report-1' }, OWNER))).toMatch(/the review was not saved/);
    connector.reset();
    // A topic removed from the knowledge since can be dismissed, not accepted.
    expect(shown(await say({ text: '', value: { ...accept, picked: 'no-such-topic' }, replyToId: 'report-1' }, OWNER))).toMatch(/no longer in the knowledge.*dismiss it instead/);
    connector.reset();
    expect(shown(await say({ text: '', value: { ...accept, picked: 'no-such-topic', verdict: 'dismissed' }, replyToId: 'report-1' }, OWNER))).toMatch(/the review was not saved/);
    connector.reset();
    expect(shown(await say({ text: '', value: { ...accept, picked: '<at>x</at>' }, replyToId: 'report-1' }, OWNER))).toMatch(/older version of this card/);
    connector.reset();
    expect(shown(await say({ text: '', value: { ...accept, question: 'q'.repeat(501) }, replyToId: 'report-1' }, OWNER))).toMatch(/older version of this card/);
    connector.reset();
    expect(shown(await say({ text: '', value: { ...accept, verdict: 'maybe' }, replyToId: 'report-1' }, OWNER))).toMatch(/older version of this card/);
  });

  it('a history entry\'s Open and Edit say the store cannot be read', async () => {
    expect(shown(await say({ text: '', value: { action: 'openRecommendation', id: 'ABCD1234' }, replyToId: 'h' }))).toMatch(/cannot be read right now/);
    connector.reset();
    expect(shown(await say({ text: '', value: { action: 'recommend.edit', id: 'ABCD1234' }, replyToId: 'h' }))).toMatch(/cannot be read right now/);
  });

  it('Not helpful on a card drawn before the buttons carried the question is thanked, as before', async () => {
    expect(shown(await say({ text: '', value: { action: 'feedback', question: 'Q1', rating: 'not-helpful' }, replyToId: 'a' }))).toMatch(/Thanks: noted/);
  });
});
