import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/host/config.ts';
import { HOST_LIMITS } from '../../adapters/host/limits.ts';
import { SLACK_LIMITS } from '../../adapters/slack/limits.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { SlackClient, sign } from '../helpers/slack-client.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';

// Issue 17, findings 3, 4 and 12: the server is bounded per client and in total. A connection cap that sheds the
// connections idle longest (and says so once), refusals before a body is read, a total of body bytes in flight,
// short request timeouts, and a Bot Framework sign-in that fails fast when its metadata does not answer.

/** A raw TCP client: what a slowloris or a fat-body client sends, byte for byte, and what it gets back. */
class RawClient {
  readonly socket: Socket;
  received = '';
  closedAt: number | undefined;
  readonly opened = Date.now();
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closedAt = Date.now();
        for (const w of this.waiters.splice(0)) w();
        resolve();
      }),
    );
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Resolves with the status line's code once one has arrived; rejects after `ms`. */
  status(ms: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.received.match(/^HTTP\/1\.1 (\d{3})/);
        if (m) return resolve(Number(m[1]));
        if (this.closedAt !== undefined) return reject(new Error(`closed without a response after ${this.closedAt - this.opened} ms`));
        this.waiters.push(check);
      };
      setTimeout(() => reject(new Error(`no response within ${ms} ms (received ${JSON.stringify(this.received.slice(0, 80))})`)), ms).unref();
      check();
    });
  }

  within(ms: number): Promise<void> {
    return Promise.race([this.closed, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms).unref())]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

const FORM = 'application/x-www-form-urlencoded';
const forgedSignature = () => ({ 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': `v0=${'ab'.repeat(32)}` });

let fake: FakeSlack;
beforeAll(async () => {
  fake = await new FakeSlack().start();
});
afterAll(async () => {
  await fake?.stop();
});

const slackEnv = () => ({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });

describe('the defaults are what the README says', () => {
  it('connection cap, body bytes in flight and timeouts', async () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ ok: true, config: { http: { maxConnections: 4096, maxBodyBytesInFlight: 64 * 1024 * 1024 } } });
    expect(HOST_LIMITS).toMatchObject({ maxConnections: 4096, maxBodyBytesInFlight: 64 * 1024 * 1024, headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
    expect(SLACK_LIMITS.maxRequestBytes).toBe(256 * 1024);
    const product = await startTestProduct({});
    try {
      expect(product.server.headersTimeout).toBe(HOST_LIMITS.headersTimeoutMs);
      expect(product.server.requestTimeout).toBe(HOST_LIMITS.requestTimeoutMs);
      expect(product.server.keepAliveTimeout).toBe(HOST_LIMITS.keepAliveTimeoutMs);
    } finally {
      await product.stop();
    }
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const row of [/\| `MAX_CONNECTIONS` \| 4096 \|/, /\| `MAX_BODY_BYTES_IN_FLIGHT` \| 67108864 \(64 MB\) \|/, /request headers \| 5 s \|/, /whole request \| 10 s \|/, /Slack request body \| 256 KB \|/, /Teams request body \| 256 KB \|/]) {
      expect(readme).toMatch(row);
    }
    expect(() => loadConfig({ MAX_CONNECTIONS: '10' })).not.toThrow();
    expect(loadConfig({ MAX_CONNECTIONS: 'lots' })).toMatchObject({ ok: false });
  });
});

describe('a connection cap', () => {
  it('sheds the connections idle longest, logs one line, and health and signed requests get through', async () => {
    const product = await startTestProduct({ ...slackEnv(), MAX_CONNECTIONS: '40' });
    const slow: RawClient[] = [];
    try {
      // 120 half-open requests: headers started, never finished.
      for (let i = 0; i < 120; i++) {
        const c = new RawClient(product.port);
        slow.push(c);
        await c.ready();
        c.send('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-a: ');
      }
      // The first 80 were closed to make room for the later ones (oldest first).
      await Promise.all(slow.slice(0, 80).map((c) => c.within(5000)));
      expect(slow.slice(100).every((c) => c.closedAt === undefined)).toBe(true);
      expect((await fetch(`${product.url}/healthz`)).status).toBe(200);
      const slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
      expect((await slack.command('calls')).status).toBe(200);
      const capLines = product.logs.lines.filter((l) => /connection cap reached/.test(l.msg));
      expect(capLines).toHaveLength(1);
      expect(capLines[0]).toMatchObject({ level: 40, maxConnections: 40 });
      const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
      const shed = Number(metrics.match(/^coexist_http_connections_shed_total\{reason="idle_closed"\} (\d+)/m)?.[1]);
      expect(shed).toBeGreaterThanOrEqual(80);
    } finally {
      for (const c of slow) c.destroy();
      await product.stop();
    }
  });

  it('a cap too close to the open-file limit is warned about at start', async () => {
    const product = await startTestProduct({ MAX_CONNECTIONS: '1000000' });
    try {
      const line = product.logs.lines.find((l) => /leaves fewer than 256 of the \d+ open files/.test(l.msg));
      expect(line).toMatchObject({ level: 40, maxConnections: 1_000_000 });
    } finally {
      await product.stop();
    }
  });
});

