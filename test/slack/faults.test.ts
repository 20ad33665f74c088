import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';

// Slack faults: the fake Web API answers with errors, slowly, or not at all. For each, the user is told and still
// gets the content somewhere they can read it, and the process keeps serving.

let fake: FakeSlack;
let product: Awaited<ReturnType<typeof startTestProduct>>;
let slack: SlackClient;
type Block = Record<string, any>;
const texts = (v: unknown) => JSON.stringify(v);

beforeAll(async () => {
  fake = await new FakeSlack().start();
  product = await startTestProduct(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl },
    { slackWebApi: { timeoutMs: 1000, retries: 1, minRetryDelayMs: 10, maxRetryDelayMs: 20, maxRateLimitWaitMs: 200 } },
  );
  slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
});
afterAll(async () => {
  await product?.stop();
  await fake?.stop();
});
beforeEach(() => fake.reset());

async function submitRecommendation(channel: string, customer = 'Faulty Co'): Promise<void> {
  await slack.command('recommend');
  const [open] = await fake.waitFor('views.open');
  const view = open!.args.view as Block;
  const country = view.blocks.find((b: Block) => b.block_id === 'country').element.option_groups[0].options[0];
  const reply = await slack.submit(view, {
    customer: { value: { type: 'plain_text_input', value: customer } },
    country: { value: { type: 'static_select', selected_option: country } },
    needs_0: { value: { type: 'checkboxes', selected_options: [{ value: 'calls' }] } },
    channel: { value: { type: 'conversations_select', selected_conversation: channel } },
  });
  expect(reply.status).toBe(200);
}

async function stillServing(): Promise<void> {
  expect((await fetch(`${product.url}/healthz`)).status).toBe(200);
  const reply = await slack.command('mps');
  expect(reply.status).toBe(200);
  expect(texts(reply.json().blocks)).toMatch(/Throughput/);
}

const toChannel = (channel: string) => (a: Record<string, any>) => a.channel === channel;

describe('posting a recommendation when Slack misbehaves', () => {
  it('HTTP 429 with Retry-After: waits (bounded) and posts', async () => {
    fake.fail({ method: 'chat.postMessage', status: 429, headers: { 'retry-after': '1' }, match: toChannel('C_DEALS') });
    await submitRecommendation('C_DEALS');
    const posts = await fake.waitFor('chat.postMessage', toChannel('C_DEALS'), 2);
    expect(texts(posts[1]!.args.blocks)).toMatch(/Faulty Co/);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U_AGENT')).toHaveLength(0);
    await stillServing();
  });

  it('`ratelimited` in the answer body: waits once and posts', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'ratelimited', match: toChannel('C_DEALS') });
    await submitRecommendation('C_DEALS');
    await fake.waitFor('chat.postMessage', toChannel('C_DEALS'), 2);
    await stillServing();
  });

  it('500s from Slack: the user gets the recommendation by DM, with the reason', async () => {
    fake.fail({ method: 'chat.postMessage', status: 500, match: toChannel('C_DEALS'), times: 10 });
    await submitRecommendation('C_DEALS');
    const [dm] = await fake.waitFor('chat.postMessage', toChannel('U_AGENT'));
    expect(texts(dm!.args.blocks)).toMatch(/could not post the recommendation in <#C_DEALS>/);
    expect(texts(dm!.args.blocks)).toMatch(/Faulty Co/);
    await stillServing();
  });

  it('a Slack slower than our timeout: the user gets it by DM', async () => {
    fake.fail({ method: 'chat.postMessage', delayMs: 2500, match: toChannel('C_SLOW'), times: 5 });
    await submitRecommendation('C_SLOW');
    const [dm] = await fake.waitFor('chat.postMessage', toChannel('U_AGENT'));
    expect(texts(dm!.args.blocks)).toMatch(/Faulty Co/);
    await stillServing();
  });

  it('connection resets: the user gets it by DM', async () => {
    fake.fail({ method: 'chat.postMessage', reset: true, match: toChannel('C_RESET'), times: 5 });
    await submitRecommendation('C_RESET');
    const [dm] = await fake.waitFor('chat.postMessage', toChannel('U_AGENT'));
    expect(texts(dm!.args.blocks)).toMatch(/Faulty Co/);
    await stillServing();
  });

  it('invalid_blocks: the same content is posted as plain text in the channel', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'invalid_blocks', match: toChannel('C_DEALS') });
    await submitRecommendation('C_DEALS');
    const posts = await fake.waitFor('chat.postMessage', toChannel('C_DEALS'), 2);
    expect((posts[1]!.args.blocks as Block[]).every((b) => b.type === 'section')).toBe(true);
    expect(posts[1]!.args.text).toMatch(/recommended for Faulty Co/);
  });

  it('channel and DM both failing: the recommendation is logged for an operator, and nothing crashes', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'fatal_error', times: 10 });
    await submitRecommendation('C_DEALS', 'Lost & Found Ltd');
    await fake.waitFor('chat.postMessage', toChannel('U_AGENT'));
    await new Promise((r) => setTimeout(r, 100));
    const line = product.logs.lines.find((l) => /could not deliver the recommendation/.test(l.msg));
    expect(line).toMatchObject({ error: 'fatal_error', requirements: { customer: 'Lost & Found Ltd', country: 'IN' } });
    expect(line!.content).toMatch(/Lost & Found Ltd/);
    fake.reset();
    await stillServing();
  });
});

describe('other Slack failures', () => {
  it('views.open failing: the user is told in an ephemeral message', async () => {
    fake.fail({ method: 'views.open', error: 'expired_trigger_id' });
    await slack.command('recommend Acme');
    const [msg] = await fake.waitFor('response_url');
    expect(msg!.args.text).toMatch(/took too long to open the form/);
  });

  it('the response URL failing for compare: logged, and the process keeps serving', async () => {
    fake.fail({ method: 'response_url', status: 500, times: 2 });
    expect((await slack.command('compare')).status).toBe(200);
    await fake.waitFor('response_url', () => true, 2);
    await stillServing();
  });
});

describe('duplicates do their work once', () => {
  it('a redelivered event (X-Slack-Retry-Num) is answered once', async () => {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvRETRY1',
      event_time: 1,
      event: { type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'green tick', ts: '9.1', event_ts: '9.1' },
    });
    expect((await slack.post(body, 'application/json')).status).toBe(200);
    expect((await slack.post(body, 'application/json', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    await fake.waitFor('chat.postMessage');
    await slack.command('help');
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a form submitted twice posts one recommendation', async () => {
    await slack.command('recommend');
    const [open] = await fake.waitFor('views.open');
    const view: Block = { ...(open!.args.view as Block), id: 'V_DOUBLE' };
    const country = view.blocks.find((b: Block) => b.block_id === 'country').element.option_groups[0].options[0];
    const values = { country: { value: { type: 'static_select', selected_option: country } }, channel: { value: { type: 'conversations_select', selected_conversation: 'C_DEALS' } } };
    await Promise.all([slack.submit(view, values), slack.submit(view, values)]);
    await fake.waitFor('chat.postMessage');
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a double-clicked Share posts once', async () => {
    const answer = (await slack.command('video calls')).json();
    const share = answer.blocks.filter((b: Block) => b.type === 'actions').flatMap((b: Block) => b.elements).find((e: Block) => e.action_id === 'share_in_channel');
    await Promise.all([slack.click(share), slack.click(share)]);
    await fake.waitFor('chat.postMessage');
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
