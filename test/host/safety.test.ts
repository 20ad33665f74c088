import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/host/config.ts';
import { createLogger } from '../../adapters/host/logger.ts';
import { startProduct } from '../../adapters/host/start.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, LogCapture, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';

// Safe by default (security audit, 2026-11-25): where the server listens, which platforms are on, how
// production is recognised, and a process that survives a stray rejected promise.

describe('where the server listens', () => {
  it('local mode listens on 127.0.0.1 unless HOST is set, and the log names the address actually bound', async () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { host: '127.0.0.1', hostChosen: false, teams: { auth: 'local' } } });
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject({ ok: true, config: { host: '0.0.0.0', hostChosen: true } });
    const logs = new LogCapture();
    const product = await startProduct({ PORT: '0' }, { logger: createLogger('debug', { destination: logs }) });
    try {
      expect(product.address).toBe('127.0.0.1');
      const line = logs.lines.find((l) => l.msg.startsWith('coexist-advisor listening on'));
      expect(line?.msg).toBe(`coexist-advisor listening on http://127.0.0.1:${product.port}`);
      expect(line?.address).toBe('127.0.0.1');
    } finally {
      await product.stop();
    }
  });

  it('with Teams authenticated and no HOST, it listens on every interface and says so', async () => {
    const logs = new LogCapture();
    const product = await startProduct({ PORT: '0', MANAGEMENT_PORT: '0', MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' }, { logger: createLogger('debug', { destination: logs }) });
    try {
      expect(['::', '0.0.0.0']).toContain(product.address);
      expect(logs.lines.find((l) => l.msg.startsWith('coexist-advisor listening on'))?.msg).toMatch(/listening on http:\/\/(\[::\]|0\.0\.0\.0):\d+ \(all interfaces\)$/);
    } finally {
      await product.stop();
    }
  });
});

describe('switching platforms on and off', () => {
  it('TEAMS_ENABLED=false: a Slack-only deployment exposes no /api/messages', async () => {
    const fake = await new FakeSlack().start();
    const product = await startTestProduct({ TEAMS_ENABLED: 'false', NODE_ENV: 'production', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    try {
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' });
      expect(res.status).toBe(404);
      expect(await (await fetch(`${product.url}/healthz`)).json()).toMatchObject({ slack: 'http', teams: 'off' });
      expect(product.logs.lines.some((l) => /Teams is off \(TEAMS_ENABLED=false\)/.test(l.msg))).toBe(true);
    } finally {
      await product.stop();
      await fake.stop();
    }
  });

  it('SLACK_ENABLED=false turns Slack off even with its credentials set; bad switch values are named', () => {
    expect(loadConfig({ SLACK_ENABLED: 'off', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'long-enough-secret' })).toMatchObject({ ok: true, config: { slack: { mode: 'off' } } });
    expect(loadConfig({ TEAMS_ENABLED: 'No' })).toMatchObject({ ok: false });
    const bad = loadConfig({ TEAMS_ENABLED: 'maybe', SLACK_ENABLED: 'true' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.join('\n')).toMatch(/TEAMS_ENABLED must be true or false/);
      expect(bad.problems.join('\n')).toMatch(/SLACK_ENABLED=true needs SLACK_BOT_TOKEN/);
    }
  });

  it('NODE_ENV is read as operators write it: "Production" and "production " both refuse unauthenticated Teams', () => {
    for (const value of ['production', 'Production', 'production ', ' PRODUCTION']) {
      const r = loadConfig({ NODE_ENV: value });
      expect(r.ok, value).toBe(false);
      if (!r.ok) expect(r.problems.join('\n')).toMatch(/refuses to run the Teams endpoint unauthenticated.*TEAMS_ENABLED=false/);
    }
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ ok: true, config: { production: false } });
  });
});

describe('a promise nobody awaited fails', () => {
  it('is logged at error level and the process keeps running', async () => {
    const handler = fileURLToPath(new URL('../../adapters/host/process.ts', import.meta.url));
    const logger = fileURLToPath(new URL('../../adapters/host/logger.ts', import.meta.url));
    const script = `
      import { keepServingOnUnhandledRejection } from ${JSON.stringify(handler)};
      import { createLogger, flushLogs } from ${JSON.stringify(logger)};
      const log = createLogger('info', { pretty: false, dest: 1 });
      keepServingOnUnhandledRejection(log);
      Promise.reject(new TypeError('raw.replace is not a function'));
      setTimeout(async () => { log.info('still here'); await flushLogs(log); process.exit(0); }, 100);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
    expect(lines[0]).toMatchObject({ level: 50, msg: 'unhandled promise rejection; still serving', err: { message: 'raw.replace is not a function' } });
    expect(lines[1]?.msg).toBe('still here');
  });
});
