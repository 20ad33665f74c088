import { describe, expect, it } from 'vitest';
import type { StoredRecommendation } from '../../adapters/store/records.ts';
import { FakeConnector, type ConnectorCall } from '../helpers/fake-connector.ts';
import { teamsActivity, useTeamsHost } from '../helpers/teams-activity.ts';

// Audit finding 8: a Teams form submit is posted and recorded once, whether Teams redelivers the activity (same
// activity id) or the user double-clicks Submit on a form that could not be replaced (two activities, the same
// form and values). A deliberate second recommendation (other values, or a new form) still posts.

const host = useTeamsHost();

const post = (body: unknown) =>
  fetch(`${host.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A submit of the requirements form shown in message `form`. */
const submit = (customer: string, form: string, fields: Record<string, unknown> = {}) =>
  teamsActivity(host.connector.url, { text: '', replyToId: form, value: { action: 'recommend.submit', customer, country: 'IN', peakMps: '10', needs_0: 'calls' }, ...fields });

/** The recommendation cards the bot showed (posted as new messages or put in the form's place). */
const recommendationsShown = (calls: ConnectorCall[], customer: string) =>
  calls.filter((c) => FakeConnector.cards(c).some((card) => JSON.stringify(card).includes(customer) && /Recommended setup|Co-Existence|API only/.test(JSON.stringify(card))));

/** What the store holds for a customer, after everything handed to the recorder has been written. */
async function stored(customer: string): Promise<StoredRecommendation[]> {
  await host.product.store.recorder.flush();
  const all: StoredRecommendation[] = [];
  for await (const r of host.product.store.store!.exportRecommendations(new Date(0))) if (r.requirements.customer === customer) all.push(r);
  return all;
}

describe('Teams form submits are handled once', () => {
  it('a redelivered submit (the same activity twice) shows one recommendation and makes one history record', async () => {
    const once = submit('Redelivered Ltd', 'form-redelivered');
    expect((await post(once)).status).toBe(200);
    expect((await post(once)).status).toBe(200);
    expect(recommendationsShown(host.connector.calls, 'Redelivered Ltd')).toHaveLength(1);
    expect(await stored('Redelivered Ltd')).toHaveLength(1);
    // The operator sees it in /metrics: one recommendation and one duplicate.
    const metrics = await (await fetch(`${host.product.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^coexist_requests_total\{platform="teams",kind="recommendation",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^coexist_requests_total\{platform="teams",kind="recommendation",outcome="duplicate"\} 1$/m);
  });

  it('a double click on a form that cannot be replaced posts one recommendation, not two', async () => {
    host.connector.fail('PUT', 404, 10); // the form's message cannot be updated: each submit would post a new message
    const [a, b] = await Promise.all([post(submit('Double Click Co', 'form-stuck')), post(submit('Double Click Co', 'form-stuck'))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const shown = recommendationsShown(host.connector.calls, 'Double Click Co');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.method).toBe('POST');
    expect(await stored('Double Click Co')).toHaveLength(1);
  });

  it('a deliberate second recommendation still posts: other values on the same form, or the same values on a new form', async () => {
    host.connector.fail('PUT', 404, 10);
    expect((await post(submit('Second Thoughts', 'form-kept'))).status).toBe(200);
    // The customer changed their mind about the peak: the same form, submitted again with another value.
    expect((await post(submit('Second Thoughts', 'form-kept', { value: { action: 'recommend.submit', customer: 'Second Thoughts', country: 'IN', peakMps: '200', needs_0: 'calls' } }))).status).toBe(200);
    // "recommend" again later: a new form, the same values as the first.
    expect((await post(submit('Second Thoughts', 'form-new'))).status).toBe(200);
    expect(recommendationsShown(host.connector.calls, 'Second Thoughts')).toHaveLength(3);
    expect(await stored('Second Thoughts')).toHaveLength(3);
  });

  it('the same values from another person on the same form are their own recommendation', async () => {
    host.connector.fail('PUT', 404, 10);
    const other = { id: '29:user-ravi', name: 'Ravi Sales', aadObjectId: 'aad-ravi' };
    await Promise.all([post(submit('Shared Form Inc', 'form-group')), post(submit('Shared Form Inc', 'form-group', { from: other }))]);
    expect(recommendationsShown(host.connector.calls, 'Shared Form Inc')).toHaveLength(2);
    expect((await stored('Shared Form Inc')).map((r) => r.userId).sort()).toEqual(['aad-asha', 'aad-ravi']);
  });
});
