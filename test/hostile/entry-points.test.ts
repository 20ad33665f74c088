import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../adapters/cli/main.ts';
import { parseKnowledge } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { FIXTURE_KNOWLEDGE_FILE, fixtureText, knowledgeInvariantProblems } from '../helpers/fixtures.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, sign } from '../helpers/slack-client.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';

// Hostile input at every entry point: whatever arrives, nothing crashes, bad input gets a clear 4xx or error, and
// no user text reaches Slack or Teams unescaped.

const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ maxLength: 3000 }),
  fc.constantFrom('<!channel>', '<!here>', '<@U123>', '*bold*', '[x](https://evil.example)', '<https://evil.example|click>', '‮evil‬', 'a​b‌c', '😀🇮🇳👍🏽', '', ' ', '\u0000', 'recommend <!channel>', 'compare extra', 'help me with calls'),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

const OUR_MENTIONS = /<@U_AGENT>|<#C[A-Z_0-9]+>|<https:\/\/[^|>]+\|[^>]+>/g;
const noUserMarkup = (text: string) => expect(text.replace(OUR_MENTIONS, '')).not.toMatch(/<[!@#]|<https?:/);

let fake: FakeSlack;
let connector: FakeConnector;
let product: Awaited<ReturnType<typeof startTestProduct>>;
let slack: SlackClient;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeConnector().start();
  product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
  slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
});
afterAll(async () => {
  await product?.stop();
  await fake?.stop();
  await connector?.stop();
});
beforeEach(() => {
  fake.reset();
  connector.reset();
});

