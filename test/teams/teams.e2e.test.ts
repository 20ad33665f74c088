import { afterEach, describe, expect, it } from 'vitest';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { startTestProduct } from '../helpers/product.ts';
import { teamsActivity, useTeamsHost, type Scope } from '../helpers/teams-activity.ts';

// Teams end to end: the real host in local mode on 127.0.0.1, Bot Framework activities posted to /api/messages,
// and a fake Bot Connector (the activities' serviceUrl) that records what the bot sends back.

const host = useTeamsHost();
afterEach(() => {
  // Every card the bot sent in the test is valid for Adaptive Cards 1.5 and within Teams limits.
  for (const call of host.connector.calls) for (const card of FakeConnector.cards(call)) expect(cardProblems(card)).toEqual([]);
});

const activity = (fields: Record<string, unknown> = {}, scope: Scope = 'personal') => teamsActivity(host.connector.url, fields, scope);

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${host.product.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Sends an activity and returns what the bot sent back (the inbound POST completes after the replies). */
async function say(fields: Record<string, unknown>, scope: Scope = 'personal'): Promise<ConnectorCall[]> {
  const res = await post(activity(fields, scope));
  expect(res.status).toBeLessThan(300);
  return host.connector.calls.splice(0);
}
const onlyCard = (calls: ConnectorCall[]) => {
  expect(calls).toHaveLength(1);
  const cards = FakeConnector.cards(calls[0]!);
  expect(cards).toHaveLength(1);
  return cards[0]!;
};
const all = (card: unknown) => JSON.stringify(card);
const input = (card: Record<string, any>, id: string) => {
  const found = (card.body as any[]).find((e) => e.id === id);
  if (!found) throw new Error(`no input ${id}`);
  return found;
};

describe('a question in a personal chat', () => {
  it('gets an Adaptive Card with both setups, statuses, sources and the last-verified date', async () => {
    const calls = await say({ text: 'can we do video calls on api?' });
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.activityId).toMatch(/^incoming-/); // a reply to the question
    const card = onlyCard(calls);
    expect(card.version).toBe('1.5');
    expect(card.body[0].text).toBe('Voice & video calls');
    expect(all(card)).toMatch(/\*\*Co-Existence\*\*  ✅ Yes/);
    expect(all(card)).toMatch(/\*\*API only\*\*  ❌ No/);
    expect(all(card)).toMatch(/Sources: \[Meta: /);
    expect(all(card)).toMatch(/Last verified \d{4}-\d{2}-\d{2}/);
    expect(all(card)).toMatch(/help article is outdated here/);
    expect(card.actions.some((a: any) => a.type === 'Action.ToggleVisibility' && a.title === 'More details')).toBe(true);
    // The question names the API: the answer leads with API only (issue 11).
    expect(calls[0]!.activity.summary).toMatch(/Voice & video calls: API only ❌ No, Co-Existence ✅ Yes/);
  });

  it('off-topic: a friendly reply with examples, no topic', async () => {
    const card = onlyCard(await say({ text: 'what is the capital of Peru?' }));
    expect(all(card)).toMatch(/I only know about WhatsApp Co-Existence/);
    expect(card.actions.map((a: any) => a.title)).toContain('Recommend a setup');
  });

  it('help, compare and topics', async () => {
    expect(all(onlyCard(await say({ text: 'help' })))).toMatch(/recommend \[customer\]/);
    const compare = onlyCard(await say({ text: 'compare' }));
    const table = compare.body.find((e: any) => e.type === 'Table');
    expect(table.rows).toHaveLength(23);
    expect(all(table.rows[1])).toMatch(/Same number on the app and the API.*✅ Yes.*❌ No/);
    expect(all(onlyCard(await say({ text: 'topics' })))).toMatch(/\(number-usage\)/);
  });
});

describe('in a channel or group chat', () => {
  it('reads the text without the @mention', async () => {
    const calls = await say(
      {
        text: '<at>Co-Existence Advisor</at> green tick',
        entities: [{ type: 'mention', text: '<at>Co-Existence Advisor</at>', mentioned: { id: '28:advisor-bot', name: 'Co-Existence Advisor' } }],
      },
      'channel',
    );
    expect(calls[0]!.conversationId).toBe('19:deals@thread.tacv2;messageid=123');
    expect(onlyCard(calls).body[0].text).toBe('Green tick & Meta Verified');
  });

  it('works in a group chat too', async () => {
    const card = onlyCard(
      await say({ text: '<at>Co-Existence Advisor</at> compare', entities: [{ type: 'mention', text: '<at>Co-Existence Advisor</at>', mentioned: { id: '28:advisor-bot', name: 'x' } }] }, 'groupChat'),
    );
    expect(card.body.some((e: any) => e.type === 'Table')).toBe(true);
  });
});

describe('the recommendation form', () => {
  it('recommend Acme sends the form with the customer prefilled', async () => {
    const card = onlyCard(await say({ text: 'recommend Acme Retail' }));
    expect(input(card, 'customer').value).toBe('Acme Retail');
    expect(input(card, 'country').choices[0].value).toBe('IN');
    expect(input(card, 'country').choices.length).toBeGreaterThan(240);
    expect(card.actions[0]).toMatchObject({ type: 'Action.Submit', data: { action: 'recommend.submit' } });
  });

  it('a bad submit replaces the form with errors next to the fields and every typed value kept', async () => {
    const typed = { action: 'recommend.submit', customer: 'Globex', country: '', agents: '-4', peakMps: '12', needs_0: 'calls,phone-app', notes: 'Call before Friday' };
    const calls = await say({ text: '', value: typed, replyToId: 'form-card-1' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('PUT');
    expect(calls[0]!.activityId).toBe('form-card-1');
    const card = onlyCard(calls);
    expect(input(card, 'customer').value).toBe('Globex');
    expect(input(card, 'peakMps').value).toBe(12);
    expect(input(card, 'needs_0').value.split(',').sort()).toEqual(['calls', 'phone-app']);
    expect(input(card, 'notes').value).toBe('Call before Friday');
    const errorCountry = card.body.findIndex((e: any) => e.id === 'error-country');
    expect(card.body[errorCountry].text).toMatch(/Country is required/);
    expect(card.body[errorCountry - 1].id).toBe('country');
    const errorAgents = card.body.findIndex((e: any) => e.id === 'error-agents');
    expect(card.body[errorAgents].text).toMatch(/Agents cannot be negative/);
    expect(card.body[errorAgents - 1].id).toBe('agents');
  });

  it('a good submit replaces the form with the recommendation, with an Edit requirements action', async () => {
    const notes = `Owner <at>Ravi</at> wants his number. ${'x'.repeat(1900)}`;
    const calls = await say({
      text: '',
      replyToId: 'form-card-2',
      value: { action: 'recommend.submit', customer: 'Casa Homes', country: 'IN', agents: '2', dailyMessages: '200', needs_0: 'phone-app,calls', needs_1: 'automation', notes },
    });
    expect(calls[0]!.method).toBe('PUT');
    expect(calls[0]!.activityId).toBe('form-card-2');
    const card = onlyCard(calls);
    expect(card.body[0].text).toMatch(/WhatsApp Co-Existence for Casa Homes/);
    expect(all(card)).toMatch(/High confidence/);
    expect(all(card)).toMatch(/What changes on switching/);
    expect(all(card)).toMatch(/Requested by/);
    const edit = card.actions.find((a: any) => a.title === 'Edit requirements');
    expect(edit.data.requirements).toMatchObject({ customer: 'Casa Homes', country: 'IN', agents: 2, notes });

    // Edit requirements brings the prefilled form back.
    const form = onlyCard(await say({ text: '', value: edit.data, replyToId: 'rec-card' }));
    expect(input(form, 'customer').value).toBe('Casa Homes');
    expect(input(form, 'country').value).toBe('IN');
    expect(input(form, 'agents').value).toBe(2);
    expect(input(form, 'notes').value).toBe(notes);
    expect(input(form, 'needs_0').value.split(',').sort()).toEqual(['calls', 'phone-app']);
  });

  it('conflicts and the alternative show on a forced API-only recommendation', async () => {
    const card = onlyCard(await say({ text: '', replyToId: 'f3', value: { action: 'recommend.submit', country: 'IN', peakMps: '60', needs_0: 'calls' } }));
    expect(all(card)).toMatch(/Conflicts: asked for, not given by this setup/);
    expect(all(card)).toMatch(/two numbers/i);
  });

  it('user text cannot inject formatting or mentions', async () => {
    const calls = await say({ text: '', replyToId: 'f4', value: { action: 'recommend.submit', customer: '**Boss** [x](https://evil.example) <at>All</at>', country: 'IN', notes: '# Heading\n- item <at>Team</at>' } });
    const card = onlyCard(calls);
    const texts = textBlocks(card).join('\n');
    expect(texts).not.toMatch(/(^|[^\\])\*\*Boss/);
    expect(texts).not.toMatch(/(^|[^\\])\[x\]\(https/);
    expect(texts).not.toMatch(/(^|[^\\])<at>/);
    expect(texts).toContain('\\*\\*Boss\\*\\*');
    expect(mentionEntities(calls)).toEqual([]);
  });

  it('error messages that quote what the user typed are escaped too', async () => {
    const card = onlyCard(
      await say({ text: '', replyToId: 'f5', value: { action: 'recommend.submit', country: '<at>All</at> [x](https://evil.example)', needs_0: '**loud**' } }),
    );
    const errors = textBlocks(card).filter((t) => t.startsWith('❗'));
    expect(errors.join('\n')).toMatch(/not a country code/);
    for (const t of errors) {
      expect(t).not.toMatch(/(^|[^\\])<at>/);
      expect(t).not.toMatch(/(^|[^\\])\[x\]\(https/);
      expect(t).not.toMatch(/(^|[^\\])\*\*loud/);
    }
  });
});

/** The mention entities in what the bot sent: any one would notify someone. */
function mentionEntities(calls: ConnectorCall[]): unknown[] {
  return calls.flatMap((c) => (c.activity.entities ?? []).filter((e: any) => e.type === 'mention'));
}

describe('conversation updates and errors', () => {
  it('says hello with examples when the bot is added', async () => {
    const calls = await say({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: '28:advisor-bot' }, { id: '29:user-asha' }] });
    const card = onlyCard(calls);
    expect(card.body[0].text).toMatch(/Hi! I am the Co-Existence Advisor/);
    expect(card.actions.map((a: any) => a.title)).toEqual(['Recommend a setup', 'Compare all features']);
  });

  it('stays quiet when someone else joins', async () => {
    const calls = await say({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-new' }] });
    expect(calls).toHaveLength(0);
  });

  it('an error in a turn is logged with the activity and conversation ids, and the user gets an apology', async () => {
    host.connector.fail('POST', 400);
    const res = await post(activity({ text: 'calls', id: 'turn-that-fails' }));
    expect(res.status).toBeLessThan(500);
    const apology = host.connector.calls.splice(0);
    expect(apology).toHaveLength(1);
    expect(apology[0]!.activity.text).toMatch(/Sorry, something went wrong on my side.*help/);
    expect(apology[0]!.activity.text).not.toMatch(/at .*\.ts:\d+/);
    const line = host.product.logs.lines.find((l) => l.msg === 'Teams turn failed' && l.activityId === 'turn-that-fails');
    expect(line).toMatchObject({ conversationId: 'a:personal-chat-1' });
  });

  it('a stale or unknown button gets a short explanation', async () => {
    const calls = await say({ text: '', value: { action: 'something.old' } });
    expect(calls[0]!.activity.text).toMatch(/older version of this card/);
  });

  it('malformed or oversized bodies get 4xx, and the bot keeps serving', async () => {
    expect((await post('{"type": "message",')).status).toBe(400);
    expect((await post({ text: 'no type' })).status).toBe(400);
    expect((await post({ type: 'message', text: 'x' })).status).toBe(400); // no serviceUrl
    expect((await post('[1,2,3]')).status).toBe(400);
    expect((await post('a', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(`{"type":"message","x":"${'y'.repeat(300 * 1024)}"}`)).status).toBe(413);
    expect((await post(`${'['.repeat(100)}${']'.repeat(100)}`)).status).toBe(400);
    expect(onlyCard(await say({ text: 'mps' })).body[0].text).toMatch(/Throughput/);
  });
});

describe('Teams with Bot Framework auth on', () => {
  it('rejects a request without a valid token (401)', async () => {
    const secured = await startTestProduct({ MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' });
    try {
      const res = await fetch(`${secured.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity({ text: 'calls' })) });
      expect(res.status).toBe(401);
      const forged = await fetch(`${secured.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' },
        body: JSON.stringify(activity({ text: 'calls' })),
      });
      expect(forged.status).toBe(401);
      expect(host.connector.calls).toHaveLength(0);
      expect(secured.logs.raw).not.toContain('not-a-real-secret');
    } finally {
      await secured.stop();
    }
  });
});
