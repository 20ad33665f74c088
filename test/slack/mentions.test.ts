import { describe, expect, it } from 'vitest';
import { useSlackHost } from '../helpers/slack-host.ts';
import { buttonsOf } from '../helpers/slack-client.ts';

// @mentions in channels (app_mention), end to end: signed Events API requests, answers posted into the thread of
// the mention through the fake Web API.

const host = useSlackHost();

type Block = Record<string, any>;

const mention = (text: string, extra: Record<string, unknown> = {}) =>
  host.slack.event({ type: 'app_mention', user: 'U_AGENT', text, ts: '1700000100.000100', channel: 'C_SUPPORT', event_ts: '1700000100.000100', ...extra });

describe('@mentions in channels', () => {
  it('answers in the thread of the mention', async () => {
    const res = await mention('<@UBOT> can we keep the phone app?');
    expect(res.status).toBe(200);
    const [post] = await host.fake.waitFor('chat.postMessage');
    expect(post!.args).toMatchObject({ channel: 'C_SUPPORT', thread_ts: '1700000100.000100' });
    expect(JSON.stringify(post!.args.blocks)).toMatch(/phone app|Business App/i);
    // Everyone in the thread sees it: no "Share" button meant for a private answer.
    expect(buttonsOf(post!.args.blocks).map((b) => b.action_id)).not.toContain('share_in_channel');
    await host.product.slack!.drain();
  });

  it('answers a mention inside a thread in that same thread', async () => {
    await mention('<@UBOT> does coexistence support group chats?', { ts: '1700000100.000300', thread_ts: '1700000100.000200' });
    const [post] = await host.fake.waitFor('chat.postMessage');
    expect(post!.args.thread_ts).toBe('1700000100.000200');
    await host.product.slack!.drain();
  });

  it('`recommend` offers a button that opens the modal', async () => {
    await mention('<@UBOT> recommend');
    const [post] = await host.fake.waitFor('chat.postMessage');
    expect(post!.args.thread_ts).toBe('1700000100.000100');
    const open = buttonsOf(post!.args.blocks).find((b) => b.action_id === 'open_recommend_modal');
    expect(open).toBeDefined();
    await host.slack.click({ action_id: 'open_recommend_modal' }, { blocks: post!.args.blocks, ts: '1700000100.000900' }, 'C_SUPPORT');
    const [opened] = await host.fake.waitFor('views.open');
    expect(opened!.args.view.callback_id).toBe('recommend_modal');
    await host.product.slack!.drain();
  });

  it('ignores its own messages and other bots', async () => {
    await mention('<@UBOT> can we keep the phone app?', { user: 'UBOT' });
    await mention('<@UBOT> can we keep the phone app?', { bot_id: 'B_OTHER', user: 'U_OTHERBOT' });
    await mention('<@UBOT> can we keep the phone app?', { subtype: 'bot_message', bot_id: 'B_OTHER', user: undefined });
    await host.product.slack!.drain();
    expect(host.fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('answers a redelivered mention once, and never pings from the mention text', async () => {
    const body = host.slack.eventBody({ type: 'app_mention', user: 'U_AGENT', text: '<@UBOT> <!channel> blah blorp zzyzx', ts: '1700000100.000500', channel: 'C_SUPPORT', event_ts: '1700000100.000500' }, 'Ev_MENTION_ONCE');
    await host.slack.post(body, 'application/json');
    await host.slack.redeliver(body);
    await host.fake.waitFor('chat.postMessage');
    await host.product.slack!.drain();
    expect(host.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(JSON.stringify(host.fake.calls.map((c) => c.args))).not.toContain('<!channel>');
  });
});