describe('refused before the body is read', () => {
  it('a Slack request without a well-formed signature header: 401 while the client has sent only the headers, then closed', async () => {
    const product = await startTestProduct(slackEnv());
    try {
      for (const headers of [{}, { 'x-slack-signature': 'v0=nothex', 'x-slack-request-timestamp': '1700000000' }, { 'x-slack-signature': `v0=${'ab'.repeat(32)}`, 'x-slack-request-timestamp': 'soon' }] as Record<string, string>[]) {
        const c = new RawClient(product.port);
        await c.ready();
        c.send(head('/slack/events', { 'content-type': FORM, 'content-length': 1024 * 1024, ...headers }));
        expect(await c.status(3000)).toBe(401);
        await c.within(3000);
      }
      // One warning for them all, no line per request at info (a flood of them must not flood the log).
      expect(product.logs.lines.filter((l) => l.level >= 40 && /without its credentials header/.test(l.msg))).toHaveLength(1);
      expect(product.logs.lines.filter((l) => l.level >= 30 && l.msg === 'http' && l.status === 401)).toEqual([]);
      // Slack's ssl_check (small, unsigned) still reaches Bolt.
      const ssl = await fetch(`${product.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: 'ssl_check=1&token=x' });
      expect(ssl.status).toBe(200);
    } finally {
      await product.stop();
    }
  });

  it('a signed-looking Slack body over the 256 KB cap: 413 before it is read', async () => {
    const product = await startTestProduct(slackEnv());
    try {
      const c = new RawClient(product.port);
      await c.ready();
      c.send(head('/slack/events', { 'content-type': FORM, 'content-length': 300 * 1024, ...forgedSignature() }));
      expect(await c.status(3000)).toBe(413);
      await c.within(3000);
    } finally {
      await product.stop();
    }
  });

  it('Teams with Bot Framework auth: no Authorization header is 401 before the body is read', async () => {
    const product = await startTestProduct({ MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' });
    try {
      const c = new RawClient(product.port);
      await c.ready();
      c.send(head('/api/messages', { 'content-type': 'application/json', 'content-length': 200 * 1024 }));
      expect(await c.status(3000)).toBe(401);
      await c.within(3000);
    } finally {
      await product.stop();
    }
  });
});

describe('a total of body bytes in flight', () => {
  it('past it, 503 with Retry-After before the body is read; afterwards requests are served again', async () => {
    const product = await startTestProduct({ ...slackEnv(), MAX_BODY_BYTES_IN_FLIGHT: String(450 * 1024) });
    const holding: RawClient[] = [];
    try {
      // Two bodies of 200 KB each are being sent (slowly): 400 KB of the 450 KB.
      for (let i = 0; i < 2; i++) {
        const c = new RawClient(product.port);
        holding.push(c);
        await c.ready();
        c.send(head('/slack/events', { 'content-type': FORM, 'content-length': 200 * 1024, ...forgedSignature() }) + 'x'.repeat(1000));
      }
      // Wait until the server holds both (a third request is then refused).
      const third = new RawClient(product.port);
      await third.ready();
      third.send(head('/slack/events', { 'content-type': FORM, 'content-length': 100 * 1024, ...forgedSignature() }));
      expect(await third.status(3000)).toBe(503);
      expect(third.received).toMatch(/\r\nretry-after: \d+\r\n/i);
      await third.within(3000);
      for (const c of holding) c.destroy();
      await Promise.all(holding.map((c) => c.closed));
      const slack = new SlackClient(product.url, SIGNING_SECRET, fake.url);
      // The reservations are released when those connections close.
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await slack.command('calls')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(200);
      expect(product.logs.lines.filter((l) => /bodies in flight/.test(l.msg))).toHaveLength(1);
      // The refusal is counted as an overload, not as a server error.
      const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
      expect(metrics).toMatch(/^coexist_http_requests_total\{platform="slack",outcome="overload"\} 1$/m);
      expect(metrics).not.toMatch(/^coexist_http_requests_total\{platform="slack",outcome="server_error"\}/m);
    } finally {
      for (const c of holding) c.destroy();
      await product.stop();
    }
  });
});

describe('request timeouts', () => {
  it('slow headers and slow bodies are closed within the configured times; keep-alive requests are unaffected', async () => {
    const product = await startTestProduct(slackEnv(), { httpLimits: { headersTimeoutMs: 800, requestTimeoutMs: 1500, timeoutCheckMs: 100 } });
    try {
      const slowHeaders = new RawClient(product.port);
      await slowHeaders.ready();
      slowHeaders.send('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const slowBody = new RawClient(product.port);
      await slowBody.ready();
      slowBody.send(head('/slack/events', { 'content-type': FORM, 'content-length': 1000, ...forgedSignature() }) + 'token=');
      const drip = setInterval(() => slowBody.send('x'), 200);
      try {
        await slowHeaders.within(4000);
        await slowBody.within(5000);
      } finally {
        clearInterval(drip);
      }
      expect(slowHeaders.closedAt! - slowHeaders.opened).toBeLessThan(4000);
      expect(slowBody.closedAt! - slowBody.opened).toBeGreaterThanOrEqual(1400);
      expect(slowBody.received).toMatch(/^HTTP\/1\.1 408/);
      // One keep-alive connection, two requests a second apart: both answered on the same socket.
      const keep = new RawClient(product.port);
      await keep.ready();
      keep.send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await keep.status(2000)).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
      keep.received = '';
      keep.send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await keep.status(2000)).toBe(200);
      keep.destroy();
    } finally {
      await product.stop();
    }
  });

  it('with the defaults, a body sent at 1 byte a second is closed with 408 at about 10 s', async () => {
    const product = await startTestProduct(slackEnv());
    try {
      const c = new RawClient(product.port);
      await c.ready();
      c.send(head('/slack/events', { 'content-type': FORM, 'content-length': 1000, ...sign(SIGNING_SECRET, 'x') }));
      const drip = setInterval(() => c.send('x'), 1000);
      try {
        await c.within(14_000);
      } finally {
        clearInterval(drip);
      }
      expect(c.received).toMatch(/^HTTP\/1\.1 408/);
      expect(c.closedAt! - c.opened).toBeGreaterThanOrEqual(9_500);
    } finally {
      await product.stop();
    }
  }, 20_000);
});

describe('Bot Framework sign-in that does not answer (finding 12)', () => {
  it('forged tokens get 503 quickly, the metadata is fetched once, and the outage is logged once', async () => {
    // An OpenID endpoint on 127.0.0.1 that accepts connections and never answers.
    let fetches = 0;
    const silent: Server = createServer(() => {
      fetches++;
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const metadataUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`;
    const product = await startTestProduct(
      { MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' },
      { teamsSignIn: { openIdMetadataUrl: metadataUrl, metadataTimeoutMs: 500, retryAfterFailureMs: 60_000 } },
    );
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'forged-key' })}.${b64({ iss: 'https://api.botframework.com', aud: '00000000-0000-0000-0000-000000000001', exp: Math.floor(Date.now() / 1000) + 600 })}.${'A'.repeat(342)}`;
    try {
      const started = Date.now();
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(`${product.url}/api/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(teamsActivity('http://127.0.0.1:9/', { text: 'calls' })),
            signal: AbortSignal.timeout(10_000),
          });
          return { status: res.status, retryAfter: res.headers.get('retry-after') };
        }),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(statuses.every((s) => s.status === 503 && s.retryAfter !== null)).toBe(true);
      // Later ones fail at once, without another fetch.
      const again = Date.now();
      const res = await fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(teamsActivity('http://127.0.0.1:9/', { text: 'calls' })) });
      expect(res.status).toBe(503);
      expect(Date.now() - again).toBeLessThan(400);
      expect(fetches).toBe(1);
      const outage = product.logs.lines.filter((l) => l.level >= 30 && /sign-in metadata/.test(l.msg));
      expect(outage).toHaveLength(1);
      expect(outage[0]!.level).toBe(40);
      expect(product.logs.lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    } finally {
      await product.stop();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('when it answers, the keys are fetched once and tokens are checked as before: a bad signature or another bot is 401', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    let fetches = 0;
    const metadata: Server = createServer((req, res) => {
      fetches++;
      const base = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      const body = req.url === '/keys' ? { keys: [{ kty: 'RSA', kid: 'real-key', n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] } : { issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const appId = '00000000-0000-0000-0000-000000000001';
    const product = await startTestProduct(
      { MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'not-a-real-secret' },
      { teamsSignIn: { openIdMetadataUrl: `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v1/.well-known/openidconfiguration` } },
    );
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = (aud: string, signedWith: 'real' | 'garbage') => {
      const data = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'real-key' })}.${b64({ iss: 'https://api.botframework.com', aud, exp: Math.floor(Date.now() / 1000) + 600, serviceurl: 'http://127.0.0.1:9/' })}`;
      const signature = signedWith === 'real' ? rsaSign('sha256', Buffer.from(data), privateKey).toString('base64url') : 'A'.repeat(342);
      return `${data}.${signature}`;
    };
    const post = (bearer: string) =>
      fetch(`${product.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify(teamsActivity('http://127.0.0.1:9/', { text: 'calls' })),
        signal: AbortSignal.timeout(10_000),
      });
    try {
      const forged = await Promise.all(Array.from({ length: 10 }, () => post(token(appId, 'garbage'))));
      expect(forged.map((r) => r.status)).toEqual(Array(10).fill(401));
      // Signed with the real key but for another bot: the key was found and the signature checked; the audience is wrong.
      expect((await post(token('another-bot', 'real'))).status).toBe(401);
      const reasons = product.logs.lines.filter((l) => /not authenticated by Bot Framework/.test(l.msg)).map((l) => String(l.reason));
      expect(reasons.at(-1)).toMatch(/AppId|audience/i);
      expect(reasons.slice(0, 10).every((r) => /signature/i.test(r))).toBe(true);
      expect(fetches).toBe(2);
    } finally {
      await product.stop();
      await new Promise<void>((resolve) => metadata.close(() => resolve()));
    }
  });
});
