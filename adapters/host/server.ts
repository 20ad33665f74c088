import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Knowledge } from '../../src/index.ts';
import type { SlackFace } from '../slack/app.ts';
import { signatureHeaderProblem } from '../slack/guard.ts';
import { SLACK_LIMITS } from '../slack/limits.ts';
import { TEAMS_LIMITS } from '../teams/limits.ts';
import type { Config } from './config.ts';
import { CapWarning, ConnectionCap, openFileLimit } from './connections.ts';
import { BodyBudget, hasBearerToken, HttpError, noteRequest, refuseIfDeclaredTooLarge, refuseUnread, requestNote, sendJson } from './http.ts';
import { HOST_LIMITS, type HostLimits } from './limits.ts';
import type { Metrics } from './metrics.ts';

// The one process that hosts both platforms on one port (PORT, the public one):
//   POST /slack/events  → Slack (Bolt's HTTP receiver)
//   POST /api/messages  → Teams (Bot Framework)
//   GET  /healthz       → liveness and what is on
// and the operations endpoints on a port of their own (MANAGEMENT_PORT, on loopback unless MANAGEMENT_HOST):
//   GET  /healthz       → the same liveness
//   GET  /readyz        → readiness: 200 when the store answers (and Slack, when on), 503 when not
//   GET  /metrics       → Prometheus text
// (With MANAGEMENT_PORT set to PORT they are served on the public port instead, and there is no second server.)
// /readyz and /metrics are not on the public port by default: a separate port can be kept off the ingress (and bound to
// loopback or the pod network), which a token could not do without ending up in URLs, logs and scrape configs.
// The host owns the HTTP servers so it can cap bodies, give every request an id, log it, and shut down cleanly.
//
// Bounded per client and in total (limits.ts says why each value): a connection cap that sheds the connection
// idle longest (connections.ts); headers within 5 s and the whole request within 10 s; and before any body is
// read, a platform request must carry its credentials' header (a well-formed Slack signature; Bot Framework's
// `Authorization: Bearer` outside local mode), declare no more than its endpoint's cap, and fit in the total of
// body bytes in flight. Each refusal is answered at once and the connection closed, unread.

export interface TeamsFace {
  /** Handles one POST /api/messages. */
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void>;
  drain(): Promise<void>;
}

/** What the host needs of the Slack face (the face itself, or start.ts's stand-in while Bolt loads). */
export type HostSlack = Pick<SlackFace, 'requestListener' | 'drain' | 'stop'>;

export interface HostOptions {
  config: Config;
  knowledge: Knowledge;
  logger: Logger;
  slack?: HostSlack;
  teams?: TeamsFace;
  /** How long stop() waits for work in flight before closing what is left. */
  drainMs?: number;
  /** For GET /readyz: whether the store answers. Without it, /readyz says ready once listening. */
  readiness?: () => Promise<{ ready: boolean; store: string; slack?: string; reason?: string }>;
  metrics?: Metrics;
  /** Overrides for the host's timeouts and caps (tests use short ones); MAX_CONNECTIONS and MAX_BODY_BYTES_IN_FLIGHT come from the config. */
  limits?: Partial<HostLimits>;
}

export interface RunningHost {
  server: Server;
  /** A URL that reaches the server from this machine (127.0.0.1 when bound to every interface). */
  url: string;
  /** The URL of the address actually bound, as the operator should read it in the log. */
  boundUrl: string;
  /** The address actually bound: `127.0.0.1`, `::`, `0.0.0.0`, … */
  address: string;
  port: number;
  /** A URL that reaches the management port from this machine: GET /healthz, /readyz, /metrics. */
  managementUrl: string;
  /** The URL of the management address actually bound, as the operator should read it in the log. */
  managementBoundUrl: string;
  /** Stops accepting, waits for work in flight up to the drain deadline, then closes every connection. */
  stop(): Promise<void>;
}

const DEFAULT_DRAIN_MS = 10_000;

