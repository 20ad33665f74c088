import { describe, expect, it } from 'vitest';
import { useSlackHost } from '../helpers/slack-host.ts';
import { buttonsOf } from '../helpers/slack-client.ts';
import { builtInKnowledge, route } from '../../src/index.ts';
import { vagueQuestion } from '../helpers/fixtures.ts';

// The message shortcut "Ask the advisor" (callback_id ask_advisor), end to end: a signed message_action as Slack
// sends it, the private answer through the response URL, and Share posting into the clicked message's thread.

const host = useSlackHost();

type Block = Record<string, any>;

function askAbout(message: Record<string, unknown>, channel = 'C_SUPPORT') {
  return host.slack.interaction({
    type: 'message_action',
    callback_id: 'ask_advisor',
    trigger_id: 'trigger-ask',
    message_ts: message.ts,
    response_url: `${host.fake.url}/response/ask`,
    message: { type: 'message', user: 'U_CUSTOMER', ...message },
    user: { id: 'U_AGENT', name: 'agent', team_id: 'T1' },
    channel: { id: channel, name: 'support' },
    team: { id: 'T1', domain: 'test' },
    token: 'legacy',
    action_ts: '1700000001.000001',
  });
}

describe('message shortcut: Ask the advisor', () => {
  it("answers the clicked message's text privately; Share posts into that message's thread", async () => {
    const res = await askAbout({ ts: '1700000000.000100', text: 'Hi team, how many messages per second can we send on co-existence?' });
    expect(res.status).toBe(200);
    const [answer] = await host.fake.waitFor('response_url/ask');
    expect(answer!.args.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer!.args.blocks)).toMatch(/messages per second/i);
    const share = buttonsOf(answer!.args.blocks).find((b) => b.action_id === 'share_in_channel');
    expect(share?.text.text).toBe('Share in thread');
    expect(JSON.parse(share!.value).thread).toBe('1700000000.000100');

    await host.slack.click({ action_id: 'share_in_channel', value: share!.value }, undefined, 'C_SUPPORT');
    const [post] = await host.fake.waitFor('chat.postMessage');
    expect(post!.args).toMatchObject({ channel: 'C_SUPPORT', thread_ts: '1700000000.000100' });
    await host.product.slack!.drain();
  });

  it('a message saying "report" gets the report as the slash command gives it (here: who may see it), not "not available here"', async () => {
    await askAbout({ ts: '1700000000.000900', text: 'report' });
    const [shown] = await host.fake.waitFor('response_url/ask');
    const drawn = JSON.stringify(shown!.args);
    expect(drawn).toMatch(/The report is for the knowledge owners \(KNOWLEDGE_OWNERS\)/);
    expect(drawn).not.toMatch(/not available here/);
  });

  it('an unsure message is asked back ("Which do you mean?"); the picked answer still shares into that message\'s thread', async () => {
    const kb = builtInKnowledge();
    await askAbout({ ts: '1700000000.000700', text: vagueQuestion((q) => route(q, kb).kind === 'clarify') });
    const [asked] = await host.fake.waitFor('response_url/ask');
    expect(asked!.args.blocks[0].text.text).toMatch(/Which do you mean\?/);
    const pick = buttonsOf(asked!.args.blocks)[0]!;
    host.fake.reset();
    await host.slack.click({ action_id: pick.action_id, value: pick.value }, undefined, 'C_SUPPORT');
    const [shown] = await host.fake.waitFor('response_url');
    expect(shown!.args.replace_original).toBe(true);
    const share = buttonsOf(shown!.args.blocks).find((b) => b.action_id === 'share_in_channel');
    expect(share?.text.text).toBe('Share in thread');
    expect(JSON.parse(share!.value).thread).toBe('1700000000.000700');
    await host.product.slack!.drain();
  });

  it('shares into the parent thread when the clicked message is itself a reply', async () => {
    await askAbout({ ts: '1700000000.000300', thread_ts: '1700000000.000200', text: 'does coexistence support group chats?' });
    const [answer] = await host.fake.waitFor('response_url/ask');
    const share = buttonsOf(answer!.args.blocks).find((b) => b.action_id === 'share_in_channel');
    expect(JSON.parse(share!.value).thread).toBe('1700000000.000200');
    await host.product.slack!.drain();
  });

  it('never pings: <!channel> and user mentions in the clicked message stay inert', async () => {
    await askAbout({ ts: '1700000000.000400', text: '<!channel> <@U_BOSS> can we keep the phone app with coexistence? <https://evil.example|click>' });
    await host.fake.waitFor('response_url/ask');
    await host.product.slack!.drain();
    const sent = JSON.stringify(host.fake.calls.map((c) => c.args));
    expect(sent).not.toContain('<!channel>');
    expect(sent).not.toContain('<@U_BOSS>');
    expect(sent).not.toContain('<https://evil.example');
  });

  it('explains kindly when the message has no usable text (a file, an image)', async () => {
    await askAbout({ ts: '1700000000.000500', text: '', files: [{ id: 'F1', name: 'screenshot.png' }] });
    const [reply] = await host.fake.waitFor('response_url/ask');
    expect(reply!.args.response_type).toBe('ephemeral');
    expect(reply!.args.text).toMatch(/no text I can read/);
    await askAbout({ ts: '1700000000.000600', text: '<@U_BOSS>' });
    await host.fake.waitFor('response_url/ask', (a) => /no text I can read/.test(a.text), 2);
    await host.product.slack!.drain();
    expect(host.fake.callsTo('chat.postMessage')).toEqual([]);
  });
});
