import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../adapters/teams/app-package/package.ts';
import { messageText } from '../../adapters/teams/cards/extension.ts';
import { presentTopic, usefulTopics } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { teamsActivity, useTeamsHost, type Scope } from '../helpers/teams-activity.ts';

// The Teams message extension (issue 13): invoke activities posted to /api/messages of the real host in local mode;
// what Teams shows is the HTTP response (the invoke response). Nothing goes through the Bot Connector.

const host = useTeamsHost();
const APP_ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
type Json = Record<string, any>;

async function invoke(name: string, value: Json, scope: Scope = 'channel'): Promise<Json> {
  const res = await fetch(`${host.product.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsActivity(host.connector.url, { type: 'invoke', name, value }, scope)),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Json;
  // An invoke is answered in its HTTP response, never by a message through the connector.
  expect(host.connector.calls).toEqual([]);
  return body;
}

const search = (query: string | undefined, queryOptions: Json = { skip: 0, count: 25 }, commandId = 'searchAnswers') =>
  invoke('composeExtension/query', { commandId, parameters: query === undefined ? [{ name: 'initialRun', value: 'true' }] : [{ name: 'query', value: query }], queryOptions });

/** The result list, each attachment checked: an Adaptive Card (valid 1.5, no Submit buttons) with a thumbnail preview. */
function results(body: Json): { card: Json; preview: Json }[] {
  expect(body.composeExtension).toMatchObject({ type: 'result', attachmentLayout: 'list' });
  return (body.composeExtension.attachments as Json[]).map((a) => {
    expect(a.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(a.content)).toEqual([]);
    expect(JSON.stringify(a.content)).not.toContain('Action.Submit');
    expect(a.preview.contentType).toBe('application/vnd.microsoft.card.thumbnail');
    expect(a.preview.content.title).toEqual(expect.any(String));
    return { card: a.content, preview: a.preview.content };
  });
}

/** The dialog (task module) an action answers with: its card, checked. */
function dialog(body: Json): { title: string; card: Json } {
  expect(body.task.type).toBe('continue');
  expect(body.task.value.card.contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardProblems(body.task.value.card.content)).toEqual([]);
  return { title: body.task.value.title, card: body.task.value.card.content };
}

const askAbout = (body: Json | undefined, extra: Json = {}, name = 'composeExtension/fetchTask') =>
  invoke(name, { commandId: 'askAdvisor', commandContext: 'message', context: { theme: 'default' }, ...(body ? { messagePayload: { id: 'm-1', body } } : {}), ...extra });

/** Markup that would render (a mention, bold, a link, a heading) if user text were not escaped. */
const RAW_MARKUP = [/(^|[^\\])<at>/, /(^|[^\\])\*\*urgent/, /(^|[^\\])\[x\]\(/, /(^|\n)# /];
function expectNoInjection(card: Json): void {
  for (const t of textBlocks(card)) for (const re of RAW_MARKUP) expect(t).not.toMatch(re);
}

describe('search message extension (composeExtension/query)', () => {
  it('answers a question with the answer card first, each with a preview of our own words', async () => {
    const list = results(await search('can we keep voice calls on the phone?'));
    expect(list.length).toBeGreaterThan(0);
    const calls = presentTopic(fixtureKnowledge(), 'calls')!;
    expect(list[0]!.preview.title).toBe(calls.title);
    expect(list[0]!.card.body[0].text).toBe(calls.title);
    expect(list[0]!.preview.text).toEqual(expect.any(String));
    // More details still opens in the inserted card.
    expect(list[0]!.card.actions.map((a: Json) => a.type)).toEqual(['Action.ToggleVisibility']);
  });

  it('with an empty query (and on its initial run) lists the most useful topics, paged as Teams asks', async () => {
    const kb = fixtureKnowledge();
    const expected = usefulTopics(kb).topics.map((t) => presentTopic(kb, t)!.title);
    const titles = (body: Json) => results(body).map((r) => r.preview.title);
    expect(titles(await search(''))).toEqual(expected.slice(0, 25));
    expect(titles(await search(undefined))).toEqual(expected.slice(0, 25));
    expect(titles(await search('   ', { skip: 2, count: 3 }))).toEqual(expected.slice(2, 5));
    // Most useful = the needs that rest on a topic weigh most: the first topic carries at least as much as the last.
    const weight = (topic: string) => kb.needs.filter((n) => n.topic === topic).reduce((s, n) => s + n.weight, 0);
    const order = usefulTopics(kb).topics;
    expect(weight(order[0]!)).toBeGreaterThanOrEqual(weight(order.at(-1)!));
  });

  it('escapes what was typed: a mention, markdown or a link in the query stays text', async () => {
    const list = results(await search('<at>All</at> **urgent** [x](https://evil.example) # can we make whatsapp calls on the phone app with coexistence?'));
    expect(list.length).toBeGreaterThan(0);
    for (const r of list) {
      expectNoInjection(r.card);
      expect(JSON.stringify(r.preview)).not.toMatch(/<at>|evil\.example|urgent/);
    }
    expect(textBlocks(list[0]!.card).join('\n')).toContain('\\<at\\>All\\</at\\>');
  });

  it('a query about nothing we know gives an empty list, not a guess', async () => {
    expect(results(await search('what is the capital of mongolia'))).toEqual([]);
  });

  it('an unknown command gets an empty result list', async () => {
    expect(results(await search('calls', undefined, 'someOldCommand'))).toEqual([]);
  });
});

describe('action on messages "Ask the advisor" (askAdvisor)', () => {
  it('answers the selected message (HTML, as Teams sends it) in a dialog with the answer card', async () => {
    const { title, card } = dialog(await askAbout({ contentType: 'html', content: '<p>Can the customer keep making <b>voice calls</b> on the phone&nbsp;app?</p>' }));
    const calls = presentTopic(fixtureKnowledge(), 'calls')!;
    expect(title).toBe(calls.title);
    expect(card.body[0].text).toBe(calls.title);
    expect(textBlocks(card).join('\n')).toContain('“Can the customer keep making voice calls on the phone app?”');
  });

  it('escapes the message: a mention, markdown or a typed <at> tag stays text', async () => {
    const { card } = dialog(
      await askAbout({ contentType: 'html', content: '<p><at id="0">All</at> &lt;at&gt;All&lt;/at&gt; **urgent** [x](https://evil.example)</p><p># can we keep calls?</p>' }),
    );
    expectNoInjection(card);
    expect(textBlocks(card).join('\n')).toContain('\\<at\\>All\\</at\\>');
  });

  it('a message with no text (a file, an image) gets a friendly explanation', async () => {
    const { card } = dialog(await askAbout({ contentType: 'html', content: '<p><img src="https://example.com/a.png"></p>' }));
    expect(textBlocks(card).join('\n')).toMatch(/no text I can answer/);
    dialog(await askAbout(undefined));
  });

  it('the dialog buttons work in the dialog: a topic, compare; a submit without a button answers the message', async () => {
    expect(dialog(await askAbout(undefined, { data: { action: 'topic', topic: 'calls' } }, 'composeExtension/submitAction')).title).toBe(presentTopic(fixtureKnowledge(), 'calls')!.title);
    expect(dialog(await askAbout(undefined, { data: { action: 'compare' } }, 'composeExtension/submitAction')).title).toBe('Compare all features');
    expect(textBlocks(dialog(await askAbout(undefined, { data: { action: 'recommend.open' } }, 'composeExtension/submitAction')).card).join()).toMatch(/type recommend/);
    expect(await askAbout(undefined, { data: { action: 'topic', topic: 'no-such-topic' } }, 'composeExtension/submitAction')).toEqual({ task: { type: 'message', value: expect.stringMatching(/older version/) } });
    const answered = dialog(await askAbout({ contentType: 'text', content: 'can we make voice calls?' }, {}, 'composeExtension/submitAction'));
    expect(answered.title).toBe(presentTopic(fixtureKnowledge(), 'calls')!.title);
  });

  it('records the question, and the dialog\'s feedback buttons record feedback against it', async () => {
    await host.product.storeStarted;
    const { card } = dialog(await askAbout({ contentType: 'text', content: 'can we make video calls on the api?' }));
    const submits = JSON.stringify(card).match(/\{"action":"feedback"[^{}]*\}/g)!.map((d) => JSON.parse(d) as Json);
    const notHelpful = submits.find((d) => d.rating === 'not-helpful')!;
    // The buttons carry the question's id, and what was asked and answered (for the closest topics).
    expect(notHelpful).toEqual({ action: 'feedback', question: expect.stringMatching(/^[0-9A-Z]{1,64}$/), rating: 'not-helpful', text: 'can we make video calls on the api?', topic: 'calls' });
    const questionId = notHelpful.question as string;
    // A card drawn before the buttons carried the question's text is thanked, as it always was.
    const done = await askAbout(undefined, { data: { action: 'feedback', question: questionId, rating: 'not-helpful' } }, 'composeExtension/submitAction');
    expect(done).toEqual({ task: { type: 'message', value: 'Thanks for the feedback.' } });
    await host.product.store.recorder.flush();
    const questions: { id: string }[] = [];
    for await (const q of host.product.store.store!.exportQuestions(new Date(0))) questions.push(q);
    expect(questions.find((q) => q.id === questionId)).toMatchObject({ platform: 'teams', userId: 'aad-asha', question: 'can we make video calls on the api?', topic: 'calls' });
    const report = await host.product.store.store!.report(new Date(0));
    expect(report.notHelpful).toEqual([expect.objectContaining({ question: 'can we make video calls on the api?', count: 1 })]);
  });

  it('works from a personal chat too', async () => {
    dialog(await invoke('composeExtension/fetchTask', { commandId: 'askAdvisor', commandContext: 'message', messagePayload: { body: { contentType: 'text', content: 'calls?' } } }, 'personal'));
  });
});

describe('the message extension in the app package', () => {
  it('declares both commands on the bot, as the bot handles them', () => {
    const result = buildPackage(APP_ID);
    expect(result.problems).toEqual([]);
    const ext = (result.manifest!.composeExtensions as Json[])[0]!;
    expect(ext.botId).toBe(APP_ID);
    const [searchCmd, ask] = ext.commands as Json[];
    expect(searchCmd).toMatchObject({ id: 'searchAnswers', type: 'query', initialRun: true, parameters: [{ name: 'query' }] });
    expect(ask).toMatchObject({ id: 'askAdvisor', type: 'action', fetchTask: true, context: ['message'] });
  });

  it('refuses commands the bot does not handle, or shaped otherwise than it expects, and Teams\' limits', () => {
    const template = readFileSync(new URL('../../adapters/teams/app-package/manifest.json', import.meta.url), 'utf8');
    const edit = (change: (m: Json) => void) => {
      const m = JSON.parse(template);
      change(m);
      return buildPackage(APP_ID, JSON.stringify(m)).problems;
    };
    expect(edit((m) => (m.composeExtensions[0].commands[0].id = 'findStuff'))).toContainEqual(expect.stringMatching(/does not handle command findStuff/));
    expect(edit((m) => (m.composeExtensions[0].commands[0].parameters[0].name = 'q'))).toContainEqual(expect.stringMatching(/searchAnswers must be a query with the one parameter "query"/));
    expect(edit((m) => (m.composeExtensions[0].commands[1].context = ['compose']))).toContainEqual(expect.stringMatching(/askAdvisor must be an action on messages/));
    expect(edit((m) => (m.composeExtensions[0].commands[1].title = 'x'.repeat(33)))).toContainEqual('manifest.json /composeExtensions/0/commands/1/title: must NOT have more than 32 characters');
    expect(edit((m) => (m.composeExtensions[0].botId = '00000000-0000-4000-8000-000000000000'))).toContainEqual(expect.stringMatching(/botId: must be the bot's id/));
  });
});

describe('the selected message as text', () => {
  it('reads HTML as Teams sends it: tags out, entities decoded, paragraphs as lines', () => {
    expect(messageText({ contentType: 'html', content: '<div><p>A &amp; B</p><p>x&#39;s &#x1F600; <at id="1">Asha</at></p></div>' })).toBe('A & B\nx\'s 😀 Asha');
    expect(messageText({ contentType: 'text', content: '  <b>as typed</b> ' })).toBe('<b>as typed</b>');
    expect(messageText(undefined)).toBe('');
  });

  it('reads mentions, entities, line breaks, paragraphs, lists and links as a person sees them', () => {
    const html =
      '<p><at id="0">Co-Existence Advisor</at>&nbsp;can we keep <b>calls</b> &amp; <i>groups</i>?</p>' +
      '<p>line one<br>line two<br/>line&#160;three</p><ul><li>first</li><li>second</li></ul>' +
      '<div>see <a href="https://example.com/doc?a=1&amp;b=2" title="x > y">the docs</a> &lt;b&gt;not bold&lt;/b&gt;</div>';
    expect(messageText({ contentType: 'html', content: html })).toBe(
      'Co-Existence Advisor can we keep calls & groups?\nline one\nline two\nline three\nfirst\nsecond\nsee the docs <b>not bold</b>',
    );
    // Text that is not markup stays: a comparison typed in a formatted message, a stray "<".
    expect(messageText({ contentType: 'html', content: '<p>if mps &lt; 20 then 3 < 4</p>' })).toBe('if mps < 20 then 3 < 4');
  });

  it('reads 250 KB of unclosed or nested tags in one pass (not quadratic), keeping the text around them', () => {
    for (const hostile of ['<a'.repeat(125_000), '<p><b>'.repeat(42_000), '<a href="'.repeat(28_000), '&#'.repeat(125_000)]) {
      const started = performance.now();
      const text = messageText({ contentType: 'html', content: `<p>can we keep calls?</p>${hostile}` });
      expect(performance.now() - started, hostile.slice(0, 10)).toBeLessThan(1000);
      expect(text.startsWith('can we keep calls?'), hostile.slice(0, 10)).toBe(true);
    }
  }, 60_000);
});
