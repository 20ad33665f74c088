import { afterEach, describe, expect, it } from 'vitest';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { teamsActivity, useTeamsHost } from '../helpers/teams-activity.ts';

// What a person noticed in a real Teams client (issue 11): activities posted to /api/messages of the real host in
// local mode, the frozen fixture knowledge, a fake Bot Connector.

const host = useTeamsHost();
afterEach(() => {
  for (const call of host.connector.calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
});

type Card = Record<string, any>;

async function cardFor(fields: Record<string, unknown>): Promise<Card> {
  const res = await fetch(`${host.product.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsActivity(host.connector.url, fields)),
  });
  expect(res.status).toBeLessThan(300);
  const cards = host.connector.calls.splice(0).flatMap((c) => FakeConnector.cards(c));
  expect(cards).toHaveLength(1);
  return cards[0]!;
}
const ask = (text: string) => cardFor({ text });
const submitForm = (value: Record<string, string>) => cardFor({ text: '', replyToId: 'form-1', value: { action: 'recommend.submit', ...value } });

/** Elements of a card, depth first. */
function elements(v: unknown): Card[] {
  if (Array.isArray(v)) return v.flatMap(elements);
  if (v && typeof v === 'object') {
    const o = v as Card;
    return [...(typeof o.type === 'string' ? [o] : []), ...Object.values(o).flatMap(elements)];
  }
  return [];
}
/** The setups in the order the answer shows them. */
const setupOrder = (card: Card) => textBlocks(card).map((t) => /^\*\*(Co-Existence|API only)\*\*/.exec(t)?.[1]).filter(Boolean);
const tableRows = (card: Card) => elements(card).filter((e) => e.type === 'TableRow').map((r) => (r.cells as Card[]).map((c) => c.items[0].text as string));

describe('need labels are written as the knowledge writes them', () => {
  it('"CRM integration" keeps its capitals in the recommendation card', async () => {
    const card = await submitForm({ country: 'IN', agents: '2', needs_0: 'automation,crm-integration,chat-backups,calls' });
    const all = textBlocks(card).join('\n');
    expect(all).toMatch(/Both setups cover these needs: Chatbots and automated workflows and CRM integration\./);
    for (const need of fixtureKnowledge().needs) {
      const lowered = need.label.charAt(0).toLowerCase() + need.label.slice(1);
      if (lowered !== need.label) expect(JSON.stringify(card)).not.toContain(lowered);
    }
  });
});

describe('no unexplained marker in a comparison', () => {
  it('the recommendation\'s table names the help-article verdict on its row, no bare "*"', async () => {
    const card = await submitForm({ country: 'IN', needs_0: 'calls' });
    const rows = tableRows(card);
    expect(rows.map((r) => r[0])).toContain('Voice & video calls (help article outdated)');
    for (const r of rows) expect(r[0]).not.toMatch(/\*/);
  });

  it('so does the full comparison, whose legend no longer mentions "*"', async () => {
    const card = await ask('compare');
    expect(tableRows(card).map((r) => r[0])).toContain('Voice & video calls (help article outdated)');
    expect(JSON.stringify(card)).not.toMatch(/\\\\\* the provider/);
  });
});

describe('an answer leads with the setup the question asked about', () => {
  it('"can we make calls with the api?" shows API only first, then Co-Existence', async () => {
    const card = await ask('can we make calls with the api?');
    expect(setupOrder(card)).toEqual(['API only', 'Co-Existence']);
    expect(card.fallbackText).toMatch(/^Voice & video calls: API only ❌ No, Co-Existence ✅ Yes/);
  });

  it('a question naming Co-Existence, or neither, shows Co-Existence first', async () => {
    expect(setupOrder(await ask('can we make calls with coexistence?'))).toEqual(['Co-Existence', 'API only']);
    expect(setupOrder(await ask('calls'))).toEqual(['Co-Existence', 'API only']);
  });
});

describe('a greeting gets a greeting', () => {
  for (const hello of ['hi', 'hello', 'namaste', 'good morning']) {
    it(`"${hello}": a greeting and examples, not the off-topic reply`, async () => {
      const card = await ask(hello);
      const all = textBlocks(card).join('\n');
      expect(all).toMatch(/👋 Hi!/);
      expect(all).toMatch(/- calls/);
      expect(all).not.toMatch(/🤔|I only know about/);
    });
  }
});

describe('the help-article warning is readable', () => {
  it('sits in a warning container as normal text, not pale small text', async () => {
    const card = await ask('delete for everyone');
    const container = elements(card.body).find((e) => e.type === 'Container' && JSON.stringify(e).includes('help article is outdated here'))!;
    expect(container.style).toBe('warning');
    const block = (container.items as Card[])[0]!;
    expect(block.text).toMatch(/^⚠️ \*\*The help article is outdated here\.\*\*/);
    expect(block.isSubtle).toBeUndefined();
    expect(block.size).toBeUndefined();
    expect(block.color).toBeUndefined();
  });
});

describe('a status means something for its row, or the row shows words', () => {
  it('Pricing and "Who each setup suits" show words in the comparison table', async () => {
    const rows = tableRows(await ask('compare'));
    for (const title of ['Pricing', 'Who each setup suits']) {
      const row = rows.find((r) => r[0] === title)!;
      expect(row, title).toBeDefined();
      for (const cell of row.slice(1)) {
        expect(cell).not.toMatch(/✅|❌|⚠️|Yes|Partly|^No/);
        expect(cell.length).toBeGreaterThan(10);
      }
    }
  });

  it('the answer about pricing shows no status beside either setup', async () => {
    const card = await ask('pricing');
    const headings = textBlocks(card).filter((t) => /^\*\*(Co-Existence|API only)\*\*/.test(t));
    expect(headings).toHaveLength(2);
    for (const h of headings) expect(h).not.toMatch(/✅|❌|⚠️/);
  });
});
