import { describe, expect, it } from 'vitest';
import { useSlackHost } from '../helpers/slack-host.ts';

// The Workflow Builder step recommend_setup, end to end: a signed function_executed event as Slack sends it, and
// the step completed (functions.completeSuccess) or failed (functions.completeError) through the fake Web API.

const host = useSlackHost();

let runs = 0;
function runStep(inputs: Record<string, unknown>, callbackId = 'recommend_setup') {
  const id = `Fx${++runs}`;
  const body = host.slack.eventBody(
    {
      type: 'function_executed',
      function: { id: 'Fn1', callback_id: callbackId, title: 'Recommend a WhatsApp setup', type: 'app', input_parameters: [], output_parameters: [], app_id: 'A1', date_created: 1, date_updated: 1, date_deleted: 0 },
      inputs,
      function_execution_id: id,
      workflow_execution_id: 'Wf1',
      event_ts: '1700000200.000100',
      bot_access_token: 'xwfp-function-token',
    },
    `Ev_step_${runs}`,
  );
  return { id, body, send: () => host.slack.post(body, 'application/json'), redeliver: () => host.slack.redeliver(body) };
}

describe('Workflow Builder step recommend_setup', () => {
  it('completes with setup, confidence and a plain-text summary', async () => {
    const step = runStep({ customer: 'Acme <!channel>', country: 'in', agents: 3, dailyMessages: 200, needs: ['phone-app', 'calls'] });
    const res = await step.send();
    expect(res.status).toBe(200);
    const [done] = await host.fake.waitFor('functions.completeSuccess');
    expect(done!.args.function_execution_id).toBe(step.id);
    const outputs = typeof done!.args.outputs === 'string' ? JSON.parse(done!.args.outputs) : done!.args.outputs;
    expect(outputs.setup).toBe('coexistence');
    expect(['high', 'medium', 'low']).toContain(outputs.confidence);
    expect(outputs.summary).toMatch(/^Recommendation: WhatsApp Co-Existence/);
    expect(outputs.summary).toContain('Acme');
    // Pasted into a message by a later step, the customer's name must not ping the channel.
    expect(outputs.summary).not.toContain('<!channel>');
    expect(outputs.summary).not.toMatch(/[*_]{2}|<https?:/);
    await host.product.slack!.drain();
    expect(host.fake.callsTo('functions.completeError')).toEqual([]);
  });

  it('accepts what Workflow Builder sends for blank and text fields', async () => {
    await runStep({ customer: '', country: 'IN', agents: '40', peakMps: '60', needs: 'bulk-campaigns, automation', notes: '' }).send();
    const [done] = await host.fake.waitFor('functions.completeSuccess');
    const outputs = typeof done!.args.outputs === 'string' ? JSON.parse(done!.args.outputs) : done!.args.outputs;
    expect(outputs.setup).toBe('api-only');
    await host.product.slack!.drain();
  });

  it('fails the step with a readable error naming every bad input', async () => {
    const step = runStep({ country: 'India', agents: -2, needs: ['phone-app', 'teleport'] });
    await step.send();
    const [failed] = await host.fake.waitFor('functions.completeError');
    expect(failed!.args.function_execution_id).toBe(step.id);
    expect(failed!.args.error).toMatch(/"India" is not a country code/);
    expect(failed!.args.error).toMatch(/Agents cannot be negative/);
    expect(failed!.args.error).toMatch(/"teleport" is not a need/);
    await host.product.slack!.drain();
    expect(host.fake.callsTo('functions.completeSuccess')).toEqual([]);
  });

  it('fails a step with no country, and completes a redelivered run once', async () => {
    await runStep({ needs: [] }).send();
    const [failed] = await host.fake.waitFor('functions.completeError');
    expect(failed!.args.error).toMatch(/Country is required/);
    const step = runStep({ country: 'DE', needs: [] });
    await step.send();
    await step.redeliver();
    await host.fake.waitFor('functions.completeSuccess');
    await host.product.slack!.drain();
    expect(host.fake.callsTo('functions.completeSuccess')).toHaveLength(1);
  });
});
