import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

// The connection cap. Node's own `server.maxConnections` closes the NEWEST connection at the cap, so a few
// thousand half-open (slowloris) connections would lock everyone else out until they time out. Here the cap is
// kept by closing the connection idle longest instead: one with no request in progress (headers never finished,
// or a keep-alive with nothing to do). A connection with a request in progress is never closed for the cap; when
// every connection has one, the new connection is closed. Each shed connection is counted (a metric); a warning
// is logged when the cap is first reached, then at most one summary per interval while it keeps being reached
// (CapWarning, also used for the body budget).

export type ShedReason = 'idle_closed' | 'refused';

export interface ConnectionCapOptions {
  max: number;
  log: Logger;
  logIntervalMs: number;
  onShed?: (reason: ShedReason) => void;
}

export class ConnectionCap {
  /** Connections with no request in progress, oldest activity first (a Map keeps insertion order). */
  private readonly idle = new Map<Socket, true>();
  /** Requests in progress per connection (more than one only with pipelining). */
  private readonly busy = new Map<Socket, number>();
  private readonly counted = new WeakSet<Socket>();
  open = 0;
  private readonly warning: CapWarning;

  constructor(private readonly options: ConnectionCapOptions) {
    this.warning = new CapWarning(
      options.log,
      options.logIntervalMs,
      `connection cap reached (MAX_CONNECTIONS=${options.max}): closing the connections idle longest to make room; a summary at most once a minute while it lasts`,
      'connections shed at the cap (MAX_CONNECTIONS) since the last line',
    );
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.connected(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.requested(req.socket, res));
  }

  private connected(socket: Socket): void {
    this.open++;
    this.counted.add(socket);
    this.idle.set(socket, true);
    socket.once('close', () => this.forget(socket));
    if (this.open > this.options.max) this.shed(socket);
  }

  private forget(socket: Socket): void {
    if (!this.counted.has(socket)) return;
    this.counted.delete(socket);
    this.open--;
    this.idle.delete(socket);
    this.busy.delete(socket);
  }

  private requested(socket: Socket, res: ServerResponse): void {
    if (!this.counted.has(socket)) return;
    this.idle.delete(socket);
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.busy.get(socket) ?? 1) - 1;
      if (left > 0) return void this.busy.set(socket, left);
      this.busy.delete(socket);
      // Back in line as the most recently active.
      if (this.counted.has(socket) && !socket.destroyed) this.idle.set(socket, true);
    });
  }

  private shed(newest: Socket): void {
    let victim: Socket | undefined;
    for (const s of this.idle.keys()) {
      if (s !== newest) {
        victim = s;
        break;
      }
    }
    const reason: ShedReason = victim ? 'idle_closed' : 'refused';
    const closing = victim ?? newest;
    this.forget(closing);
    closing.destroy();
    this.options.onShed?.(reason);
    this.report(reason);
  }

  private report(reason: ShedReason): void {
    this.warning.hit(reason === 'idle_closed' ? 'idleClosed' : 'refused', { maxConnections: this.options.max, open: this.open });
  }

  stop(): void {
    this.warning.stop();
  }
}

/**
 * A warning for a cap that is hit in bursts: one line the first time, then at most one summary per interval with
 * how many times each kind of hit happened since the previous line. Never a line per request.
 */
export class CapWarning {
  private warned = false;
  private lastLog = 0;
  private counts: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly first: string,
    private readonly again: string,
  ) {}

  hit(kind: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (!this.warned) {
      this.warned = true;
      this.lastLog = now;
      this.log.warn(fields, this.first);
      return;
    }
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastLog = Date.now();
      const counts = this.counts;
      this.counts = {};
      this.log.warn({ ...fields, ...counts }, this.again);
    }, Math.max(0, this.lastLog + this.intervalMs - now));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The process's open-file limit (soft), on Linux; undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}
