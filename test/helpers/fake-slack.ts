import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A small stand-in for Slack's Web API and response URLs on 127.0.0.1. It records every call as Slack would
// receive it (form fields with `blocks` / `view` as JSON strings, or a JSON body) and can be told to fail.

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  at: number;
}

interface Failure {
  method: string;
  match?: (args: Record<string, any>) => boolean;
  /** Slack-style error code in a 200 `{ok:false}` answer. */
  error?: string;
  /** Raw HTTP status instead (with optional headers), e.g. 429 with retry-after. */
  status?: number;
  headers?: Record<string, string>;
  /** Delay before answering. */
  delayMs?: number;
  /** Drop the connection without an answer. */
  reset?: boolean;
  times: number;
}

function parseBody(req: IncomingMessage, raw: string): Record<string, any> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return raw ? JSON.parse(raw) : {};
  const form = Object.fromEntries(new URLSearchParams(raw));
  for (const key of ['blocks', 'view', 'attachments', 'metadata']) {
    if (typeof form[key] === 'string') {
      try {
        form[key] = JSON.parse(form[key]);
      } catch {
        /* leave as text */
      }
    }
  }
  return form;
}

export class FakeSlack {
  calls: RecordedCall[] = [];
  /** Emits 'call' for every recorded call, so a test waits for the call itself rather than polling. */
  private readonly arrivals = new EventEmitter();
  private failures: Failure[] = [];
  private server: Server;
  private ts = 1000;
  url = '';

  /** `record: false` keeps no history (benchmarks and soak runs). */
  constructor(private readonly options: { record?: boolean } = {}) {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', async () => {
        const path = (req.url ?? '').split('?')[0]!;
        const method = path.startsWith('/api/') ? path.slice(5) : path.startsWith('/response/') ? `response_url${path.slice('/response'.length)}` : path;
        const args = parseBody(req, raw);
        if (this.options.record !== false) {
          this.calls.push({ method, args, at: Date.now() });
          this.arrivals.emit('call');
        }
        const failure = this.failures.find((f) => (f.method === method || (f.method === 'response_url' && method.startsWith('response_url'))) && (!f.match || f.match(args)));
        if (failure) {
          if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
          if (failure.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
          if (failure.reset) {
            req.socket.destroy();
            return;
          }
          if (failure.status) {
            res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
            res.end(JSON.stringify({ ok: false, error: failure.error ?? 'http_error' }));
            return;
          }
          if (failure.error) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: false, error: failure.error }));
            return;
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.answer(method, args)));
      });
    });
  }

  private overrides = new Map<string, (args: Record<string, any>) => Record<string, unknown>>();

  /**
   * Which conversations each user is in, as `users.conversations` with `user=` answers (in pages of the call's
   * `limit`, with a cursor): a history shows what was made in a user's channels.
   */
  memberships = new Map<string, string[]>();

  /** Answers `method` with `answer` instead of the default (e.g. apps.connections.open for Socket Mode). */
  answerWith(method: string, answer: (args: Record<string, any>) => Record<string, unknown>): void {
    this.overrides.set(method, answer);
  }

  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    const override = this.overrides.get(method);
    if (override) return override(args);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://test.slack.invalid/', team: 'Test', user: 'advisor', team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT' };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${++this.ts}.000100`, message: { text: args.text } };
      case 'chat.getPermalink':
        return { ok: true, channel: args.channel, permalink: `https://test.slack.invalid/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}` };
      case 'users.conversations': {
        const all = this.memberships.get(String(args.user)) ?? [];
        const start = Number(args.cursor || 0);
        const limit = Math.max(1, Number(args.limit) || 100);
        const next = start + limit < all.length ? String(start + limit) : '';
        return { ok: true, channels: all.slice(start, start + limit).map((id) => ({ id, is_member: true })), response_metadata: { next_cursor: next } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.ts}.000200` };
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${++this.ts}`, ...(typeof args.view === 'object' ? args.view : {}) } };
      default:
        return { ok: true };
    }
  }

  /** Listens on 127.0.0.1, on `port` when given (a Slack that comes back where it was unreachable). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id = 'r1'): string {
    return `${this.url}/response/${id}`;
  }

  fail(failure: Omit<Failure, 'times'> & { times?: number }): void {
    this.failures.push({ times: 1, ...failure });
  }

  reset(): void {
    this.calls = [];
    this.failures = [];
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method || (method === 'response_url' && c.method.startsWith('response_url')));
  }

  /** Waits until `count` calls to `method` (matching `where`) have arrived; the ack returns before follow-ups. */
  waitFor(method: string, where: (args: Record<string, any>) => boolean = () => true, count = 1, timeoutMs = 8000): Promise<RecordedCall[]> {
    const found = () => this.callsTo(method).filter((c) => where(c.args));
    return new Promise((resolve, reject) => {
      const check = () => {
        const calls = found();
        if (calls.length < count) return;
        done();
        resolve(calls);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${count} × ${method}; saw: ${this.calls.map((c) => c.method).join(', ') || 'nothing'}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.arrivals.off('call', check);
      };
      this.arrivals.on('call', check);
      check();
    });
  }
}