/** MANAGEMENT_PORT could not be opened (in use, or MANAGEMENT_HOST not an address here): an operator's fix. */
export class ManagementPortError extends Error {}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { config, knowledge, logger, slack, teams, metrics, readiness } = options;
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  const started = Date.now();
  let stopping = false;
  // Request ids: unique per process start, then a counter (cheaper than a UUID per request, and sortable).
  const bootId = randomUUID().slice(0, 8);
  let served = 0;
  const limits: HostLimits = { ...HOST_LIMITS, maxConnections: config.http.maxConnections, maxBodyBytesInFlight: config.http.maxBodyBytesInFlight, ...options.limits };
  const bodies = new BodyBudget(limits.maxBodyBytesInFlight);
  const bodyWarning = new CapWarning(
    logger,
    limits.capLogIntervalMs,
    `request bodies in flight reached MAX_BODY_BYTES_IN_FLIGHT (${limits.maxBodyBytesInFlight} bytes): refusing more with 503 until some are answered; a summary at most once a minute while it lasts`,
    'requests refused at MAX_BODY_BYTES_IN_FLIGHT since the last line',
  );
  const credentialsWarning = new CapWarning(
    logger,
    limits.capLogIntervalMs,
    'platform request without its credentials header refused (401) before its body was read: a Slack request needs x-slack-signature and x-slack-request-timestamp, a Teams request Authorization: Bearer; further ones are summed up at most once a minute',
    'platform requests without credentials headers refused since the last line',
  );
  /** Requests refused before their body (no credentials header, no room in flight): counted and summed up by a CapWarning, one debug line each. */
  const shedding = new WeakSet<ServerResponse>();

  /** Before the body is read: the endpoint's cap, then the total in flight. True when the request may be read. */
  function admitBody(req: IncomingMessage, res: ServerResponse, cap: number): boolean {
    if (refuseIfDeclaredTooLarge(req, res, cap)) {
      metrics?.bodyRefused('too_large');
      return false;
    }
    if (bodies.admit(req, res, cap)) return true;
    metrics?.bodyRefused('in_flight');
    noteRequest(req, { overload: true });
    bodyWarning.hit('refused', { maxBodyBytesInFlight: limits.maxBodyBytesInFlight, inFlight: bodies.inFlight });
    shedding.add(res);
    refuseUnread(res, 503, { error: 'Too many requests in progress; retry shortly.' }, { 'retry-after': String(limits.retryAfterSeconds) });
    return false;
  }

  function refuseWithoutCredentials(res: ServerResponse, platform: 'slack' | 'teams', error: string): void {
    metrics?.bodyRefused('unauthenticated');
    credentialsWarning.hit(platform, { platform });
    shedding.add(res);
    refuseUnread(res, 401, { error });
  }

  function intoSlack(req: IncomingMessage, res: ServerResponse, listener: NonNullable<HostSlack['requestListener']>): void {
    if (signatureHeaderProblem(req.headers, SLACK_LIMITS.maxUnsignedBytes)) {
      refuseWithoutCredentials(res, 'slack', 'Unauthorized: Slack requests carry x-slack-signature and x-slack-request-timestamp.');
      return;
    }
    if (admitBody(req, res, SLACK_LIMITS.maxRequestBytes)) listener(req, res);
  }

  const server = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckMs }, (req, res) => {
    const t0 = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `${bootId}-${(++served).toString(36)}`;
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    res.on('finish', () => {
      if (metrics && (path === '/slack/events' || path === '/api/messages')) {
        metrics.http(path === '/slack/events' ? 'slack' : 'teams', res.statusCode, (performance.now() - t0) / 1000, requestNote(req));
      }
      // Platform requests that succeed are logged once, by the face that handled them (with what they were
      // about); the host adds its own line for everything else: refusals, errors, other paths.
      // /readyz's 503s too: readiness is logged once per change (start.ts), not per probe.
      const quiet = shedding.has(res) || path === '/readyz' || (res.statusCode < 400 && (path === '/healthz' || path === '/metrics' || path === '/slack/events' || path === '/api/messages'));
      // A 503 with Retry-After is a refusal to retry shortly (overload, sign-in unreachable), logged once by
      // whoever refused it; per request it is information, not an error.
      const refusal = res.statusCode === 503 && res.hasHeader('retry-after');
      const level = quiet ? 'debug' : res.statusCode >= 500 && !refusal ? 'error' : 'info';
      if (logger.isLevelEnabled(level)) logger[level]({ requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - t0) }, 'http');
    });
    if (stopping) {
      sendJson(res, 503, { error: 'Shutting down; retry shortly.' }, { connection: 'close' });
      return;
    }
    // The Slack path is the hot one (and must ack within 3 s): handed over synchronously.
    if (path === '/slack/events' && req.method === 'POST' && slack?.requestListener) {
      intoSlack(req, res, slack.requestListener);
      return;
    }
    route(req, res, path ?? '/', requestId).catch((err: unknown) => {
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
      else {
        logger.error({ requestId, err }, 'request failed');
        sendJson(res, 500, { error: 'Internal error; it has been logged.' });
      }
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    if (path === '/healthz') return healthz(req, res);
    if (config.management.shared && (path === '/readyz' || path === '/metrics')) return manage(req, res, path);
    if (path === '/slack/events') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'Use POST.' }, { allow: 'POST' });
      if (!slack?.requestListener) {
        return sendJson(res, 404, { error: 'Slack over HTTP is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and no SLACK_APP_TOKEN).' });
      }
      intoSlack(req, res, slack.requestListener);
      return;
    }
    if (path === '/api/messages') {
      if (!teams) return sendJson(res, 404, { error: 'Teams is off.' });
      // Agents Playground (and other tools) probe the endpoint with HEAD before they start: it is there.
      if (req.method === 'HEAD') {
        res.writeHead(200, { allow: 'POST, HEAD' }).end();
        return;
      }
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'Use POST.' }, { allow: 'POST, HEAD' });
      if (config.teams.auth === 'bot-framework' && !hasBearerToken(req.headers.authorization)) {
        return refuseWithoutCredentials(res, 'teams', 'Unauthorized: a valid Bot Framework token is required.');
      }
      if (!admitBody(req, res, TEAMS_LIMITS.maxRequestBytes)) return;
      await teams.handle(req, res, requestId);
      return;
    }
    sendJson(res, 404, { error: 'Not found. Endpoints: POST /slack/events, POST /api/messages, GET /healthz (GET /readyz and /metrics are on MANAGEMENT_PORT).' });
  }

  function healthz(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' }, { allow: 'GET' });
    sendJson(res, 200, {
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      slack: config.slack.mode,
      teams: teams ? config.teams.auth : 'off',
      // Which knowledge, never where it lives: a path tells an outsider about the machine.
      knowledge: { source: config.knowledgeFile ? 'file' : 'built-in', topics: knowledge.topics.length },
    });
  }

  /** The management port: probes and the metrics scraper. No bodies are read; anything else is 404. */
  async function manage(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/healthz') return healthz(req, res);
    if (path === '/readyz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Use GET.' }, { allow: 'GET' });
      // Shutting down: not ready, so a load balancer stops sending while requests in flight finish.
      if (stopping) return sendJson(res, 503, { status: 'not ready', problem: 'shutting down' });
      if (!readiness) return sendJson(res, 200, { status: 'ready' });
      const r = await readiness();
      // Why it is not ready goes to the log (rate-limited by the store), not to the caller: it can name hosts.
      const problem = r.slack === 'not connected' ? 'Slack could not be reached yet; see the log' : 'the store does not answer; see the log';
      return sendJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', store: r.store, ...(r.slack ? { slack: r.slack } : {}), ...(r.ready ? {} : { problem }) });
    }
    if (path === '/metrics') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'Use GET.' }, { allow: 'GET' });
      if (!metrics) return sendJson(res, 404, { error: 'Metrics are off.' });
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    sendJson(res, 404, { error: 'Not found. Management endpoints: GET /healthz, GET /readyz, GET /metrics.' });
  }

  const management = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckMs }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('finish', () => {
      // Probes and scrapes are logged at debug; a failure at info or error (readiness itself is logged once per change).
      const level = res.statusCode < 400 || path === '/readyz' ? 'debug' : res.statusCode >= 500 ? 'error' : 'info';
      if (logger.isLevelEnabled(level)) logger[level]({ method: req.method, path, status: res.statusCode, port: 'management' }, 'http');
    });
    manage(req, res, path).catch((err: unknown) => {
      logger.error({ err }, 'management request failed');
      sendJson(res, 500, { error: 'Internal error; it has been logged.' });
    });
  });
  management.maxConnections = limits.managementMaxConnections;
  management.keepAliveTimeout = limits.keepAliveTimeoutMs;

  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const connections = new ConnectionCap({ max: limits.maxConnections, log: logger, logIntervalMs: limits.capLogIntervalMs, ...(metrics ? { onShed: (reason) => metrics.connectionShed(reason) } : {}) });
  connections.attach(server);
  metrics?.watchHttp(() => ({ connections: connections.open, bodyBytes: bodies.inFlight }));
  const fileLimit = openFileLimit();
  if (fileLimit !== undefined && limits.maxConnections + limits.descriptorReserve > fileLimit) {
    logger.warn(
      { maxConnections: limits.maxConnections, openFileLimit: fileLimit },
      `MAX_CONNECTIONS (${limits.maxConnections}) leaves fewer than ${limits.descriptorReserve} of the ${fileLimit} open files (ulimit -n) for the rest: a connection flood could take them all before the cap sheds any. Lower MAX_CONNECTIONS or raise the limit`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!config.management.shared) {
    try {
      await new Promise<void>((resolve, reject) => {
        management.once('error', reject);
        management.listen(config.management.port, config.management.host, () => {
          management.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // The public server is already up: close it, and say which port and variable.
      server.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new ManagementPortError(`the management port could not be opened on ${config.management.host}:${config.management.port} (${code ?? (err as Error).message}): set MANAGEMENT_PORT to a free port${code === 'EADDRNOTAVAIL' ? ' and MANAGEMENT_HOST to an address of this machine' : ''}`);
    }
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const everywhere = address.address === '::' || address.address === '0.0.0.0';
  const mAddress = config.management.shared ? address : (management.address() as AddressInfo);
  const mHost = mAddress.family === 'IPv6' ? `[${mAddress.address}]` : mAddress.address;
  const mEverywhere = mAddress.address === '::' || mAddress.address === '0.0.0.0';
  let stopped: Promise<void> | undefined;

  return {
    server,
    port: address.port,
    address: address.address,
    boundUrl: `http://${host}:${address.port}`,
    url: `http://${everywhere ? '127.0.0.1' : host}:${address.port}`,
    managementBoundUrl: `http://${mHost}:${mAddress.port}`,
    managementUrl: `http://${mEverywhere ? '127.0.0.1' : mHost}:${mAddress.port}`,
    stop() {
      stopped ??= (async () => {
        // Stop accepting, let requests in flight finish (and the work they started) until the deadline, then
        // close whatever is left: a shutdown never waits on a peer that does not answer.
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => resolve('deadline'), drainMs);
          timer.unref();
        });
        const drained = (async () => {
          await Promise.all([slack?.drain(), teams?.drain()]);
          await slack?.stop();
          await closed;
          return 'drained' as const;
        })();
        const outcome = await Promise.race([drained, deadline]);
        clearTimeout(timer);
        if (outcome === 'deadline') logger.warn({ drainMs }, 'shutdown deadline reached: closing the connections still open');
        server.closeAllConnections();
        if (management.listening) {
          management.closeAllConnections();
          await new Promise<void>((resolve) => management.close(() => resolve()));
        }
        connections.stop();
        bodyWarning.stop();
        credentialsWarning.stop();
      })();
      return stopped;
    },
  };
}
