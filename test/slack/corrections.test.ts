import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';

// The audit's three big corrections (facts.md section C) as sales see them in Slack: the real product on 127.0.0.1
// answering from the frozen corrected knowledge, signed requests as Slack sends them, and a fake Web API.

let fake: FakeSlack;
let product: Awaited<ReturnType<typeof startTestProduct>>;
let slack: SlackClient;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_FILE: CORRECTED_KNOWLEDGE_FILE });
  slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
});
afterAll(async () => {
  await product?.stop();
  await fake?.stop();
});
beforeEach(() => fake.reset());
afterEach(() => {
  for (const call of fake.calls) {
    const payload = call.method.startsWith('views.') ? call.args.view : call.args;
    if (payload && typeof payload === 'object') expect(slackLimitViolations(payload), call.method).toEqual([]);
  }
});

type Block = Record<string, any>;

/** The modal's state as Slack sends it when a salesperson fills in country, peak MPS and needs. */
function filled(view: Block, answers: { country: string; peakMps?: string; needs: string[]; customer?: string }): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks as Block[]) {
    if (block.type !== 'input') continue;
    const el = block.element;
    const id = block.block_id as string;
    let state: Record<string, unknown> = {};
    if (el.type === 'plain_text_input' || el.type === 'number_input') state = { type: el.type, value: (answers as Record<string, unknown>)[id] ?? null };
    if (el.type === 'static_select') state = { type: el.type, selected_option: (el.option_groups as Block[]).flatMap((g) => g.options).find((o: Block) => o.value === answers.country) ?? null };
    if (el.type === 'checkboxes') state = { type: el.type, selected_options: (el.options as Block[]).filter((o) => answers.needs.includes(o.value)) };
    if (el.type === 'conversations_select') state = { type: el.type, selected_conversation: 'C_DEALS' };
    values[id] = { value: state };
  }
  return values;
}

/** /coexist-vs-api recommend → fill in the modal → the recommendation posted to the deal channel, as text. */
async function recommendation(answers: Parameters<typeof filled>[1]): Promise<string> {
  expect((await slack.command('recommend')).status).toBe(200);
  const [open] = await fake.waitFor('views.open');
  const view = open!.args.view as Block;
  expect((await slack.submit(view, filled(view, answers))).status).toBe(200);
  const [posted] = await fake.waitFor('chat.postMessage');
  return JSON.stringify(posted!.args.blocks);
}

describe('a salesperson recommends in Slack, after the audit', () => {
  it('a customer who needs video calls at 200 MPS sees video calls under "Not met"', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: ['calls'] });
    expect(all).toMatch(/API only/);
    expect(all).toMatch(/⛔ Not met by either setup\*\\n• Video calls: no setup gives them on this number\. Meta's Calling API on API-only numbers is voice only; video is planned, not available\./);
  });

  it('a group-chats customer sees the Groups API limits, not a plain yes', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: ['group-chats'], customer: 'Chai Club' });
    expect(all).toMatch(/WhatsApp group chats: Not in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
    expect(all).toMatch(/Groups of more than 8 people \(a community group, for example\): no setup gives them on this number/);
    const answer = (await slack.command('groups api')).json();
    expect(JSON.stringify(answer.blocks)).toMatch(/\*API only\*  ❌ No\\nNot in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
  });

  it('a 200 MPS customer is told the three conditions of 1,000 MPS', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: [] });
    expect(all).toMatch(/A peak of 200 messages per second is above API-only's default 80\. Meta raises a number to 1,000 only when all of these hold: its business portfolio has an unlimited messaging limit; it reached at least 100,000 unique users outside the customer service window within 24 hours; and its quality rating is Medium or higher\./);
  });
});
