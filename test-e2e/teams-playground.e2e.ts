import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  ROOT,
  chromiumPath,
  freeLoopbackPort,
  startBot,
  startPlayground,
  type RunningBot,
  type RunningPlayground,
} from '../scripts/playground/session.ts';

// The Teams bot in a real Teams client: the product built as `npm start` runs it, in local mode on 127.0.0.1,
// Microsoft 365 Agents Playground pointed at it, and headless Chromium clicking through the Playground as a
// person would. Assertions stay on what a person reads (topic titles, headings, typed values), not on card
// layout. Screenshots of every step go to build/e2e/ (and failed-<test>.png when a step fails), with the bot's
// and the Playground's logs beside them.

const OUT = path.join(ROOT, 'build/e2e');
/** How long one reply may take to show: the bot answers in milliseconds; the rest is the Playground and the browser. */
const STEP_MS = 20_000;
const BOT_NAME = 'Co-Existence Advisor'; // .m365agentsplayground.yml
const PERSONAL_CHAT = 'Personal Chat'; // how the Playground lists the chat with the bot
const GROUP_CHAT = 'Support team'; // .m365agentsplayground.yml
const CHANNEL = 'Escalations'; // .m365agentsplayground.yml
/** Escalations' id in .m365agentsplayground.yml: the bot posts *Ask an expert* questions there. */
const EXPERTS_CHANNEL = '19:escalations@thread.tacv2';
/** Group chats' lastVerified in the bot's copy of the built-in knowledge: over a year ago, so it is past its interval. */
const STALE_SINCE = '2025-06-01';
const BOT_ID = '00000000-0000-0000-0000-00000000000011'; // .m365agentsplayground.yml
const TENANT_ID = '00000000-0000-0000-0000-0000000000001'; // .m365agentsplayground.yml

let bot: RunningBot | undefined;
let playground: RunningPlayground | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

