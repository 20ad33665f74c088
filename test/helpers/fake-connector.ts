import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in Bot Connector on 127.0.0.1: records what the bot sends (new activities, replies, updates) and
// answers at once, as the real connector does. It can be told to fail.

export interface ConnectorCall {
  method: 'POST' | 'PUT';
  conversationId: string;
  /** For replies: the activity replied to; for updates: the activity replaced. */
  activityId?: string;
  activity: Record<string, any>;
  /** The id the connector gave the activity it answered (the thread of a channel post). */
  answered?: string;
}

export class FakeConnector {
  calls: ConnectorCall[] = [];
  /** Conversations created (POST /v3/conversations): the id answered and the parameters sent. */
  created: { id: string; parameters: Record<string, any> }[] = [];
  private failures: { method: string; status: number; times: number }[] = [];
  private hanging = false;
  /** Requests received while hanging: held open, never answered (until stop). */
  held = 0;
  private server: Server;
  private n = 0;
  url = '';

  /** `record: false` keeps no history (benchmarks and soak runs). */
  constructor(private readonly options: { record?: boolean } = {}) {
    this.server = createServer((req, res) => {
      if (this.hanging) {
        this.held++;
        return;
      }
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && /^\/v3\/conversations\/?(\?|$)/.test(req.url ?? '')) {
          // Create conversation (a proactive message to someone with no chat with the bot yet).
          const failure = this.failures.find((f) => f.method === 'CREATE');
          if (failure) {
            if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
            res.writeHead(failure.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ServiceError', message: 'injected' } }));
            return;
          }
          const parameters = raw ? JSON.parse(raw) : {};
          const id = `a:created-${++this.n}`;
          if (this.options.record !== false) this.created.push({ id, parameters });
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id, activityId: `act-${this.n}` }));
          return;
        }
        const m = (req.url ?? '').match(/^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/);
        if (!m) {
          res.writeHead(404).end();
          return;
        }
        const failure = this.failures.find((f) => f.method === req.method);
        if (failure) {
          if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
          res.writeHead(failure.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ServiceError', message: 'injected' } }));
          return;
        }
        const answered = `act-${++this.n}`;
        if (this.options.record !== false) this.calls.push({
          method: req.method as 'POST' | 'PUT',
          conversationId: decodeURIComponent(m[1]!),
          ...(m[2] ? { activityId: decodeURIComponent(m[2]) } : {}),
          activity: raw ? JSON.parse(raw) : {},
          answered,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: answered }));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` requests of `method` fail with `status` (CREATE: POST /v3/conversations). */
  fail(method: 'POST' | 'PUT' | 'CREATE', status: number, times = 1): void {
    this.failures.push({ method, status, times });
  }

  /** From now on, accept every request and never answer it: a connector that has stopped responding. */
  hang(): void {
    this.hanging = true;
  }

  reset(): void {
    this.calls = [];
    this.created = [];
    this.failures = [];
    this.hanging = false;
    this.held = 0;
  }

  /** The Adaptive Cards in what the bot sent. */
  static cards(call: ConnectorCall): Record<string, any>[] {
    return (call.activity.attachments ?? []).filter((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a: any) => a.content);
  }
}
