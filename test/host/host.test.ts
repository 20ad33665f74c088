import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../adapters/config.ts';
import { StartError } from '../../adapters/host/start.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient } from '../helpers/slack-client.ts';
import { startEntryProcess } from '../helpers/entry-process.ts';

/** Runs `npm start`'s entry point as a child process with exactly the given environment. */
function startProcess(env: Record<string, string>) {
  const p = startEntryProcess({ HOME: process.env.HOME ?? '', MANAGEMENT_PORT: '0', ...env });
  const stdout = p.out;
  const stderr = p.err;
  const listening = async (): Promise<string> => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const m = stdout().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) return m[1]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`did not start: ${stdout()} ${stderr()}`);
  };
  return { ...p, listening };
}

describe('configuration', () => {
  it('lists every bad or missing variable at once', () => {
    const r = loadConfig({ PORT: '70000', LOG_LEVEL: 'chatty', SLACK_BOT_TOKEN: 'abc', SLACK_API_URL: 'not a url', MICROSOFT_APP_TYPE: 'SingleTenant', MICROSOFT_APP_PASSWORD: 'p' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const all = r.problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'SLACK_BOT_TOKEN', 'SLACK_API_URL', 'MICROSOFT_APP_TENANT_ID', 'MICROSOFT_APP_ID']) expect(all).toContain(name);
  });

  it('.env.example as shipped (SingleTenant, management port 3979, empty credentials) starts in local mode', async () => {
    const { parse } = await import('dotenv');
    const { readFileSync } = await import('node:fs');
    const example = parse(readFileSync(new URL('../../.env.example', import.meta.url)));
    expect(example.MICROSOFT_APP_TYPE).toBe('SingleTenant');
    const r = loadConfig(example);
    expect(r).toMatchObject({ ok: true, config: { port: 3978, management: { port: 3979, host: '127.0.0.1' }, slack: { mode: 'off' }, teams: { auth: 'local' } } });
    // With an app id, SingleTenant needs the tenant, and says so.
    const withId = loadConfig({ ...example, MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'p' });
    expect(withId.ok === false && withId.problems).toEqual(['MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE=SingleTenant']);
  });

  it('MANAGEMENT_PORT must be a port; equal to PORT it shares the public port', () => {
    expect(loadConfig({ MANAGEMENT_PORT: 'metrics' })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^MANAGEMENT_PORT must be a port number/)] });
    expect(loadConfig({ PORT: '8080', MANAGEMENT_PORT: '8080' })).toMatchObject({ ok: true, config: { management: { port: 8080, shared: true } } });
    expect(loadConfig({ PORT: '8080' })).toMatchObject({ ok: true, config: { management: { port: 8080, shared: true } } });
    expect(loadConfig({ PORT: '8080', MANAGEMENT_PORT: '' })).toMatchObject({ ok: true, config: { management: { port: 8080, shared: true } } });
    expect(loadConfig({ PORT: '0', MANAGEMENT_PORT: '0' })).toMatchObject({ ok: true, config: { management: { port: 0, shared: false } } });
    expect(loadConfig({ MANAGEMENT_HOST: '0.0.0.0', MANAGEMENT_PORT: '9100' })).toMatchObject({ ok: true, config: { management: { host: '0.0.0.0', port: 9100, shared: false } } });
  });

  it('treats empty values as unset, so a copied .env.example starts in local mode', () => {
    const r = loadConfig({ PORT: '', SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', MICROSOFT_APP_ID: '' });
    expect(r).toMatchObject({ ok: true, config: { port: 3978, slack: { mode: 'off' }, teams: { auth: 'local' } } });
  });

  it('EXPERT_HINT: how to ask a person when a question is declined, said at start; unset, a neutral default; too long, refused', () => {
    const set = loadConfig({ EXPERT_HINT: '  Ask in #whatsapp-experts ' });
    expect(set).toMatchObject({ ok: true, config: { expertHint: 'Ask in #whatsapp-experts' } });
    if (set.ok) expect(describeConfig(set.config).join('\n')).toContain('declined with: "Ask in #whatsapp-experts" (EXPERT_HINT)');
    const unset = loadConfig({ EXPERT_HINT: '' });
    expect(unset.ok && unset.config.expertHint).toBeUndefined();
    if (unset.ok) expect(describeConfig(unset.config).join('\n')).toContain('set EXPERT_HINT');
    const long = loadConfig({ EXPERT_HINT: 'x'.repeat(301) });
    expect(long.ok === false && long.problems.join('\n')).toContain('EXPERT_HINT must be at most 300 characters');
  });

  it('chooses Socket Mode when SLACK_APP_TOKEN is set', () => {
    const r = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(r).toMatchObject({ ok: true, config: { slack: { mode: 'socket' } } });
  });
});

describe('npm start', () => {
  it('starts with no credentials in local mode, says what is off and how to turn it on, and stops on SIGTERM', async () => {
    const p = startProcess({ PORT: '0', HOST: '127.0.0.1' });
    const url = await p.listening();
    expect(p.out()).toMatch(/Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
    expect(p.out()).toMatch(/LOCAL MODE/);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', slack: 'off' });
    const slack = await fetch(`${url}/slack/events`, { method: 'POST', body: 'x' });
    expect(slack.status).toBe(404);
    expect(((await slack.json()) as { error: string }).error).toMatch(/SLACK_BOT_TOKEN/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/SIGTERM received/);
  });

  it('refuses to start with bad configuration: exit 1, one message listing every problem, no stack trace', async () => {
    const p = startProcess({ PORT: 'eighty', NODE_ENV: 'production', SLACK_SIGNING_SECRET: 'abcdefghijkl' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/cannot start/);
    expect(p.err()).toMatch(/PORT/);
    expect(p.err()).toMatch(/SLACK_BOT_TOKEN is required/);
    expect(p.err()).toMatch(/NODE_ENV=production refuses to run the Teams endpoint unauthenticated/);
    expect(p.err()).not.toMatch(/\n\s+at /);
  });

  it('refuses a broken KNOWLEDGE_FILE, naming the problems', async () => {
    const p = startProcess({ PORT: '0', KNOWLEDGE_FILE: '/nonexistent/knowledge.yml' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/KNOWLEDGE_FILE \/nonexistent\/knowledge\.yml is invalid/);
  });
});

describe('Slack credentials and shutdown', () => {
  it('a token Slack rejects stops the start with a clear message', async () => {
    const fake = await new FakeSlack().start();
    fake.fail({ method: 'auth.test', error: 'invalid_auth', times: 5 });
    try {
      await expect(startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl })).rejects.toThrow(StartError);
      fake.fail({ method: 'auth.test', error: 'invalid_auth', times: 5 });
      const err = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl }).catch((e: StartError) => e);
      expect((err as StartError).problems[0]).toMatch(/Slack did not accept SLACK_BOT_TOKEN \(invalid_auth\)/);
      expect((err as StartError).problems[0]).not.toContain(BOT_TOKEN);
    } finally {
      await fake.stop();
    }
  });

  it('stopping waits for work in flight: a modal being opened still opens', async () => {
    const fake = await new FakeSlack().start();
    const product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    fake.fail({ method: 'views.open', delayMs: 400 });
    try {
      const client = new SlackClient(product.url, SIGNING_SECRET, fake.url);
      expect((await client.command('recommend Acme')).status).toBe(200);
      await product.stop();
      expect(fake.callsTo('views.open')).toHaveLength(1);
      const line = product.logs.lines.find((l) => l.kind === 'command' && l.outcome === 'ok');
      expect(line?.ms).toBeGreaterThanOrEqual(300);
    } finally {
      await fake.stop();
    }
  });
});