/** Bounded: a hung close must not hang the run. */
const within = <T>(ms: number, work: Promise<T>) => Promise.race([work, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * A screenshot of the page with `target` scrolled into view: centred, or its top (`start`) for cards taller than
 * the window. (Not `end`: the compose box covers the bottom of the message list.)
 */
async function shot(name: string, target?: Locator, block: 'start' | 'center' = 'center'): Promise<void> {
  if (target) await target.evaluate((el, b) => el.scrollIntoView({ block: b }), block).catch(() => undefined);
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
}

const cards = () => page.locator('.ac-adaptiveCard');

/**
 * Does `action` and returns the new card it brings that contains `text`: the one at the index after those
 * already on the page. Waits on the element, bounded by STEP_MS.
 */
async function newCard(text: string | RegExp, action: () => Promise<void>): Promise<Locator> {
  const matching = cards().filter({ hasText: text });
  const before = await matching.count();
  await action();
  const card = matching.nth(before);
  await card.waitFor({ state: 'visible', timeout: STEP_MS });
  return card;
}

/** Types a message into the compose box of the open chat and sends it. */
async function send(text: string): Promise<void> {
  const editor = page.locator('[data-lexical-editor]');
  await editor.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('No chromium on the PATH (or CHROMIUM_PATH): apt-get install chromium fonts-noto-color-emoji');
  // The built-in knowledge, whatever .env says: the answers a new user sees, except that one topic (group chats) was
  // last verified long ago, past its review interval, so its answer carries the stale mark. Its own store under
  // build/e2e/, so a run never writes test questions and recommendations into a developer's data (DATA_DIR,
  // DATABASE_URL).
  const knowledge = path.join(OUT, 'knowledge');
  cpSync(path.join(ROOT, 'src/knowledge'), knowledge, { recursive: true });
  const groups = path.join(knowledge, 'topics/group-chats.yml');
  writeFileSync(groups, readFileSync(groups, 'utf8').replace(/^lastVerified: .*$/m, `lastVerified: ${STALE_SINCE}`));
  bot = await startBot({
    port: await freeLoopbackPort(),
    output: { kind: 'file', file: path.join(OUT, 'bot.log') },
    env: { LOG_LEVEL: 'info', KNOWLEDGE_FILE: path.join(knowledge, 'knowledge.yml'), DATA_DIR: path.join(OUT, 'data'), DATABASE_URL: '', TEAMS_EXPERTS_CHANNEL: EXPERTS_CHANNEL },
  });
  playground = await startPlayground({
    endpoint: bot.endpoint,
    port: await freeLoopbackPort(),
    output: { kind: 'file', file: path.join(OUT, 'playground.out') },
    logFile: path.join(OUT, 'playground.log'),
  });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(STEP_MS);
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(playground.url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && browser) {
    await page.screenshot({ path: path.join(OUT, `failed-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`) }).catch(() => undefined);
    if (pageErrors.length) console.error(`Errors in the Playground page:\n${pageErrors.join('\n')}`);
    if (playground) console.error(`Agents Playground log (end):\n${playground.logTail()}`);
    if (bot) console.error(`Bot output (end):\n${bot.child.tail(15)}`);
  }
});

afterAll(async () => {
  await within(10_000, browser?.close() ?? Promise.resolve());
  await playground?.child.stop(5_000);
  await bot?.child.stop();
});

describe('Teams in Microsoft 365 Agents Playground', () => {
  it('welcomes the user in the personal chat', async () => {
    const welcome = cards().filter({ hasText: `I am the ${BOT_NAME}` }).first();
    await welcome.waitFor({ timeout: 30_000 });
    await expect(welcome.getByRole('button', { name: 'Recommend a setup' }).isVisible()).resolves.toBe(true);
    await shot('01-welcome', welcome);
  });

  it('answers a question with a card titled by its topic', async () => {
    const question = 'can we make video calls on the api?';
    const answer = await newCard('Voice & video calls', () => send(question));
    const text = await answer.innerText();
    expect(text).toContain('Co-Existence');
    expect(text).toContain('API only');
    expect(text).toContain(question);
    await shot('02-question', answer);
    // The README's picture (docs/playground-answer.png is a copy): the question and its answer.
    const asked = (await page.getByText(question, { exact: true }).first().boundingBox())!;
    const box = (await answer.boundingBox())!;
    const left = Math.max(0, box.x - 64);
    const top = Math.max(0, asked.y - 48); // with the timestamp above the question
    const right = Math.max(box.x + box.width, asked.x + asked.width) + 32;
    await page.screenshot({ path: path.join(OUT, 'readme-answer.png'), clip: { x: left, y: top, width: right - left, height: box.y + box.height + 12 - top } });
  });

  it('"Not helpful" offers the closest topics; picking one shows that answer in the offer\'s place', async () => {
    const question = 'can the shop owner still reply from his phone?';
    const answer = await newCard(question, () => send(question));
    const answered = (await answer.locator('.ac-textBlock').first().innerText()).trim();
    const offer = await newCard('Which of these were you asking about?', () => answer.getByRole('button', { name: /Not helpful/ }).click());
    const picks = offer.getByRole('button');
    expect(await picks.count()).toBeGreaterThanOrEqual(3);
    const titles = (await picks.allInnerTexts()).map((t) => t.trim());
    expect(titles).not.toContain(answered);
    await shot('03a-not-helpful', offer);

    // The pick's answer replaces the offer (the card is updated in place): one offer fewer, the topic's answer there.
    const offers = cards().filter({ hasText: 'Which of these were you asking about?' });
    const before = await offers.count();
    await picks.first().click();
    const deadline = Date.now() + STEP_MS;
    while ((await offers.count()) >= before && Date.now() < deadline) await page.waitForTimeout(100);
    expect(await offers.count()).toBe(before - 1);
    const shown = cards().filter({ hasText: question }).last();
    await expect(shown.locator('.ac-textBlock').first().innerText()).resolves.toBe(titles[0]);
    await shot('03b-picked', shown);
  });

  it('compares every feature side by side', async () => {
    const comparison = await newCard('Throughput', () => send('compare'));
    const text = await comparison.innerText();
    for (const topic of ['Voice & video calls', 'Group chats', 'Throughput']) expect(text).toContain(topic);
    await shot('03-compare', comparison, 'start');
  });

  it('recommend: an invalid submit keeps what was typed and shows the error; a valid one gives the recommendation; Edit requirements brings the form back filled in', async () => {
    const form = await newCard('Customer or deal', () => send('recommend Acme'));
    await expect(form.getByLabel('Customer or deal').inputValue()).resolves.toBe('Acme');

    await form.getByRole('combobox').click();
    await page.getByRole('option', { name: /^Germany \(DE\)/ }).click(); // with or without "· Co-Existence offered"
    await form.getByLabel('Agents who will reply').fill('2.5'); // not a whole number: the bot refuses it
    await form.getByLabel('Messages per day').fill('2000');
    await form.getByRole('checkbox', { name: 'Voice & video calls' }).check();
    await form.getByRole('textbox', { name: 'Notes' }).fill('Wants calls from the website');
    await form.getByRole('button', { name: 'Recommend', exact: true }).click();

    // The same card comes back (updated in place) with the error under the field and everything still filled in.
    await form.getByText(/whole number/i).waitFor();
    await expect(form.innerText()).resolves.toMatch(/fix the field/i);
    await expect(form.getByLabel('Customer or deal').inputValue()).resolves.toBe('Acme');
    await expect(form.getByRole('combobox').inputValue()).resolves.toContain('(DE)');
    await expect(form.getByLabel('Agents who will reply').inputValue()).resolves.toBe('2.5');
    await expect(form.getByLabel('Messages per day').inputValue()).resolves.toBe('2000');
    await expect(form.getByRole('checkbox', { name: 'Voice & video calls' }).isChecked()).resolves.toBe(true);
    await expect(form.getByRole('textbox', { name: 'Notes' }).inputValue()).resolves.toBe('Wants calls from the website');
    await shot('04-recommend-invalid', form, 'start');

    await form.getByLabel('Agents who will reply').fill('3');
    const recommendation = await newCard('for Acme', () => form.getByRole('button', { name: 'Recommend', exact: true }).click());
    const text = await recommendation.innerText();
    expect(text).toContain('Germany (DE)');
    expect(text).toContain('Voice & video calls');
    expect(text).toContain('Wants calls from the website');
    await shot('05-recommendation', recommendation, 'start');

    const again = await newCard('Customer or deal', () => recommendation.getByRole('button', { name: 'Edit requirements' }).click());
    await expect(again.getByLabel('Customer or deal').inputValue()).resolves.toBe('Acme');
    await expect(again.getByRole('combobox').inputValue()).resolves.toContain('(DE)');
    await expect(again.getByLabel('Agents who will reply').inputValue()).resolves.toBe('3');
    await expect(again.getByLabel('Messages per day').inputValue()).resolves.toBe('2000');
    await expect(again.getByRole('checkbox', { name: 'Voice & video calls' }).isChecked()).resolves.toBe(true);
    await expect(again.getByRole('textbox', { name: 'Notes' }).inputValue()).resolves.toBe('Wants calls from the website');
    await shot('06-edit-requirements', again, 'start');
  });

  it('answers an @mention in a group chat', async () => {
    await page.getByRole('treeitem', { name: GROUP_CHAT }).click();
    const editor = page.locator('[data-lexical-editor]');
    await editor.click();
    await page.keyboard.type('@Co-Ex');
    await page.getByRole('menuitem', { name: BOT_NAME }).click();
    const answer = await newCard('Throughput', async () => {
      await page.keyboard.type(' how many messages per second can we send?');
      await page.keyboard.press('Enter');
    });
    await expect(answer.innerText()).resolves.toContain('messages per second');
    await shot('07-group-chat-mention', answer);
  });

  it('answers an @mention in a channel post, in its thread', async () => {
    await page.getByRole('treeitem', { name: CHANNEL }).click();
    // A channel shows "Start a new post" first, then a reply box under each post.
    await page.locator('[data-lexical-editor]').first().click();
    await page.keyboard.type('@Co-Ex');
    await page.getByRole('menuitem', { name: BOT_NAME }).click();
    const answer = await newCard('Voice & video calls', async () => {
      await page.keyboard.type(' calls');
      await page.keyboard.press('Enter');
    });
    await expect(answer.innerText()).resolves.toContain('Co-Existence');
    await shot('08-channel-mention', answer);
  });

  // The search message extension (app-package/manifest.json): the Playground has no app package, so its + in the
  // compose box → Search Command asks for the command id and parameter name, then shows the previews the bot returns
  // (composeExtension/query). Picking one puts its card in the compose box; Send Message posts it. Done in the group
  // chat, where a person shares an answer with colleagues (and, without an @mention, the bot is not sent the post).
  it('finds an answer through the search message extension (searchAnswers), inserts it and sends it', async () => {
    await page.getByRole('treeitem', { name: GROUP_CHAT }).click();
    const fromSearch = cards().filter({ hasText: '\u201cvideo calls\u201d' }); // the answer card quotes the search term
    const before = await fromSearch.count();

    await page.getByRole('button', { name: 'Trigger Message Extension App' }).click();
    await page.getByRole('menuitem', { name: /Search Command/ }).click();
    const panel = page.getByRole('group').filter({ hasText: 'Search-Based Message Extension' });
    await panel.getByText('Specify Command ID or Parameter').click();
    await panel.getByPlaceholder('Command ID').fill('searchAnswers');
    await panel.getByPlaceholder('Parameter name').fill('query');
    await panel.getByPlaceholder('Enter a search term').fill('video calls');
    await page.keyboard.press('Enter');
    const result = panel.getByRole('heading', { name: 'Voice & video calls', exact: true });
    await result.waitFor();
    await shot('09-search-results', panel);

    await result.click();
    const inserted = page.locator('[data-lexical-editor] .ac-adaptiveCard').filter({ hasText: 'Voice & video calls' });
    await inserted.waitFor();
    await expect(inserted.innerText()).resolves.toContain('\u201cvideo calls\u201d');
    await shot('10-search-inserted', inserted, 'start');

    await page.getByRole('button', { name: 'Send Message' }).click();
    await inserted.waitFor({ state: 'detached' });
    const sent = fromSearch.nth(before);
    await sent.waitFor();
    const text = await sent.innerText();
    expect(text).toContain('Voice & video calls');
    expect(text).toContain('Co-Existence');
    expect(text).toContain('API only');
    await shot('11-search-sent', sent, 'start');
  });

  it('marks a topic past its review interval "may be out of date", with the date it was last verified', async () => {
    await page.getByRole('treeitem', { name: PERSONAL_CHAT }).click();
    const answer = await newCard('Group chats', () => send('can we still use whatsapp groups?'));
    const text = await answer.innerText();
    expect(text).toContain('may be out of date');
    expect(text).toContain(STALE_SINCE);
    await shot('12-stale-mark', answer);
    // A topic verified recently carries no mark.
    const fresh = await newCard('Throughput', () => send('how many messages per second can we send?'));
    await expect(fresh.innerText()).resolves.not.toContain('may be out of date');
  });

  // Ask an expert: a question the advisor declines carries the button; the bot posts it to the experts' channel
  // (Escalations) on its own, a proactive message; a reply in that post's thread comes back to the asker's personal
  // chat. The asker's own messages in the thread are not an expert's answer, and the Playground's user is the asker:
  // the expert (Megan Bowen, another user of .m365agentsplayground.yml) answers through the Playground's own "Mock an
  // Activity → Custom activity", a message activity in the post's thread, as Teams would deliver it.
  it('Ask an expert: a declined question goes to the experts\' channel, and the reply there comes back to the asker privately', async () => {
    await page.getByRole('treeitem', { name: PERSONAL_CHAT }).click();
    const question = 'what is the refund policy for our hosting invoices?';
    const declined = await newCard(question, () => send(question));
    const told = await newCard(/went to the experts/, () => declined.getByRole('button', { name: 'Ask an expert' }).click());
    await shot('13-ask-expert-sent', told);

    await page.getByRole('treeitem', { name: CHANNEL }).click();
    const posted = cards().filter({ hasText: question }).last();
    await posted.waitFor({ timeout: STEP_MS });
    await expect(posted.innerText()).resolves.toContain('Alex Wilber');
    await shot('14-expert-channel-post', posted);

    // The post's activity id, as the bot logged it: the thread is `<channel>;messageid=<it>`.
    const postLine = readFileSync(path.join(OUT, 'bot.log'), 'utf8').split('\n').filter((l) => l.includes('expert question posted')).at(-1)!;
    const parent = (JSON.parse(postLine) as { ref: string }).ref;
    const answerText = 'Refunds are handled by billing, not by us: send them to billing@example.com';
    await page.getByRole('button', { name: 'Mock an Activity' }).click();
    await page.getByRole('menuitem', { name: 'Custom activity' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Custom activity' });
    const prefilled = await dialog.innerText();
    // The Playground's Bot Connector address, as its own activity template has it.
    const serviceUrl = /(https?:\/\/[^"\s]+\/_connector)/.exec(prefilled)?.[1] ?? `${new URL(playground!.url).origin}/_connector`;
    const reply = {
      type: 'message',
      id: `expert-reply-${Date.now()}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl,
      recipient: { id: BOT_ID, name: BOT_NAME },
      conversation: { id: `${EXPERTS_CHANNEL};messageid=${parent}`, isGroup: true, conversationType: 'channel', tenantId: TENANT_ID },
      from: { id: 'user-id-1', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' },
      text: answerText,
      textFormat: 'plain',
      channelData: { tenant: { id: TENANT_ID }, channel: { id: EXPERTS_CHANNEL } },
    };
    await dialog.locator('.monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify(reply));
    await newCard(/Sent to the asker privately/, () => dialog.getByRole('button', { name: 'Send activity' }).click());

    await page.getByRole('treeitem', { name: PERSONAL_CHAT }).click();
    const relayed = cards().filter({ hasText: 'An expert answered your question' }).last();
    await relayed.waitFor({ timeout: STEP_MS });
    const text = await relayed.innerText();
    expect(text).toContain(answerText);
    expect(text).toContain(question);
    expect(text).toContain('Megan Bowen');
    await shot('15-expert-answer-relayed', relayed);
  });

  it('the bot logged no errors', () => {
    const lines = readFileSync(path.join(OUT, 'bot.log'), 'utf8').split('\n').filter(Boolean);
    const errors = lines.filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return true; // anything but a JSON log line (a stack trace) counts
      }
    });
    expect(errors).toEqual([]);
  });
});
