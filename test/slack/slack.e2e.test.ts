import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../helpers/product.ts';
import { useSlackHost } from '../helpers/slack-host.ts';
import { buttonsOf, sign } from '../helpers/slack-client.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';

// Slack end to end: the real product on 127.0.0.1, signed requests as Slack sends them, and a fake Web API.

const host = useSlackHost();


type Block = Record<string, any>;
const texts = (blocks: Block[]): string => JSON.stringify(blocks);
const button = (blocks: Block[], actionId: string): Block & { action_id: string } => {
  const b = buttonsOf(blocks).find((e) => e.action_id === actionId);
  if (!b) throw new Error(`no ${actionId} button in ${texts(blocks).slice(0, 300)}`);
  return b as Block & { action_id: string };
};
/** Modal state values the way Slack sends them for the given answers. */
function stateFor(view: Block, answers: { customer?: string; country?: string; agents?: string; dailyMessages?: string; peakMps?: string; needs?: string[]; notes?: string; channel?: string }) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks as Block[]) {
    if (block.type !== 'input') continue;
    const id = block.block_id as string;
    const el = block.element;
    let state: Record<string, unknown>;
    switch (el.type) {
      case 'plain_text_input':
        state = { type: el.type, value: (answers as any)[id] ?? null };
        break;
      case 'number_input':
        state = { type: el.type, value: (answers as any)[id] ?? null };
        break;
      case 'static_select': {
        const opt = (el.option_groups as Block[]).flatMap((g) => g.options).find((o: Block) => o.value === answers.country);
        state = { type: el.type, selected_option: opt ?? null };
        break;
      }
      case 'checkboxes':
        state = { type: el.type, selected_options: (el.options as Block[]).filter((o) => answers.needs?.includes(o.value)) };
        break;
      case 'conversations_select':
        state = { type: el.type, selected_conversation: answers.channel ?? null };
        break;
      default:
        state = {};
    }
    values[id] = { value: state };
  }
  return values;
}

async function openModal(text = 'recommend'): Promise<Block> {
  const reply = await host.slack.command(text);
  expect(reply.status).toBe(200);
  const [open] = await host.fake.waitFor('views.open');
  return open!.args.view as Block;
}

async function postRecommendation(answers: Parameters<typeof stateFor>[1]): Promise<RecordedCall> {
  const view = await openModal();
  const reply = await host.slack.submit(view, stateFor(view, answers));
  expect(reply.status).toBe(200);
  const [posted] = await host.fake.waitFor('chat.postMessage');
  return posted!;
}

