import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';

// The audit's three big corrections (facts.md section C) as sales see them in Teams: activities posted to
// /api/messages of the real host (local mode), answering from the frozen corrected knowledge, and a fake connector.

let connector: FakeConnector;
let product: Awaited<ReturnType<typeof startTestProduct>>;
beforeAll(async () => {
  connector = await new FakeConnector().start();
  product = await startTestProduct({ KNOWLEDGE_FILE: CORRECTED_KNOWLEDGE_FILE }, { teamsConnector: FAST_CONNECTOR });
});
afterAll(async () => {
  await product?.stop();
  await connector?.stop();
});
beforeEach(() => connector.reset());
afterEach(() => {
  for (const call of connector.calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
});

/** Sends an activity and returns the one card the bot sent back, as text. */
async function cardFor(fields: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${product.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsActivity(connector.url, fields)),
  });
  expect(res.status).toBeLessThan(300);
  const calls: ConnectorCall[] = connector.calls.splice(0);
  const cards = calls.flatMap((c) => FakeConnector.cards(c));
  expect(cards).toHaveLength(1);
  return JSON.stringify(cards[0]);
}
/** The requirements form submitted with country, peak MPS and needs. */
const submit = (value: Record<string, string>) => cardFor({ text: '', replyToId: 'form-1', value: { action: 'recommend.submit', ...value } });

describe('a salesperson recommends in Teams, after the audit', () => {
  it('a customer who needs video calls at 200 MPS sees video calls under "Not met"', async () => {
    const card = await submit({ country: 'IN', peakMps: '200', needs_0: 'calls' });
    expect(card).toMatch(/⛔ Not met by either setup/);
    expect(card).toMatch(/- Video calls: no setup gives them on this number\. Meta's Calling API on API-only numbers is voice only, with no video\./);
  });

  it('a group-chats customer sees the Groups API limits, not a plain yes', async () => {
    const card = await submit({ country: 'IN', peakMps: '200', needs_0: 'group-chats' });
    expect(card).toMatch(/WhatsApp group chats: Not in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
    expect(card).toMatch(/Groups of more than 8 people \(a community group, for example\): no setup gives them on this number/);
    const answer = await cardFor({ text: 'groups api' });
    expect(answer).toMatch(/\*\*API only\*\*  ❌ No/);
    expect(answer).toMatch(/Official Business Accounts, with at most 8 participants per group/);
  });

  it('an agent asks about chat backups and sees ❔ Not confirmed for Co-Existence, neither ✅ nor ❌ (second audit)', async () => {
    const answer = await cardFor({ text: 'google drive backup' });
    expect(answer).toMatch(/\*\*Co-Existence\*\*  ❔ Not confirmed/);
    expect(answer).toMatch(/One provider says Drive and iCloud backups stop working as usual; Meta says nothing about backups\./);
    expect(answer).not.toMatch(/\*\*Co-Existence\*\*  (✅|❌)/);
    expect(answer).toMatch(/\*\*API only\*\*  ❌ No/);
  });

  it('a 200 MPS customer is told the three conditions of 1,000 MPS', async () => {
    const card = await submit({ country: 'IN', peakMps: '200' });
    expect(card).toMatch(/A peak of 200 messages per second is above API-only's default 80\. Meta raises a number to 1,000 only when all of these hold: its business portfolio has an unlimited messaging limit; it reached at least 100,000 unique users outside the customer service window within 24 hours; and its quality rating is Medium or higher\./);
  });
});
