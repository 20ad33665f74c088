import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS } from '../../src/index.ts';
import { isLoopbackHost } from '../../adapters/config.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';

// The security audit's Teams findings (2026-11-25), each as a user or an operator would notice it:
// local mode must not relay to other hosts, a connector that never answers must not hold turns or shutdowns,
// malformed activities are refused with a warning, and a huge question costs no more than a normal one.

type Product = Awaited<ReturnType<typeof startTestProduct>>;

let connector: FakeConnector;
const started: Product[] = [];

beforeEach(async () => {
  connector = await new FakeConnector().start();
});
afterEach(async () => {
  await connector.stop();
  await Promise.all(started.splice(0).map((p) => p.stop()));
});

async function product(env: Record<string, string> = {}, options: Parameters<typeof startTestProduct>[1] = {}): Promise<Product> {
  const p = await startTestProduct(env, { teamsConnector: FAST_CONNECTOR, ...options });
  started.push(p);
  return p;
}

const post = (p: Product, body: unknown) =>
  fetch(`${p.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Resolves when `check` holds, polling; fails after `ms`. For state another process or server changes. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('local mode is not an open relay', () => {
  // 0.0.0.0 is not a loopback address, but on Linux a connection to it reaches this machine's own listeners:
  // had the bot connected, the fake connector would have recorded (or held) the request.
  const notLoopback = () => connector.url.replace('127.0.0.1', '0.0.0.0');

  it('refuses a serviceUrl that is not on this machine with a 4xx, before any connection is made', async () => {
    const p = await product();
    const res = await post(p, teamsActivity(notLoopback(), { text: 'calls' }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/TEAMS_ALLOWED_SERVICE_URLS/);
    expect(connector.calls).toHaveLength(0);
    expect(p.logs.lines.some((l) => l.level === 40 && /serviceUrl is not on this machine/.test(l.msg))).toBe(true);
    // The same activity with a loopback serviceUrl is answered.
    expect((await post(p, teamsActivity(connector.url, { text: 'calls' }))).status).toBe(200);
    expect(connector.calls).toHaveLength(1);
  });

  it('replies to an origin the operator allowed in TEAMS_ALLOWED_SERVICE_URLS', async () => {
    const p = await product({ TEAMS_ALLOWED_SERVICE_URLS: `https://playground.example.test, ${notLoopback()}` });
    expect((await post(p, teamsActivity(notLoopback(), { text: 'calls' }))).status).toBe(200);
    expect(connector.calls).toHaveLength(1);
  });

  it('knows every spelling of loopback, and nothing else', () => {
    const host = (u: string) => isLoopbackHost(new URL(u).hostname);
    for (const u of ['http://127.0.0.1:9', 'http://127.5.6.7', 'http://localhost:3978', 'http://[::1]:80', 'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/']) {
      expect(host(u), u).toBe(true);
    }
    for (const u of ['http://0.0.0.0', 'http://[::]', 'http://10.0.0.1', 'http://127.0.0.1.example.test', 'http://localhost.example.test', 'http://[::ffff:10.0.0.1]/', 'http://169.254.169.254']) {
      expect(host(u), u).toBe(false);
    }
  });
});