describe('agent types /coexist-vs-api', () => {
  it('with nothing: sees what it does, examples, and buttons to recommend or compare', async () => {
    const reply = await host.slack.command('');
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body.response_type).toBe('ephemeral');
    expect(texts(body.blocks)).toMatch(/Co-Existence/);
    expect(texts(body.blocks)).toMatch(/\/coexist-vs-api calls/);
    expect(button(body.blocks, 'open_recommend_modal').text.text).toBe('Recommend a setup');
    expect(button(body.blocks, 'show_compare').text.text).toBe('Compare all features');
    expect(slackLimitViolations(body)).toEqual([]);
  });

  it('a question: sees an ephemeral answer for both setups, sources, last verified and a Share button', async () => {
    const reply = await host.slack.command('can the owner keep chatting on his phone?');
    const body = reply.json();
    expect(body.response_type).toBe('ephemeral');
    const all = texts(body.blocks);
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { text: '1:1 chats from the phone' } });
    expect(all).toMatch(/\*Co-Existence\*  ✅ Yes/);
    expect(all).toMatch(/\*API only\*  ❌ No/);
    expect(all).toMatch(/Sources: <https:\/\/developers\.facebook\.com/);
    expect(all).toMatch(/Last verified \d{4}-\d{2}-\d{2}/);
    expect(button(body.blocks, 'share_in_channel').style).toBe('primary');
    expect(body.text).toMatch(/1:1 chats from the phone/);
    expect(slackLimitViolations(body)).toEqual([]);
  });

  it('an outdated help-article claim is flagged in the answer', async () => {
    const body = (await host.slack.command('delete for everyone')).json();
    expect(texts(body.blocks)).toMatch(/help article is outdated here/);
  });

  it('off-topic: gets a friendly "I only know Co-Existence vs API" with examples', async () => {
    const body = (await host.slack.command('what is the capital of Peru?')).json();
    const all = texts(body.blocks);
    expect(all).toMatch(/I only know about WhatsApp Co-Existence vs the WhatsApp Business API/);
    expect(all).toMatch(/`\/coexist-vs-api calls`/);
    expect(all).toMatch(/capital of Peru/);
  });

  it('a question spanning topics: "Which do you mean?" with the topics as buttons, before any answer', async () => {
    const body = (await host.slack.command('calls status backups')).json();
    // The question is recorded (the product keeps a store), so a pick is also a correction (learning-loop tests).
    const topicButtons = buttonsOf(body.blocks).filter((b) => String(b.action_id).startsWith('correct_topic:'));
    expect(topicButtons.length).toBeGreaterThan(1);
    expect(body.blocks[0].text.text).toMatch(/Which do you mean\?/);
    expect(body.blocks.some((b: { type: string }) => b.type === 'header')).toBe(false);
    await host.slack.click({ action_id: topicButtons[0]!.action_id, value: topicButtons[0]!.value });
    const [replaced] = await host.fake.waitFor('response_url');
    expect(replaced!.args.replace_original).toBe(true);
    expect(replaced!.args.blocks[0].type).toBe('header');
  });

  it('More details expands the answer in place', async () => {
    const body = (await host.slack.command('green tick')).json();
    await host.slack.click(button(body.blocks, 'toggle_details'));
    const [replaced] = await host.fake.waitFor('response_url');
    expect(replaced!.args.replace_original).toBe(true);
    expect(texts(replaced!.args.blocks)).toMatch(/OBA rules exclude/);
    expect(button(replaced!.args.blocks, 'toggle_details').text.text).toBe('Less');
  });

  it('compare: the full comparison arrives as a table through the response URL', async () => {
    const reply = await host.slack.command('compare');
    expect(reply.status).toBe(200);
    const [resp] = await host.fake.waitFor('response_url');
    const table = (resp!.args.blocks as Block[]).find((b) => b.type === 'table');
    expect(table).toBeDefined();
    expect(table?.rows).toHaveLength(23);
    expect(table!.rows[1].map((c: Block) => c.text)).toEqual(['Same number on the app and the API', '✅ Yes', '❌ No']);
    expect(resp!.args.text).toMatch(/Voice &amp; video calls: Co-Existence ✅ Yes, API only ❌ No/);
  });

  it('compare: when Slack rejects the table, the rows come as text instead', async () => {
    host.fake.fail({ method: 'response_url', status: 400, error: 'invalid_blocks' });
    await host.slack.command('compare');
    const calls = await host.fake.waitFor('response_url', () => true, 2);
    expect((calls[1]!.args.blocks as Block[]).some((b) => b.type === 'table')).toBe(false);
    expect(texts(calls[1]!.args.blocks)).toMatch(/✅ ❌  Same number on the app and the API/);
  });

  it('topics: lists every topic', async () => {
    const body = (await host.slack.command('topics')).json();
    expect(texts(body.blocks)).toMatch(/`number-usage`/);
    expect(texts(body.blocks)).toMatch(/`migration`/);
  });
});

