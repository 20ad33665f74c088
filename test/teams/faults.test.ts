import { describe, expect, it } from 'vitest';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { teamsActivity, useTeamsHost } from '../helpers/teams-activity.ts';

// Bot Connector faults: rate limits, errors, a failing update, an outage. The user gets the answer (or an
// apology), what they submitted is never silently dropped, and the process keeps serving.

const host = useTeamsHost();

const activity = (fields: Record<string, unknown>) => teamsActivity(host.connector.url, fields);
const post = (fields: Record<string, unknown>) =>
  fetch(`${host.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(fields)) });
const cardTitle = (i = 0) => FakeConnector.cards(host.connector.calls[i]!)[0]?.body[0].text;

async function stillServing(): Promise<void> {
  host.connector.reset();
  expect((await post({ text: 'mps' })).status).toBe(200);
  expect(cardTitle()).toMatch(/Throughput/);
}

describe('when the Bot Connector misbehaves', () => {
  it('429: waits once and delivers the answer', async () => {
    host.connector.fail('POST', 429);
    expect((await post({ text: 'video calls' })).status).toBe(200);
    expect(host.connector.calls).toHaveLength(1);
    expect(cardTitle()).toBe('Voice & video calls');
  });

  it('a passing 500: the reply is retried and delivered', async () => {
    host.connector.fail('POST', 500);
    expect((await post({ text: 'green tick' })).status).toBe(200);
    expect(cardTitle()).toBe('Green tick & Meta Verified');
  });

  it('the form card cannot be updated: the result comes as a new message instead', async () => {
    host.connector.fail('PUT', 404);
    const res = await post({ text: '', replyToId: 'gone-card', value: { action: 'recommend.submit', country: 'IN', customer: 'Acme' } });
    expect(res.status).toBe(200);
    expect(host.connector.calls.map((c) => c.method)).toEqual(['POST']);
    expect(cardTitle()).toMatch(/for Acme/);
  });

  it('an outage: the request completes, what the user submitted is logged for recovery, and the bot keeps serving', async () => {
    host.connector.fail('POST', 500, 1000);
    host.connector.fail('PUT', 500, 1000);
    const res = await post({ text: '', replyToId: 'form-x', value: { action: 'recommend.submit', country: 'IN', customer: 'Outage Ltd', notes: 'keep this' } });
    expect(res.status).toBeLessThan(500);
    const line = host.product.logs.lines.find((l) => l.msg === 'Teams turn failed' && l.value?.customer === 'Outage Ltd');
    expect(line?.value.notes).toBe('keep this');
    await stillServing();
  }, 30_000);
});
