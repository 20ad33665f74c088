import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StartError } from '../../adapters/host/start.ts';
import { closedPort } from '../helpers/closed-port.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';
import { startEntryProcess } from '../helpers/entry-process.ts';

// Slack at start, as the operator reads it: a token Slack refuses is "did not accept SLACK_BOT_TOKEN" and exit 1;
// a Slack that cannot be reached (connection refused, DNS, no answer) is "could not be reached … retrying", the
// process stays up with /readyz at 503, and serves Slack once Slack answers. (Before: both were "Slack did not
// accept the credentials (A request error occurred: fetch failed). Check SLACK_BOT_TOKEN." and exit 1.)

const FAST_RETRY = { firstRetryMs: 100, maxRetryMs: 400 };
const QUICK_WEB_API = { timeoutMs: 400, retries: 0 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function slackEnv(apiUrl: string): Record<string, string> {
  return { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl, TEAMS_ENABLED: 'false' };
}

/** `npm start`'s entry point in its own process: what the operator sees on stderr and as the exit code. */
function startProcess(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coexist-slack-start-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const p = startEntryProcess({ PORT: '0', HOST: '127.0.0.1', MANAGEMENT_PORT: '0', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE, STORE_WRITES: 'inline', DATA_DIR: dataDir, ...env });
  cleanups.push(() => {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  return p;
}

describe('Slack refuses the token', () => {
  it('exit 1 with "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)", not a network message, no token shown', async () => {
    const fake = await new FakeSlack().start();
    cleanups.push(() => fake.stop());
    fake.fail({ method: 'auth.test', error: 'invalid_auth', times: 5 });
    const p = startProcess({ ...slackEnv(fake.apiUrl)});
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/cannot start/);
    expect(p.err()).toMatch(/Slack did not accept SLACK_BOT_TOKEN \(invalid_auth\)\. Copy the Bot User OAuth Token/);
    expect(p.err()).not.toMatch(/could not be reached/);
    expect(p.err() + p.out()).not.toContain(BOT_TOKEN);
  });

  it('token_revoked and account_inactive are refusals too', async () => {
    const fake = await new FakeSlack().start();
    cleanups.push(() => fake.stop());
    for (const code of ['token_revoked', 'account_inactive', 'not_authed']) {
      fake.fail({ method: 'auth.test', error: code, times: 1 });
      const err = await startTestProduct(slackEnv(fake.apiUrl), { slackConnect: FAST_RETRY }).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(StartError);
      expect((err as StartError).problems[0]).toContain(`Slack did not accept SLACK_BOT_TOKEN (${code})`);
    }
  });
});

describe('Socket Mode: Slack refuses the app-level token', () => {
  it('apps.connections.open answers invalid_auth: the start stops naming both tokens', async () => {
    const fake = await new FakeSlack().start();
    cleanups.push(() => fake.stop());
    fake.answerWith('apps.connections.open', () => ({ ok: false, error: 'invalid_auth' }));
    const err = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-revoked-token', SLACK_API_URL: fake.apiUrl, TEAMS_ENABLED: 'false' }, { slackConnect: FAST_RETRY, slackWebApi: QUICK_WEB_API }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartError);
    expect((err as StartError).problems[0]).toMatch(/^Slack did not accept SLACK_BOT_TOKEN and SLACK_APP_TOKEN \(invalid_auth\)/);
    expect((err as StartError).problems[0]).not.toContain('xapp-1-revoked-token');
  });
});

describe('Slack cannot be reached', () => {
  it('connection refused: the process stays up, says so and retries; /readyz 503 until Slack answers, then it serves', async () => {
    const port = await closedPort();
    const apiUrl = `http://127.0.0.1:${port}/api/`;
    const p = await startTestProduct(slackEnv(apiUrl), { slackConnect: FAST_RETRY, slackWebApi: QUICK_WEB_API });
    cleanups.push(() => p.stop());
    const warning = p.logs.lines.find((l) => /^Slack could not be reached/.test(l.msg));
    expect(warning?.msg).toBe(
      `Slack could not be reached (connection refused, ECONNREFUSED; ${apiUrl}): retrying in 100 ms. This is the network, a proxy or DNS, not the token; GET /readyz answers 503 and Slack requests get 503 until Slack answers`,
    );
    expect(warning?.level).toBe(40);
    expect(p.logs.raw).not.toMatch(/did not accept/);
    // Backoff: the waits double up to the cap.
    await until(() => p.logs.lines.filter((l) => /^Slack could not be reached/.test(l.msg)).length >= 4, 10_000, 'four attempts');
    const waits = p.logs.lines.filter((l) => /^Slack could not be reached/.test(l.msg)).map((l) => l.retryInMs);
    expect(waits.slice(0, 4)).toEqual([100, 200, 400, 400]);

    const ready = await fetch(`${p.managementUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', store: 'sqlite', slack: 'not connected', problem: 'Slack could not be reached yet; see the log' });
    const slack = new SlackClient(p.url, SIGNING_SECRET, apiUrl);
    const early = await slack.command('calls');
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('5');

    // Slack comes back where it was.
    const fake = await new FakeSlack().start(port);
    cleanups.push(() => fake.stop());
    await until(async () => (await fetch(`${p.managementUrl}/readyz`)).status === 200, 5_000, '/readyz 200');
    expect(await (await fetch(`${p.managementUrl}/readyz`)).json()).toEqual({ status: 'ready', store: 'sqlite', slack: 'connected' });
    expect(p.logs.lines.some((l) => /^Slack answered: connected/.test(l.msg))).toBe(true);
    const answered = await new SlackClient(p.url, SIGNING_SECRET, fake.url).command('calls');
    expect(answered.status).toBe(200);
  });

  it('no answer in time, and a host DNS cannot find: named as such, not as the token', async () => {
    const held = new Set<import('node:net').Socket>();
    const silent: Server = createServer((socket) => void held.add(socket)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const socket of held) socket.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/api/`;
    const p = await startTestProduct(slackEnv(silentUrl), { slackConnect: FAST_RETRY, slackWebApi: QUICK_WEB_API });
    cleanups.push(() => p.stop());
    expect(p.logs.lines.find((l) => /^Slack could not be reached/.test(l.msg))?.msg).toMatch(/^Slack could not be reached \(no answer in time;/);

    const q = await startTestProduct(slackEnv('http://slack-api.invalid/api/'), { slackConnect: FAST_RETRY, slackWebApi: QUICK_WEB_API });
    cleanups.push(() => q.stop());
    expect(q.logs.lines.find((l) => /^Slack could not be reached/.test(l.msg))?.msg).toMatch(/^Slack could not be reached \((DNS: host not found, ENOTFOUND|DNS lookup failed, try again, EAI_AGAIN); http:\/\/slack-api\.invalid\/api\/\): retrying/);
  });

  it('unreachable at start, then Slack answers invalid_auth: the process exits 1 with the refusal', async () => {
    const port = await closedPort();
    const p = startProcess({ ...slackEnv(`http://127.0.0.1:${port}/api/`)});
    await until(() => /Slack could not be reached \(connection refused/.test(p.out()), 15_000, 'the first warning');
    expect(p.child.exitCode).toBeNull();
    const fake = await new FakeSlack().start(port);
    cleanups.push(() => fake.stop());
    fake.fail({ method: 'auth.test', error: 'invalid_auth', times: 50 });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/Slack did not accept SLACK_BOT_TOKEN \(invalid_auth\)/);
  }, 30_000);
});
