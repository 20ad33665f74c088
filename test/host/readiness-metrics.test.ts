import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';

// GET /readyz and GET /metrics on the running product: ready when the store answers, not ready (503) when it
// does not, while answers go on; metrics in Prometheus text, labelled by platform and outcome, never by user.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function product(env: Record<string, string> = {}) {
  const connector = await new FakeConnector().start();
  cleanups.push(() => connector.stop());
  const p = await startTestProduct(env, { teamsConnector: FAST_CONNECTOR });
  cleanups.push(() => p.stop());
  await p.storeStarted;
  return { p, connector };
}

const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

async function askInTeams(url: string, connector: FakeConnector, text: string) {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text })) });
  expect(res.status).toBeLessThan(300);
  return connector.calls.splice(0);
}

describe('GET /readyz', () => {
  it('is 200 when the embedded store answers', async () => {
    const { p } = await product();
    expect(await readyz(p.managementUrl)).toEqual({ status: 200, body: { status: 'ready', store: 'sqlite' } });
  });

  it('is 503 when DATA_DIR cannot hold the store; questions are still answered', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-readyz-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    const { p, connector } = await product({ DATA_DIR: path.join(dir, 'file') });
    const r = await readyz(p.managementUrl);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 'not ready', store: 'sqlite' });
    expect(JSON.stringify(r.body)).not.toContain(dir); // where the data lives is for the log, not the caller
    const calls = await askInTeams(p.url, connector, 'can we do video calls on api?');
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0]!.activity)).toMatch(/calls/i);
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${p.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^coexist_store_errors_total\{operation="open"\} [1-9]/m);
  });

  it('a load balancer probing through an outage: one line when readiness is lost, not an error line per probe', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-readyz-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    const { p } = await product({ DATA_DIR: path.join(dir, 'file') });
    for (let i = 0; i < 10; i++) expect((await readyz(p.managementUrl)).status).toBe(503);
    const notReady = p.logs.lines.filter((l) => /^not ready/.test(String(l.msg)));
    expect(notReady).toHaveLength(1);
    expect(notReady[0]).toMatchObject({ level: 30, store: 'sqlite', msg: expect.stringMatching(/^not ready yet: cannot open the sqlite store/) });
    // Before: each 503 was an error line of its own ("http", status 503), twice a second during an outage.
    expect(p.logs.lines.filter((l) => l.msg === 'http' && l.path === '/readyz' && l.level >= 40)).toEqual([]);
  });

  it('is 503 when PostgreSQL refuses connections, and the password in DATABASE_URL appears nowhere', async () => {
    const { p } = await product({ DATABASE_URL: 'postgres://advisor:s3cret-Passw0rd@127.0.0.1:1/advisor' });
    const res = await fetch(`${p.managementUrl}/readyz`);
    const body = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ status: 'not ready', store: 'postgres' });
    const metrics = await (await fetch(`${p.managementUrl}/metrics`)).text();
    for (const text of [body, metrics, p.logs.raw]) expect(text).not.toContain('s3cret-Passw0rd');
    expect(p.logs.lines.some((l) => l.operation === 'open' && /ECONNREFUSED/.test(l.err?.message ?? ''))).toBe(true);
  });

  it.skipIf(SKIP_POSTGRES)('is 200 on PostgreSQL (DATABASE_URL), after the product migrated it at start', async () => {
    const schema = await createTestSchema();
    const { p } = await product({ DATABASE_URL: schema.url });
    expect(await readyz(p.managementUrl)).toEqual({ status: 200, body: { status: 'ready', store: 'postgres' } });
    expect(await p.store.store!.pendingMigrations()).toEqual([]);
  });
});