describe('Share in channel', () => {
  it('posts the answer for everyone, credits the sharer, and removes the ephemeral', async () => {
    const body = (await host.slack.command('video calls')).json();
    await host.slack.click(button(body.blocks, 'share_in_channel'));
    const [posted] = await host.fake.waitFor('chat.postMessage');
    expect(posted!.args.channel).toBe('C_DEALS');
    expect(texts(posted!.args.blocks)).toMatch(/Shared by <@U_AGENT>/);
    expect(texts(posted!.args.blocks)).toMatch(/Voice & video calls/);
    expect(buttonsOf(posted!.args.blocks).some((b) => b.action_id === 'share_in_channel')).toBe(false);
    const [deleted] = await host.fake.waitFor('response_url', (a) => a.delete_original === true || a.delete_original === 'true');
    expect(deleted).toBeDefined();
  });

  it('in a channel the bot is not in: the user gets a DM saying how to fix it, with the answer', async () => {
    host.fake.fail({ method: 'chat.postMessage', error: 'not_in_channel', match: (a) => a.channel === 'C_PRIVATE' });
    const body = (await host.slack.command('video calls', { channel_id: 'C_PRIVATE' })).json();
    await host.slack.click(button(body.blocks, 'share_in_channel'), undefined, 'C_PRIVATE');
    const [dm] = await host.fake.waitFor('chat.postMessage', (a) => a.channel === 'U_AGENT');
    expect(texts(dm!.args.blocks)).toMatch(/could not post the answer in <#C_PRIVATE>.*Invite me/);
    expect(texts(dm!.args.blocks)).toMatch(/Voice & video calls/);
    await host.product.slack!.drain();
    expect(host.fake.callsTo('response_url').some((c) => c.args.delete_original)).toBe(false);
    // The click's own log line says where the answer went, at warn: not `ok`.
    expect(host.product.logs.lines.findLast((l) => l.kind === 'action' && l.name === 'share_in_channel')).toMatchObject({ level: 40, outcome: 'dm', error: 'not_in_channel' });
  });

  it('shares the comparison too', async () => {
    await host.slack.command('compare');
    const [resp] = await host.fake.waitFor('response_url');
    await host.slack.click(button(resp!.args.blocks, 'share_in_channel'));
    const [posted] = await host.fake.waitFor('chat.postMessage');
    expect((posted!.args.blocks as Block[]).some((b) => b.type === 'table')).toBe(true);
  });
});

describe('the recommendation modal', () => {
  it('recommend Acme: opens the modal at once with the customer prefilled and the channel defaulted', async () => {
    const view = await openModal('recommend Acme Retail');
    const open = host.fake.callsTo('views.open')[0]!;
    expect(open.args.trigger_id).toBe('trigger-123');
    expect(view.title.text).toBe('Recommend a setup');
    const customer = view.blocks.find((b: Block) => b.block_id === 'customer');
    expect(customer.element.initial_value).toBe('Acme Retail');
    const channel = view.blocks.find((b: Block) => b.block_id === 'channel');
    expect(channel.element.initial_conversation).toBe('C_DEALS');
    const country = view.blocks.find((b: Block) => b.block_id === 'country');
    expect(country.element.option_groups[0].options.map((o: Block) => o.value)).toEqual(['IN']);
    const allCountries = country.element.option_groups.flatMap((g: Block) => g.options);
    expect(allCountries.length).toBeGreaterThan(240);
  });

  it('the global shortcut opens the same modal', async () => {
    await host.slack.interaction({ type: 'shortcut', callback_id: 'recommend_shortcut', trigger_id: 'trigger-sc', user: { id: 'U_AGENT', team_id: 'T1' }, team: { id: 'T1' }, token: 'legacy', action_ts: '1' });
    const [open] = await host.fake.waitFor('views.open');
    expect(open!.args.trigger_id).toBe('trigger-sc');
    expect(open!.args.view.callback_id).toBe('recommend_modal');
  });

  it('bad values come back as errors on the right fields, and nothing is posted', async () => {
    const view = await openModal();
    const reply = await host.slack.submit(view, stateFor(view, { country: 'IN', agents: '2.5', peakMps: 'lots', channel: 'C_DEALS' }));
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body.response_action).toBe('errors');
    expect(body.errors.agents).toMatch(/whole number/);
    expect(body.errors.peakMps).toMatch(/must be a number/);
    expect(Object.keys(body.errors).sort()).toEqual(['agents', 'peakMps']);
    expect(host.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a missing country is reported on the country field', async () => {
    const view = await openModal();
    const body = (await host.slack.submit(view, stateFor(view, { channel: 'C_DEALS' }))).json();
    expect(body.errors.country).toMatch(/Country is required/);
  });

  it('a good submission posts the recommendation to the chosen channel', async () => {
    const posted = await postRecommendation({
      customer: 'Casa Homes',
      country: 'IN',
      agents: '2',
      dailyMessages: '200',
      needs: ['phone-app', 'calls', 'automation'],
      notes: 'Owner wants to keep his number.',
      channel: 'C_CHOSEN',
    });
    expect(posted.args.channel).toBe('C_CHOSEN');
    const blocks = posted.args.blocks as Block[];
    expect(blocks[0]!.text.text).toMatch(/WhatsApp Co-Existence for Casa Homes/);
    const all = texts(blocks);
    expect(all).toMatch(/High confidence/);
    expect(all).toMatch(/Requested by <@U_AGENT>/);
    expect(all).toMatch(/\*Why\*/);
    expect(all).toMatch(/What changes on switching/);
    expect(all).toMatch(/How the setups compare here/);
    expect(all).toMatch(/Owner wants to keep his number\./);
    expect(all).toMatch(/Sources: <https:/);
    expect(button(blocks, 'edit_requirements').text.text).toBe('Edit requirements');
    expect(button(blocks, 'show_compare').text.text).toBe('Full comparison');
    expect(posted.args.text).toMatch(/WhatsApp Co-Existence recommended for Casa Homes/);
  });

  it('conflicts, unmet needs and an alternative are called out', async () => {
    const posted = await postRecommendation({ country: 'IN', peakMps: '60', needs: ['calls', 'chat-backups'], channel: 'C_DEALS' });
    const all = texts(posted.args.blocks);
    expect(posted.args.blocks[0].text.text).toMatch(/API only/);
    expect(all).toMatch(/Conflicts: asked for, not given by this setup/);
    expect(all).toMatch(/Not met by either setup/);
    expect(all).toMatch(/Alternative\*\\n.*two numbers/i);
  });

  it('user text cannot ping anyone or inject formatting markup into mrkdwn', async () => {
    const posted = await postRecommendation({
      customer: '<!channel> & <@U123> *Big*',
      country: 'IN',
      notes: 'Ping <!here> and <https://evil.example|click>',
      channel: 'C_DEALS',
    });
    for (const text of mrkdwnStrings(posted.args.blocks)) {
      expect(text).not.toMatch(/<!channel>|<!here>|<@U123>|<https:\/\/evil/);
    }
    expect(posted.args.text).not.toMatch(/<!channel>|<@U123>/);
    expect(posted.args.text).toMatch(/&lt;!channel&gt; &amp; &lt;@U123&gt;/);
    // Shown as typed, in plain text where Slack parses nothing.
    expect(posted.args.blocks[0].text).toMatchObject({ type: 'plain_text' });
    expect(posted.args.blocks[0].text.text).toContain('<!channel> & <@U123> *Big*');
  });

  it('a question with <!channel> is shown back inert', async () => {
    const body = (await host.slack.command('<!channel> video calls')).json();
    for (const text of mrkdwnStrings(body.blocks)) expect(text).not.toContain('<!channel>');
  });

  it('not_in_channel: the user is told how to fix it and gets the full recommendation by DM', async () => {
    host.fake.fail({ method: 'chat.postMessage', error: 'not_in_channel', match: (a) => a.channel === 'C_PRIVATE' });
    const view = await openModal();
    await host.slack.submit(view, stateFor(view, { customer: 'Globex', country: 'IN', needs: ['calls'], channel: 'C_PRIVATE' }));
    const [dm] = await host.fake.waitFor('chat.postMessage', (a) => a.channel === 'U_AGENT');
    const all = texts(dm!.args.blocks);
    expect(all).toMatch(/could not post the recommendation in <#C_PRIVATE>/);
    expect(all).toMatch(/\/invite @Co-Existence Advisor/);
    expect(all).toMatch(/WhatsApp Co-Existence for Globex/);
  });

  it('is_archived and channel_not_found are explained too', async () => {
    for (const error of ['is_archived', 'channel_not_found']) {
      host.fake.reset();
      host.fake.fail({ method: 'chat.postMessage', error, match: (a) => a.channel === 'C_OLD' });
      const view = await openModal();
      await host.slack.submit(view, stateFor(view, { country: 'IN', channel: 'C_OLD' }));
      const [dm] = await host.fake.waitFor('chat.postMessage', (a) => a.channel === 'U_AGENT');
      expect(texts(dm!.args.blocks)).toMatch(error === 'is_archived' ? /archived/ : /cannot see that channel/);
    }
  });

  it('Edit requirements reopens the modal prefilled from the message itself, 2,000-character notes included', async () => {
    const notes = `Keep <!channel> & *all* as typed. ${'Long deal notes. '.repeat(118)}`.slice(0, 2000);
    expect(notes).toHaveLength(2000);
    const posted = await postRecommendation({
      customer: 'Dr. Rao Clinic',
      country: 'IN',
      agents: '3',
      peakMps: '4.5',
      needs: ['keep-history', 'calls'],
      notes,
      channel: 'C_CHOSEN',
    });
    host.fake.reset();
    const blocks = posted.args.blocks as Block[];
    await host.slack.click(button(blocks, 'edit_requirements'), { blocks, ts: '2000.0001' }, 'C_CHOSEN');
    const [open] = await host.fake.waitFor('views.open');
    const view = open!.args.view as Block;
    const field = (id: string) => view.blocks.find((b: Block) => b.block_id === id).element;
    expect(field('customer').initial_value).toBe('Dr. Rao Clinic');
    expect(field('country').initial_option.value).toBe('IN');
    expect(field('agents').initial_value).toBe('3');
    expect(field('peakMps').initial_value).toBe('4.5');
    expect(field('notes').initial_value).toBe(notes);
    expect(field('channel').initial_conversation).toBe('C_CHOSEN');
    const ticked = view.blocks.filter((b: Block) => b.element?.type === 'checkboxes').flatMap((b: Block) => b.element.initial_options ?? []);
    expect(ticked.map((o: Block) => o.value).sort()).toEqual(['calls', 'keep-history']);
  });

  it('Full comparison from a recommendation replies with the comparison', async () => {
    const posted = await postRecommendation({ country: 'IN', channel: 'C_DEALS' });
    host.fake.reset();
    await host.slack.click(button(posted.args.blocks, 'show_compare'), { blocks: posted.args.blocks, ts: '3000.1' });
    const [resp] = await host.fake.waitFor('response_url');
    expect((resp!.args.blocks as Block[]).some((b) => b.type === 'table')).toBe(true);
  });
});

describe('App Home and DMs', () => {
  it('opening the Home tab publishes how to use the app', async () => {
    const reply = await host.slack.event({ type: 'app_home_opened', user: 'U_AGENT', channel: 'D1', tab: 'home', event_ts: '1.1' });
    expect(reply.status).toBe(200);
    const [pub] = await host.fake.waitFor('views.publish');
    expect(pub!.args.user_id).toBe('U_AGENT');
    expect(pub!.args.view.type).toBe('home');
    expect(texts(pub!.args.view.blocks)).toMatch(/recommend Acme/);
  });

  it('Compare from the Home tab opens the comparison in a modal (there is no message to reply to)', async () => {
    await host.slack.interaction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'U_AGENT', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-home',
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home', blocks: [] },
      actions: [{ type: 'button', action_id: 'show_compare', block_id: 'b', text: { type: 'plain_text', text: 'Compare' }, action_ts: '1' }],
    });
    const [open] = await host.fake.waitFor('views.open');
    expect(open!.args.trigger_id).toBe('trigger-home');
    expect(open!.args.view.title.text).toBe('Compare setups');
    expect(texts(open!.args.view.blocks)).toMatch(/Same number on the app and the API/);
  });

  it('a question in a DM gets the answer as a message', async () => {
    await host.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'how many linked devices?', ts: '5.1', event_ts: '5.1' });
    const [msg] = await host.fake.waitFor('chat.postMessage');
    expect(msg!.args.channel).toBe('D1');
    expect(texts(msg!.args.blocks)).toMatch(/Linked devices/);
  });

  it('ignores messages from bots (including itself)', async () => {
    await host.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', bot_id: 'BBOT', text: 'calls', ts: '6.1', event_ts: '6.1' });
    await host.product.slack!.drain(); // the event's listener has finished: it had its chance to answer
    expect(host.product.logs.lines.findLast((l) => l.kind === 'event' && l.name === 'message')).toMatchObject({ outcome: 'ok' });
    expect(host.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('transport security and robustness', () => {
  it('rejects a bad signature with 401', async () => {
    const body = new URLSearchParams({ command: '/coexist-vs-api', text: 'calls' }).toString();
    const res = await fetch(`${host.product.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign('wrong-secret-wrong-secret', body) },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('rejects a stale (replayed) timestamp with 401', async () => {
    const body = new URLSearchParams({ command: '/coexist-vs-api', text: 'calls' }).toString();
    const res = await fetch(`${host.product.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 600) },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('rejects a timestamp more than 5 minutes in the future with 401, signed or not', async () => {
    const body = new URLSearchParams({ command: '/coexist-vs-api', text: 'calls' }).toString();
    const future = Math.floor(Date.now() / 1000) + 360; // well past 300 s: at +301 a request handled a second later was inside the window
    const res = await fetch(`${host.product.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, body, future) },
      body,
    });
    expect(res.status).toBe(401);
    expect(host.product.logs.lines.find((l) => l.level === 40 && /timestamp/.test(l.msg) && l.requestId === res.headers.get('x-request-id'))).toBeDefined();
    // Within the window both ways, the same request is served.
    for (const skew of [-290, 290]) {
      const ok = await fetch(`${host.product.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) + skew) },
        body,
      });
      expect(ok.status, `skew ${skew}`).toBe(200);
    }
  });

  it('answers a malformed body with 4xx and keeps serving', async () => {
    const reply = await host.slack.post('payload=%7Bnot-json', 'application/x-www-form-urlencoded');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    const health = await fetch(`${host.product.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', slack: 'http' });
    expect((await host.slack.command('calls')).status).toBe(200);
  });

  describe('a signed body whose payload is not a JSON object gets 400, a warning, and the process keeps serving', () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    beforeAll(() => void process.on('unhandledRejection', onRejection));
    afterAll(() => void process.off('unhandledRejection', onRejection));
    const FORM = 'application/x-www-form-urlencoded';
    const JSON_TYPE = 'application/json';
    it.each([
      ['payload=null', FORM],
      ['pay%6Coad=null', FORM],
      ['payload=+%20null', FORM],
      ['payload=', FORM],
      ['payload', FORM],
      ['payload=%5B%5D', FORM],
      ['payload=%22x%22', FORM],
      ['payload=5', FORM],
      ['payload=true', FORM],
      ['payload=%7Bnot-json', FORM],
      ['payload=%7B%22type%22%3A%22block_actions%22%7D&payload=null', FORM],
      ['null', JSON_TYPE],
      ['5', JSON_TYPE],
      ['[]', JSON_TYPE],
      ['"x"', JSON_TYPE],
      [' \n null', JSON_TYPE],
      ['', JSON_TYPE],
    ])('%j (%s)', async (body, type) => {
      const before = host.product.logs.lines.length;
      const reply = await host.slack.post(body, type, {}, 2000);
      expect(reply.status).toBe(400);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
      // Our guard's warning names the request; JSON that starts like an object but does not parse is Bolt's to
      // refuse (parsing it here too would parse every request twice), with its own warning.
      const warnings = host.product.logs.lines.slice(before).filter((l) => l.level === 40);
      expect(warnings.some((l) => (l.requestId === reply.headers.get('x-request-id') && /not a JSON object/.test(l.msg)) || /Malformed request body/.test(l.msg))).toBe(true);
      expect((await fetch(`${host.product.url}/healthz`)).status).toBe(200);
      expect((await host.slack.command('calls')).status).toBe(200);
    });
  });

  it('a payload that is a JSON object, and a form without one, still reach the app', async () => {
    const spaced = await host.slack.post(`payload=+${encodeURIComponent(JSON.stringify({ type: 'shortcut', callback_id: 'recommend_shortcut', trigger_id: 'trigger-sp', user: { id: 'U_AGENT', team_id: 'T1' }, team: { id: 'T1' }, token: 'legacy', action_ts: '1' }))}`, 'application/x-www-form-urlencoded');
    expect(spaced.status).toBe(200);
    const [open] = await host.fake.waitFor('views.open');
    expect(open!.args.trigger_id).toBe('trigger-sp');
    const ssl = await fetch(`${host.product.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
    expect(ssl.status).toBe(200);
    const verify = await host.slack.post(JSON.stringify({ type: 'url_verification', challenge: 'abc' }), 'application/json');
    expect(verify.json()).toEqual({ challenge: 'abc' });
  });

  it('refuses an oversized body sent without a length (chunked) with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${host.product.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, 'x') },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await host.slack.command('calls')).status).toBe(200);
  });

  it('refuses an oversized body with 413 before reading it', async () => {
    // Signed-looking headers (an unsigned one is refused earlier, with 401: test/host/limits.test.ts).
    const res = await fetch(`${host.product.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, 'x') },
      body: 'x'.repeat(1024 * 1024 + 10),
    });
    expect(res.status).toBe(413);
  });

  it('logs one line per interaction with a request id, and never a token or secret', async () => {
    await host.slack.command('calls', { });
    await host.product.slack!.drain();
    const line = host.product.logs.lines.find((l) => l.kind === 'command' && l.name === '/coexist-vs-api calls');
    expect(line).toMatchObject({ outcome: 'ok', user: 'U_AGENT' });
    expect(typeof line!.requestId).toBe('string');
    expect(typeof line!.ms).toBe('number');
    expect(host.product.logs.raw).not.toContain(BOT_TOKEN);
    expect(host.product.logs.raw).not.toContain(SIGNING_SECRET);
  });
});
