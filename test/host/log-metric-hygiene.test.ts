import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/host/logger.ts';
import { StartError, startProduct } from '../../adapters/host/start.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { BOT_TOKEN, LogCapture, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';

// Audit finding 11, as an operator reads the logs and /metrics: no log line grows with what a user typed, no URL in
// the log or the start-up errors carries its password, coexist_requests_total is emitted with its documented labels,
// and a Teams overload is counted as overload, not as a server error.

/** Longer than any log line of ours should ever be: a field is cut well before this. */
const MAX_LINE_CHARS = 4000;

/** Resolves when `check` holds, polling; fails after `ms`. For what the product does after it answered. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const metricsText = async (url: string) => (await fetch(`${url}/metrics`)).text();
const teamsPost = (url: string, body: unknown) => fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('log lines stay short whatever a user sends', () => {
  let h: BothPlatforms;
  beforeAll(async () => {
    h = await startBothPlatforms({});
  });
  afterAll(async () => {
    await stopBothPlatforms(h);
  });

  it('a slash command whose first word is 60,000 characters: its log line names the command and is cut', async () => {
    const word = 'x'.repeat(60_000);
    const before = h.product.logs.lines.length;
    expect((await h.slack.command(`${word} calls`)).status).toBe(200);
    await h.product.slack!.drain();
    const lines = h.product.logs.lines.slice(before);
    const line = lines.find((l) => l.kind === 'command');
    expect(line?.name).toMatch(/^\/coexist-vs-api x+…/);
    for (const l of lines) expect(JSON.stringify(l).length, l.msg.slice(0, 80)).toBeLessThan(MAX_LINE_CHARS);
  });

  it('a Teams activity with a 60,000-character id and conversation id: its log line is cut', async () => {
    const before = h.product.logs.lines.length;
    const huge = 'y'.repeat(60_000);
    const activity = teamsActivity(h.connector.url, { text: 'calls', id: huge, conversation: { id: `a:${huge}`, conversationType: 'personal' } });
    expect((await teamsPost(h.product.url, activity)).status).toBeLessThan(300);
    const lines = h.product.logs.lines.slice(before);
    expect(lines.some((l) => l.kind === 'activity')).toBe(true);
    for (const l of lines) expect(JSON.stringify(l).length, l.msg.slice(0, 80)).toBeLessThan(MAX_LINE_CHARS);
  });

  it('a forged Slack action id and a huge Content-Type are cut in the refusal and interaction lines too', async () => {
    const before = h.product.logs.lines.length;
    await h.slack.click({ action_id: `z${'z'.repeat(60_000)}` });
    await h.product.slack!.drain();
    // Signed-looking headers, so the request reaches the Slack guard (one without them is refused before its body).
    const signed = { 'x-slack-signature': `v0=${'0'.repeat(64)}`, 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) };
    await fetch(`${h.product.url}/slack/events`, { method: 'POST', headers: { 'content-type': `text/plain; ${'q'.repeat(8000)}`, ...signed }, body: 'x' });
    await until(() => h.product.logs.lines.slice(before).some((l) => /Slack request refused/.test(l.msg)));
    const lines = h.product.logs.lines.slice(before);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(JSON.stringify(l).length, l.msg.slice(0, 80)).toBeLessThan(MAX_LINE_CHARS);
  });
});

describe('URLs with a user and password', () => {
  it('SLACK_API_URL with user:password: the start-up error and the log show the URL without the password', async () => {
    const fake = await new FakeSlack().start();
    try {
      const url = fake.apiUrl.replace('http://', 'http://admin:hunter2-pass@');
      const logs = new LogCapture();
      const env = { PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: url, TEAMS_ENABLED: 'false' };
      const started = startProduct(env, { logger: createLogger('debug', { destination: logs }) });
      const err = await started.then(
        async (p) => {
          await p.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      // Slack's client refuses a URL with credentials, so the start fails: the operator reads why, without the password.
      expect(err).toBeInstanceOf(StartError);
      const shown = (err as StartError).problems.join('\n');
      expect(shown).toMatch(/SLACK_API_URL/);
      expect(shown).toContain(`${fake.apiUrl.replace('http://', 'http://[redacted]@')}`);
      expect(shown).not.toContain('hunter2-pass');
      expect(shown).not.toContain('admin:');
      expect(logs.raw).not.toContain('hunter2-pass');
    } finally {
      await fake.stop();
    }
  });

  it('any URL with credentials in a log message is written without them', async () => {
    const p = await startTestProduct({});
    try {
      p.logger.warn('could not reach https://bob:s3cr3t@proxy.example.test:8443/api and postgres://u:pw@db:5432/x');
      p.logger.warn({ err: { message: 'connect to http://carol:t0ps3cret@127.0.0.1:9/ failed' } }, 'failed');
      await until(() => p.logs.raw.includes('proxy.example.test') && p.logs.raw.includes('127.0.0.1:9'));
      for (const secret of ['s3cr3t', 'bob:', 'u:pw', 't0ps3cret']) expect(p.logs.raw).not.toContain(secret);
      expect(p.logs.raw).toContain('https://[redacted]@proxy.example.test:8443/api');
    } finally {
      await p.stop();
    }
  });
});

describe('metrics the README documents', () => {
  let h: BothPlatforms;
  beforeAll(async () => {
    h = await startBothPlatforms({});
  });
  afterAll(async () => {
    await stopBothPlatforms(h);
  });

  it('coexist_requests_total{platform,kind,outcome} and coexist_request_duration_seconds count each platform request by what it was', async () => {
    expect((await h.slack.command('calls')).status).toBe(200);
    expect((await h.slack.command('compare')).status).toBe(200);
    // A DM saying "compare": an event, acked by Bolt before our listener runs; still counted by what it asked.
    expect((await h.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'compare', ts: '21.1', event_ts: '21.1' })).status).toBe(200);
    expect((await teamsPost(h.product.url, teamsActivity(h.connector.url, { text: 'can we do video calls on api?' }))).status).toBe(200);
    expect((await teamsPost(h.product.url, teamsActivity(h.connector.url, { text: 'recommend Acme' }))).status).toBe(200);
    // Unsigned: refused before any listener.
    expect((await fetch(`${h.product.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    await h.product.slack!.drain();
    const text = await metricsText(h.product.managementUrl);
    expect(text).toMatch(/^coexist_requests_total\{platform="slack",kind="question",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^coexist_requests_total\{platform="slack",kind="compare",outcome="ok"\} 2$/m);
    expect(text).toMatch(/^coexist_requests_total\{platform="teams",kind="question",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^coexist_requests_total\{platform="teams",kind="form",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^coexist_requests_total\{platform="slack",kind="other",outcome="refused"\} 1$/m);
    expect(text).toMatch(/^coexist_request_duration_seconds_count\{platform="slack",kind="question"\} 1$/m);
    expect(text).toMatch(/^coexist_request_duration_seconds_count\{platform="teams",kind="question"\} 1$/m);
  });
});

describe('a Teams overload', () => {
  it('the turn cap\'s 503 is counted as overload, not as a server error', async () => {
    const connector = await new FakeConnector().start();
    const p = await startTestProduct({}, { teamsConnector: { ...FAST_CONNECTOR, timeoutMs: 30_000, turnsInFlight: 1 } });
    try {
      connector.hang();
      const stuck = teamsPost(p.url, teamsActivity(connector.url, { text: 'calls' })).catch(() => undefined);
      await until(() => connector.held === 1);
      const refused = await teamsPost(p.url, teamsActivity(connector.url, { text: 'mps' }));
      expect(refused.status).toBe(503);
      await connector.stop(); // the held call fails now; the stuck turn finishes
      await stuck;
      const text = await metricsText(p.managementUrl);
      expect(text).toMatch(/^coexist_http_requests_total\{platform="teams",outcome="overload"\} 1$/m);
      expect(text).toMatch(/^coexist_requests_total\{platform="teams",kind="other",outcome="overload"\} 1$/m);
      // The refusal is not a server error, and the stuck turn, once its connector went away, was answered (200).
      expect(text).not.toMatch(/^coexist_http_requests_total\{platform="teams",outcome="server_error"\}/m);
      expect(text).toMatch(/^coexist_http_requests_total\{platform="teams",outcome="ok"\} 1$/m);
    } finally {
      await p.stop();
      await connector.stop().catch(() => {});
    }
  });
});