describe('GET /metrics', () => {
  it('counts platform requests by outcome, with a latency histogram, and never names a user or a question', async () => {
    const { p, connector } = await product();
    await askInTeams(p.url, connector, 'how many messages per second with coexistence?');
    await fetch(`${p.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"an activity"' });
    // The Teams question above is counted by the product itself (as it is handed to the recorder).
    p.metrics.feedback('slack', 'answer', 'not-helpful');
    p.metrics.request('slack', 'question', 'ok', 0.004);
    const res = await fetch(`${p.managementUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^coexist_http_requests_total\{platform="teams",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^coexist_http_requests_total\{platform="teams",outcome="client_error"\} 1$/m);
    expect(text).toMatch(/^coexist_http_request_duration_seconds_count\{platform="teams"\} 2$/m);
    expect(text).toMatch(/^coexist_questions_total\{platform="teams",outcome="answered"\} 1$/m);
    expect(text).toMatch(/^coexist_feedback_total\{platform="slack",target="answer",rating="not-helpful"\} 1$/m);
    expect(text).toMatch(/^coexist_requests_total\{platform="slack",kind="question",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^coexist_store_errors_total\{operation="write"\} 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    for (const personal of ['aad-asha', '29:user-asha', 'Asha', 'messages per second']) expect(text).not.toContain(personal);
  });

  it('labels only from fixed sets: an unknown kind is counted as other', async () => {
    const { p } = await product();
    p.metrics.request('slack', 'U0123 typed <script>' as never, 'ok');
    const text = await (await fetch(`${p.managementUrl}/metrics`)).text();
    expect(text).toMatch(/^coexist_requests_total\{platform="slack",kind="other",outcome="ok"\} 1$/m);
    expect(text).not.toContain('U0123');
  });
});

describe('the management port (MANAGEMENT_PORT)', () => {
  it('serves /healthz, /readyz and /metrics on loopback; the public port answers 404 for /readyz and /metrics', async () => {
    const { p } = await product({ HOST: '0.0.0.0' });
    expect(new URL(p.managementUrl).hostname).toBe('127.0.0.1');
    expect(p.server.address()).toMatchObject({ address: '0.0.0.0' });
    for (const path of ['/readyz', '/metrics']) {
      const res = await fetch(`${p.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain('MANAGEMENT_PORT');
    }
    expect((await fetch(`${p.managementUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${p.managementUrl}/metrics`)).text()).toMatch(/^coexist_/m);
    expect((await fetch(`${p.managementUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${p.managementUrl}/api/messages`, { method: 'POST', body: '{}' })).status).toBe(404);
    // Where to find them is in the log.
    expect(p.logs.lines.some((l) => l.msg === `management endpoints (GET /healthz, /readyz, /metrics) on ${p.managementUrl} (MANAGEMENT_PORT, MANAGEMENT_HOST)`)).toBe(true);
  });

  it('MANAGEMENT_PORT equal to PORT: /readyz and /metrics on the public port, as before, and the log says who can read them', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = String((probe.address() as { port: number }).port);
    await new Promise<void>((r) => probe.close(() => r()));
    const { p } = await product({ PORT: port, MANAGEMENT_PORT: port });
    expect(p.managementUrl).toBe(p.url);
    expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${p.url}/metrics`)).text()).toMatch(/^coexist_/m);
    expect(p.logs.lines.some((l) => /^management endpoints .* on the public port .*whoever reaches the bot can read them/.test(l.msg))).toBe(true);
  });

  it('MANAGEMENT_PORT unset: /readyz and /metrics on the public port, as the process contract says, and the log says how to keep them private', async () => {
    const { p } = await product({ MANAGEMENT_PORT: '' });
    expect(p.managementUrl).toBe(p.url);
    expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${p.url}/metrics`)).text()).toMatch(/^coexist_/m);
    expect(p.logs.lines.some((l) => /^management endpoints .* on the public port .*as MANAGEMENT_PORT is not set: whoever reaches the bot can read them; give MANAGEMENT_PORT a port of its own/.test(l.msg))).toBe(true);
  });

  it('a MANAGEMENT_PORT already in use stops the start, naming the variable', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = String((holder.address() as { port: number }).port);
    await expect(startTestProduct({ MANAGEMENT_PORT: port })).rejects.toThrow(new RegExp(`management port could not be opened on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\): set MANAGEMENT_PORT`));
  });
});
