import { createServer, connect, type Server, type Socket } from 'node:net';

// A TCP proxy on 127.0.0.1 in front of a real server (the machine's PostgreSQL), that a test controls: forward,
// stall (hold every byte both ways, as a network partition does: nothing is refused, nothing arrives), reset the
// connections it carries (TCP RST, as a middlebox that gave up on them), or refuse new ones. The machine's
// PostgreSQL itself is never stopped or touched.

export type ProxyMode = 'forward' | 'stall' | 'refuse';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while stalled, per direction, delivered on resume(). */
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private mode: ProxyMode = 'forward';
  /** Connections accepted since the start (refused ones included). */
  accepted = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A postgres:// URL with its host and port replaced by the proxy's. */
  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port || 5432));
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server!.address() as { port: number }).port;
  }

  /** `url` pointed at the proxy. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Connections open through the proxy now. */
  get open(): number {
    return this.pairs.size;
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, held: { toUpstream: [], toClient: [] } };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'stall') pair.held.toUpstream.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'stall') pair.held.toClient.push(chunk);
      else client.write(chunk);
    });
  }

  /** Holds every byte, both ways, on every connection; new connections are accepted and held too. */
  stall(): void {
    this.mode = 'stall';
  }

  /** New connections are reset at once (a database that refuses); open ones are left as they are. */
  refuse(): void {
    this.mode = 'refuse';
  }

  /** Forwards again, first delivering what was held. */
  resume(): void {
    this.mode = 'forward';
    for (const pair of this.pairs) {
      for (const chunk of pair.held.toUpstream.splice(0)) pair.upstream.write(chunk);
      for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
    }
  }

  /** Resets every connection the proxy carries (RST to the client, the upstream side closed). Returns how many. */
  reset(): number {
    const n = this.pairs.size;
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    return n;
  }

  async stop(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