describe('Slack', () => {
  it('slash command text: always a 200 with valid, escaped blocks', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (text) => {
        const reply = await slack.command(text);
        expect(reply.status).toBe(200);
        if (reply.body) {
          const body = reply.json();
          expect(slackLimitViolations(body)).toEqual([]);
          for (const t of mrkdwnStrings(body.blocks)) noUserMarkup(t);
        }
      }),
      { numRuns: 80 },
    );
    expect((await fetch(`${product.url}/healthz`)).status).toBe(200);
  });

  it('modal submissions with missing blocks, wrong types and huge strings: errors on fields or a safe post', async () => {
    const field = fc.oneof(anyJson, fc.record({ value: fc.oneof(nasty, anyJson) }));
    const state = fc.dictionary(fc.constantFrom('customer', 'country', 'agents', 'dailyMessages', 'peakMps', 'needs_0', 'needs_9', 'notes', 'channel', 'bogus'), fc.record({ value: field }), { maxKeys: 9 });
    await fc.assert(
      fc.asyncProperty(state, async (values) => {
        fake.reset();
        const reply = await slack.submit({ callback_id: 'recommend_modal', private_metadata: '{"origin":"C_DEALS"}', blocks: [] }, values);
        expect(reply.status).toBe(200);
        if (reply.body) {
          const body = reply.json();
          expect(body.response_action).toBe('errors');
          for (const message of Object.values(body.errors as Record<string, string>)) expect(message.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('posted recommendations escape whatever the user typed', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, nasty, async (customer, notes) => {
        fake.reset();
        await slack.submit(
          { callback_id: 'recommend_modal', blocks: [] },
          {
            customer: { value: { type: 'plain_text_input', value: customer.slice(0, 80) } },
            country: { value: { type: 'static_select', selected_option: { value: 'IN' } } },
            notes: { value: { type: 'plain_text_input', value: notes.slice(0, 2000) } },
            channel: { value: { type: 'conversations_select', selected_conversation: 'C_DEALS' } },
          },
        );
        const [posted] = await fake.waitFor('chat.postMessage');
        expect(slackLimitViolations(posted!.args)).toEqual([]);
        for (const t of mrkdwnStrings(posted!.args.blocks)) noUserMarkup(t);
        noUserMarkup(posted!.args.text);
      }),
      { numRuns: 30 },
    );
  });

  it('signature problems are all 401: wrong version, missing headers, bad timestamp, replay', async () => {
    const body = new URLSearchParams({ command: '/coexist-vs-api', text: 'calls' }).toString();
    const good = sign(SIGNING_SECRET, body);
    const attempts: Record<string, string>[] = [
      { 'x-slack-request-timestamp': good['x-slack-request-timestamp']!, 'x-slack-signature': good['x-slack-signature']!.replace('v0=', 'v1=') },
      { 'x-slack-request-timestamp': good['x-slack-request-timestamp']! },
      { 'x-slack-signature': good['x-slack-signature']! },
      { 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': good['x-slack-signature']! },
      sign(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 3600),
      sign(SIGNING_SECRET, `${body}&extra=1`),
    ];
    for (const headers of attempts) {
      const res = await fetch(`${product.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
      expect(res.status).toBe(401);
    }
  });

  it('an oversized body sent without a length (chunked) is refused with 413 once the cap is passed', async () => {
    // A socket of its own (agent: false), so the refused upload cannot disturb later requests' connections.
    const status = await new Promise<number>((resolve, reject) => {
      // Signed-looking headers: an unsigned request is refused before its body, with 401 (test/host/limits.test.ts).
      const req = request(`${product.url}/slack/events`, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(SIGNING_SECRET, 'x') } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && !req.destroyed) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });
});

describe('Teams', () => {
  const activity = (fields: Record<string, unknown>) => teamsActivity(connector.url, fields);

  it('arbitrary text and card values: never a 5xx; every card valid and escaped', async () => {
    const value = fc.oneof(
      anyJson,
      fc.record({ action: fc.constantFrom('recommend.submit', 'recommend.edit', 'topic', 'compare', 'x'), customer: nasty, country: fc.oneof(nasty, fc.constantFrom('IN', 'de')), agents: fc.oneof(nasty, anyJson), needs_0: nasty, notes: nasty, requirements: anyJson, topic: nasty }, { requiredKeys: ['action'] }),
    );
    await fc.assert(
      fc.asyncProperty(fc.option(nasty), fc.option(value), async (text, v) => {
        connector.reset();
        const res = await fetch(`${product.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity({ ...(text !== null ? { text } : {}), ...(v !== null ? { value: v } : {}) })),
        });
        expect(res.status).toBeLessThan(500);
        for (const call of connector.calls) {
          for (const card of FakeConnector.cards(call)) {
            expect(cardProblems(card)).toEqual([]);
            for (const t of textBlocks(card)) expect(t).not.toMatch(/(^|[^\\])<at>/);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('arbitrary JSON bodies: 4xx for anything that is not an activity', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});

describe('CLI flags and knowledge files', () => {
  it('any flags: exit 0 or 2 with a message, never a crash', async () => {
    // In-process, with empty standard input: commands that read it (ask, recommend -) get nothing and finish.
    const command = fc.constantFrom('ask', 'recommend', 'compare', 'topics', 'check-knowledge');
    const value = fc.oneof(nasty, fc.constantFrom('IN', 'de', 'XX', 'calls', 'fax', '-1', '0', '3', '2.5', '1e309', 'x', '-', '/nonexistent', '/'));
    const flag = fc.constantFrom('--country', '--need', '--peak-mps', '--agents', '--daily-messages', '--customer', '--notes', '--file');
    const json = fc.constantFrom([], ['--json']);
    const recommendArgs = fc.tuple(fc.array(fc.tuple(flag, value), { maxLength: 5 }), json, fc.constantFrom([], ['-'])).map(([pairs, j, dash]) => ['recommend', ...pairs.flat(), ...j, ...dash]);
    const askArgs = fc.tuple(fc.array(nasty, { maxLength: 3 }), json).map(([words, j]) => ['ask', ...words, ...j]);
    const otherArgs = fc.tuple(fc.constantFrom('compare', 'topics', 'check-knowledge'), json, fc.array(value, { maxLength: 1 })).map(([c, j, rest]) => [c, ...j, ...rest]);
    const token = fc.oneof(nasty, command, flag, value, fc.constant('--json'));
    // Mostly well-formed command lines, so that hostile values reach each command's parser and action; some noise.
    const argvs = fc.oneof({ arbitrary: recommendArgs, weight: 4 }, { arbitrary: askArgs, weight: 2 }, { arbitrary: otherArgs, weight: 1 }, { arbitrary: fc.array(token, { maxLength: 8 }), weight: 1 });
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        let stdout = '';
        let stderr = '';
        const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: '', env: { KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE } });
        expect([0, 2], stderr).toContain(code);
        if (code === 2) expect(stderr.trim()).not.toBe('');
        expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        if (code === 0 && argv[0] !== 'ask') expect(stdout.trim() || stderr.trim(), argv.join(' ')).not.toBe('');
      }),
      { numRuns: 60 },
    );
  });

  it('a mangled knowledge file is reported with where it is wrong, or loads only what is still whole', () => {
    const lines = fixtureText('knowledge.yml').split('\n');
    const located = /^(line \d+, column \d+|YAML|\(file\)|[A-Za-z][\w-]*(\[\d+\]|\.[\w-]+)*): \S/;
    let refused = 0;
    fc.assert(
      fc.property(fc.nat({ max: lines.length - 1 }), fc.nat({ max: 40 }), nasty, (at, count, insert) => {
        const mangled = [...lines.slice(0, at), insert, ...lines.slice(at + count)].join('\n');
        const result = parseKnowledge(mangled);
        if (result.ok) {
          expect(knowledgeInvariantProblems(result.knowledge)).toEqual([]);
        } else {
          refused++;
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) expect(p).toMatch(located);
          expect('knowledge' in result).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
    expect(refused).toBeGreaterThan(0);
    // Controls: a blank line or a comment changes nothing; a dropped topic line is named.
    expect(parseKnowledge([...lines.slice(0, 20), '', '# a note', ...lines.slice(20)].join('\n')).ok).toBe(true);
    const noSources = parseKnowledge(fixtureText('knowledge.yml').replace('    sources: [M1]\n', ''));
    expect(noSources.ok ? [] : noSources.problems).toEqual([expect.stringMatching(/^topics\[\d+\]\.sources: /)]);
  });
});
