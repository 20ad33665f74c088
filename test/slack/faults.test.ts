import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../adapters/slack/text.ts';
import { recommend, validateRequirements } from '../../src/index.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, buttonsOf } from '../helpers/slack-client.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';

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
    { slackWebApi: { timeoutMs: 500, retries: 1, minRetryDelayMs: 10, maxRetryDelayMs: 20, maxRateLimitWaitMs: 50 } },
  );
  slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
});
afterAll(async () => {
  await product?.stop();
  await fake?.stop();
});
beforeEach(() => fake.reset());

async function submitRecommendation(channel: string, customer = 'Faulty Co', extra: { peakMps?: string; needs?: string[]; notes?: string } = {}): Promise<void> {
  await slack.command('recommend');
  const [open] = await fake.waitFor('views.open');
  const view = open!.args.view as Block;
  const country = view.blocks.find((b: Block) => b.block_id === 'country').element.option_groups[0].options[0];
  const reply = await slack.submit(view, {
    customer: { value: { type: 'plain_text_input', value: customer } },
    country: { value: { type: 'static_select', selected_option: country } },
    needs_0: { value: { type: 'checkboxes', selected_options: (extra.needs ?? ['calls']).map((value) => ({ value })) } },
    channel: { value: { type: 'conversations_select', selected_conversation: channel } },
    ...(extra.peakMps ? { peakMps: { value: { type: 'number_input', value: extra.peakMps } } } : {}),
    ...(extra.notes ? { notes: { value: { type: 'plain_text_input', value: extra.notes } } } : {}),
  });
  expect(reply.status).toBe(200);
}

/** Waits until every Slack interaction in progress has finished and written its log line. */
const settled = () => product.slack!.drain();

/** The interaction's own log line for the latest modal submission. */
const submissionLine = () => product.logs.lines.findLast((l) => l.kind === 'view_submission' && l.name === 'recommend_modal');

// A recommendation with every part: reasons, conflicts, unmet needs, caveats, an alternative and notes, and user
// text that would ping a whole channel if it reached mrkdwn unescaped.
const FULL = {
  customer: '<!channel> Faulty & Co',
  peakMps: '60',
  needs: ['calls', 'chat-backups'],
  notes: 'Ping <!here> about <@U123>: owner keeps his number.',
};
function fullRecommendation() {
  const valid = validateRequirements({ customer: FULL.customer, country: 'IN', peakMps: 60, needs: FULL.needs, notes: FULL.notes });
  if (!valid.ok) throw new Error('fixture requirements are invalid');
  const rec = recommend(valid.requirements, product.knowledge);
  expect(rec.conflicts.length * rec.unmet.length * rec.caveats.length * rec.reasons.length).toBeGreaterThan(0);
  expect(rec.alternative).toBeDefined();
  return rec;
}