describe('a Bot Connector that never answers', () => {
  it('costs one turn a timeout, not minutes: the request completes and the failure is logged', async () => {
    const p = await product({}, { teamsConnector: { ...FAST_CONNECTOR, timeoutMs: 200 } });
    connector.hang();
    const res = await post(p, teamsActivity(connector.url, { text: 'calls', id: 'never-answered' }));
    expect(res.status).toBe(200);
    expect(connector.held).toBe(1); // one attempt: an unanswered call is not retried, and no apology is tried
    const line = p.logs.lines.find((l) => l.msg === 'Teams turn failed' && l.activityId === 'never-answered');
    expect(line?.err.name).toBe('AbortError');
  });

  it('turns in flight are capped: one over the cap is refused at once with 503 and Retry-After', async () => {
    const p = await product({}, { teamsConnector: { ...FAST_CONNECTOR, timeoutMs: 30_000, turnsInFlight: 2 } });
    connector.hang();
    const stuck = [post(p, teamsActivity(connector.url, { text: 'calls' })), post(p, teamsActivity(connector.url, { text: 'mps' }))];
    await until(() => connector.held === 2);
    const refused = await post(p, teamsActivity(connector.url, { text: 'green tick' }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(connector.held).toBe(2);
    await connector.stop(); // the held calls fail now; the stuck turns finish
    await Promise.all(stuck);
    connector = await new FakeConnector().start();
  });

  it('shutdown drains with a deadline, then closes what is left', async () => {
    const p = await product({}, { teamsConnector: { ...FAST_CONNECTOR, timeoutMs: 60_000 }, drainMs: 300 });
    connector.hang();
    const stuck = post(p, teamsActivity(connector.url, { text: 'calls' })).catch((e: Error) => e);
    await until(() => connector.held === 1);
    await p.stop();
    expect(p.logs.lines.some((l) => l.msg.startsWith('shutdown deadline reached'))).toBe(true);
    expect(await stuck).toBeInstanceOf(Error); // its connection was closed, not left open
  });
});

describe('malformed activities', () => {
  it('are refused with 400 saying what is wrong, logged as a warning, not as an error', async () => {
    const p = await product();
    const bad = [
      { ...teamsActivity(connector.url), text: 123 },
      { ...teamsActivity(connector.url), conversation: 'not an object' },
      { ...teamsActivity(connector.url), entities: 'x' },
      { ...teamsActivity(connector.url), from: [] },
    ];
    for (const body of bad) {
      const res = await post(p, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^Not a Bot Framework activity: (text|conversation|entities|from)/);
    }
    expect(connector.calls).toHaveLength(0);
    expect(p.logs.lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(p.logs.lines.filter((l) => l.level === 40 && l.msg.includes('not a Bot Framework activity'))).toHaveLength(4);
    expect((await post(p, teamsActivity(connector.url, { text: 'mps' }))).status).toBe(200);
  });
});

describe('a very long question', () => {
  it('is answered, and what is echoed back is cut to the question cap', async () => {
    const p = await product();
    // A paste gone wrong: the same question 7,000 times.
    const question = 'can we make video calls on the api? '.repeat(7_000);
    expect(question.length).toBeGreaterThan(200_000);
    expect((await post(p, teamsActivity(connector.url, { text: question }))).status).toBe(200);
    const sent = JSON.stringify(connector.calls[0]!.activity);
    expect(sent).toMatch(/Voice & video calls/);
    expect(sent.length).toBeLessThan(28 * 1024);
    // The echo is cut to the cap: no more repeats than MAX_QUESTION_CHARS holds (was a check of the constant itself).
    const echoed = sent.split('can we make video calls on the api?').length - 1;
    expect(echoed).toBeGreaterThan(0);
    expect(echoed).toBeLessThanOrEqual(Math.ceil(MAX_QUESTION_CHARS / 'can we make video calls on the api? '.length));
  });
});

describe('formatted and shared messages', () => {
  it('reads an HTML message as its text, and stays quiet when a shared answer card arrives on its own', async () => {
    const p = await product();
    expect((await post(p, teamsActivity(connector.url, { text: '<p>what is the <b>mps</b> limit?</p>', textFormat: 'xml' }))).status).toBe(200);
    expect(JSON.stringify(connector.calls[0]?.activity)).toMatch(/Throughput/);
    connector.reset();
    const shared = teamsActivity(connector.url, {
      text: '<span class="inline-compose-card" itemtype="http://schema.skype.com/InputExtension"><span itemprop="cardId">1</span></span>',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [] } }],
    });
    expect((await post(p, shared)).status).toBe(200);
    expect(connector.calls).toHaveLength(0);
  });
});

describe('hostile HTML (audit finding 7)', () => {
  // 250 KB of "<a<a<a…": a tag that never closes. Read with regular expressions that backtrack, it blocked the event
  // loop for about 12 s per pass (24 s for the message); read with a parser, it is one pass over the text.
  const HOSTILE = '<a'.repeat(125_000);
  /** The Bot Framework SDK is loaded by the first activity: load it before anything is timed. */
  const warm = async (p: Product) => {
    expect((await post(p, teamsActivity(connector.url, { text: 'help' }))).status).toBe(200);
    connector.reset();
  };
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };

  it('a 250 KB message of unclosed tags is answered in well under a second, and the host keeps serving', async () => {
    const p = await product();
    await warm(p);
    let res: Response | undefined;
    const ms = await timed(async () => (res = await post(p, teamsActivity(connector.url, { text: HOSTILE, textFormat: 'xml' }))));
    expect(res!.status).toBe(200);
    expect(ms).toBeLessThan(1000);
    // The next person is answered as usual.
    connector.reset();
    expect((await post(p, teamsActivity(connector.url, { text: '<p>what is the <b>mps</b> limit?</p>', textFormat: 'xml' }))).status).toBe(200);
    expect(JSON.stringify(connector.calls[0]?.activity)).toMatch(/Throughput/);
  }, 60_000);

  it('the same 250 KB as a selected message ("Ask the advisor") gets its dialog in well under a second', async () => {
    const p = await product();
    await warm(p);
    let res: Response | undefined;
    const invoke = teamsActivity(connector.url, {
      type: 'invoke',
      name: 'composeExtension/fetchTask',
      value: { commandId: 'askAdvisor', commandContext: 'message', messagePayload: { id: 'm-1', body: { contentType: 'html', content: HOSTILE } } },
    });
    const ms = await timed(async () => (res = await post(p, invoke)));
    expect(res!.status).toBe(200);
    expect(((await res!.json()) as { task: { type: string } }).task.type).toBe('continue');
    expect(ms).toBeLessThan(1000);
  }, 60_000);
});

describe('the endpoint itself', () => {
  it('answers the HEAD probe that Agents Playground sends before it starts, quietly', async () => {
    const p = await product();
    const res = await fetch(`${p.url}/api/messages`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('POST, HEAD');
    expect(p.logs.lines.filter((l) => l.msg === 'http' && l.level >= 30)).toEqual([]);
    expect((await fetch(`${p.url}/api/messages`)).status).toBe(405);
  });
});

describe('/healthz', () => {
  it('says which knowledge is in use, never where it lives on disk', async () => {
    const p = await product({ KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE });
    const text = await (await fetch(`${p.url}/healthz`)).text();
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', knowledge: { source: 'file' } });
    expect(text).not.toContain(FIXTURE_KNOWLEDGE_FILE);
    expect(text).not.toMatch(/knowledge\.yml|\/test\/|\/work\//);
  });
});
