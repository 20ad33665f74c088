import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A web server on 127.0.0.1 standing in for the pages cited in sources.yml: each path answers with what the test
// set (a page, a status, a redirect, or a handler of its own), and every request is kept (path and headers).

export type PageHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FakePage {
  body: string;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Headers added to the answer (e.g. set-cookie). */
  headers?: Record<string, string>;
}

export class FakePages {
  readonly requests: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  private readonly routes = new Map<string, FakePage | PageHandler>();
  private readonly server = http.createServer((req, res) => this.serve(req, res));
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  async start(): Promise<this> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** What `path` answers from now on. */
  set(path: string, page: FakePage | PageHandler): void {
    this.routes.set(path, page);
  }

  requestsTo(path: string) {
    return this.requests.filter((r) => r.path === path);
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push({ path, headers: req.headers });
    const route = this.routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'function') return route(req, res);
    // Conditional requests, as a web server answers them.
    if ((route.etag && req.headers['if-none-match'] === route.etag) || (!route.etag && route.lastModified && req.headers['if-modified-since'] === route.lastModified)) {
      res.writeHead(304, { ...(route.etag ? { etag: route.etag } : {}) }).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': route.contentType ?? 'text/html; charset=utf-8',
        ...(route.etag ? { etag: route.etag } : {}),
        ...(route.lastModified ? { 'last-modified': route.lastModified } : {}),
        ...route.headers,
      })
      .end(route.body);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A page as Meta's documentation pages look, reduced: a title, an "Updated" meta tag, text, and a script with a nonce. */
export function docPage(o: { title: string; text: string; modified?: string; nonce?: string; spacing?: string }): string {
  const sp = o.spacing ?? '';
  return `<!doctype html><html><head><title>${o.title}</title>${o.modified ? `<meta property="article:modified_time" content="${o.modified}">` : ''}
<script nonce="${o.nonce ?? 'n1'}">window.__build="${o.nonce ?? 'n1'}";</script><style>.a{color:red}</style></head>
<body><h1>${sp}${o.title}${sp}</h1><p>${sp}${o.text}${sp}</p></body></html>`;
}