/** Checks a text version carries the whole recommendation, escaped, within Slack's limits. */
function expectWholeRecommendation(message: Record<string, any>): void {
  const rec = fullRecommendation();
  expect(slackLimitViolations(message)).toEqual([]);
  const strings = mrkdwnStrings(message.blocks);
  // Line breaks may fall anywhere between sections: compare with the text joined and whitespace collapsed.
  const all = strings.join('\n').replace(/\s+/g, ' ');
  const has = (text: string) => expect(all).toContain(escapeMrkdwn(text).replace(/\s+/g, ' '));
  has('API only');
  has(FULL.customer);
  for (const r of rec.reasons) has(r.text);
  for (const c of rec.conflicts) has(c.text);
  for (const u of rec.unmet) has(u.text);
  for (const c of rec.caveats) has(c.text);
  has(rec.alternative!.text);
  has(FULL.notes);
  expect(all).toMatch(/Conflicts/);
  expect(all).toMatch(/Not met by either setup/);
  expect(all).toMatch(/What changes on switching/);
  for (const text of strings) expect(text).not.toMatch(/<!channel>|<!here>|<@U123>/);
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

  it('500s from Slack: the user gets the recommendation by DM, with the reason; logged as a degraded outcome', async () => {
    fake.fail({ method: 'chat.postMessage', status: 500, match: toChannel('C_DEALS'), times: 10 });
    await submitRecommendation('C_DEALS');
    await settled();
    const [dm] = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U_AGENT');
    expect(texts(dm!.args.blocks)).toMatch(/could not post the recommendation in <#C_DEALS>/);
    expect(texts(dm!.args.blocks)).toMatch(/Faulty Co/);
    expect(submissionLine()).toMatchObject({ level: 40, outcome: 'dm' });
    const warning = product.logs.lines.findLast((l) => l.level === 40 && /delivered.*by DM/.test(l.msg));
    expect(warning).toMatchObject({ channel: 'C_DEALS', what: 'recommendation' });
    expect(warning!.content).toMatch(/Faulty Co/);
    await stillServing();
  });

  it('a Slack slower than our timeout: the user gets it by DM', async () => {
    fake.fail({ method: 'chat.postMessage', delayMs: 1500, match: toChannel('C_SLOW'), times: 5 });
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

  it('invalid_blocks: the whole recommendation is posted as text in the channel, and logged as degraded at warn', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'invalid_blocks', match: toChannel('C_DEALS') });
    await submitRecommendation('C_DEALS', FULL.customer, FULL);
    await settled();
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((p) => p.args.channel)).toEqual(['C_DEALS', 'C_DEALS']);
    const plain = posts[1]!.args;
    expect((plain.blocks as Block[]).every((b) => b.type === 'section' && b.text.type === 'mrkdwn')).toBe(true);
    expect(plain.text).toMatch(/recommended for &lt;!channel&gt; Faulty &amp; Co/);
    expectWholeRecommendation(plain);
    const line = submissionLine();
    expect(line).toMatchObject({ level: 40, outcome: 'plain', error: 'invalid_blocks' });
    const warning = product.logs.lines.findLast((l) => l.level === 40 && l.outcome === 'plain' && l.content);
    expect(warning).toMatchObject({ channel: 'C_DEALS', what: 'recommendation', error: 'invalid_blocks' });
    expect(warning!.content).toContain(escapeMrkdwn(FULL.notes));
    expect(warning!.content).toMatch(/Conflicts/);
  });

  it('invalid_blocks for the text version too: the user gets the whole recommendation as text by DM', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'invalid_blocks', match: toChannel('C_DEALS'), times: 2 });
    await submitRecommendation('C_DEALS', FULL.customer, FULL);
    await settled();
    const dms = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U_AGENT');
    expect(dms).toHaveLength(1);
    expect(texts(dms[0]!.args.blocks)).toMatch(/could not post the recommendation in <#C_DEALS>/);
    expectWholeRecommendation(dms[0]!.args);
    expect(submissionLine()).toMatchObject({ level: 40, outcome: 'dm' });
  });

  it('a text version too long for one section is split within Slack limits, never inside an entity', async () => {
    const notes = '&'.repeat(1990);
    fake.fail({ method: 'chat.postMessage', error: 'msg_too_long', match: toChannel('C_DEALS') });
    await submitRecommendation('C_DEALS', 'Amp & Co', { notes });
    await settled();
    const plain = fake.callsTo('chat.postMessage')[1]!.args;
    expect(slackLimitViolations(plain)).toEqual([]);
    const strings = mrkdwnStrings(plain.blocks);
    for (const text of strings) expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(strings.join('').split('&amp;').length - 1).toBeGreaterThanOrEqual(1990);
  });

  it('channel and DM both failing: the recommendation is logged for an operator, and nothing crashes', async () => {
    fake.fail({ method: 'chat.postMessage', error: 'fatal_error', times: 10 });
    await submitRecommendation('C_DEALS', 'Lost & Found Ltd');
    await settled();
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'U_AGENT').length).toBeGreaterThan(0);
    const line = product.logs.lines.find((l) => /could not deliver the recommendation/.test(l.msg));
    expect(line).toMatchObject({ level: 50, error: 'fatal_error', requirements: { customer: 'Lost & Found Ltd', country: 'IN' } });
    expect(line!.content).toMatch(/Lost &(amp;)? Found Ltd/);
    expect(submissionLine()).toMatchObject({ level: 50, outcome: 'lost' });
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
    const body = slack.eventBody({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'green tick', ts: '9.1', event_ts: '9.1' }, 'EvRETRY1');
    expect((await slack.post(body, 'application/json')).status).toBe(200);
    expect((await slack.redeliver(body)).status).toBe(200);
    await settled();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a form submitted twice posts one recommendation', async () => {
    await slack.command('recommend');
    const [open] = await fake.waitFor('views.open');
    const view: Block = { ...(open!.args.view as Block), id: 'V_DOUBLE' };
    const country = view.blocks.find((b: Block) => b.block_id === 'country').element.option_groups[0].options[0];
    const values = { country: { value: { type: 'static_select', selected_option: country } }, channel: { value: { type: 'conversations_select', selected_conversation: 'C_DEALS' } } };
    await Promise.all([slack.submit(view, values), slack.submit(view, values)]);
    await settled();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a double-clicked Share posts once', async () => {
    const answer = (await slack.command('video calls')).json();
    const share = buttonsOf(answer.blocks).find((e) => e.action_id === 'share_in_channel')!;
    await Promise.all([slack.click(share), slack.click(share)]);
    await settled();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
