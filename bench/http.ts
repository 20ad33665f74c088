import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sign } from '../test/helpers/slack-client.ts';

// Loopback HTTP benchmarks: each server in its own process, autocannon in this one, side by side in one run.

export const BENCH_SECRET = 'bench-signing-secret-0123456789';

/** The questions every Slack and Teams run rotates through. */
export const QUESTIONS = [
  'can we do video calls on the api?',
  'how many messages per second with coexistence',
  'is chat history imported',
  'green tick for app numbers',
  'kya group chat chalega api pe',
  'what happens if the phone is off for two weeks',
  'do we pay for messages sent from the app',
  'whatsapp web still works?',
];

export interface HttpResult {
  name: string;
  requestsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  startupMs: number;
  peakRssMb: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Server CPU time (user + system) per request: steadier than req/s on a shared, noisy machine. */
  cpuUsPerRequest: number;
}

export interface Server {
  child: ChildProcess;
  url: string;
  /** The management port (GET /readyz, /metrics) when the server has one; otherwise the same as url. */
  managementUrl: string;
  connectorUrl: string;
  startupMs: number;
}

/** Starts the fake Bot Connector in its own process; its URL goes to the servers through BENCH_CONNECTOR_URL. */
export async function spawnConnector(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./connector.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
  process.env.BENCH_CONNECTOR_URL = url;
  return child;
}

export async function spawnServer(script: string, kind: string, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [kind, ...(options.args ?? [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  const ready = await new Promise<{ url: string; managementUrl?: string; connectorUrl: string; startupMs: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; managementUrl?: string; connectorUrl: string; startupMs: number }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before listening`)));
  });
  return { child, ...ready, managementUrl: ready.managementUrl ?? ready.url };
}

/** Asks a server to stop cleanly (servers.ts 'stop': a store writes what is queued and closes) and waits for it to exit. */
export async function stopServer<T extends object = Record<string, never>>(server: Server): Promise<T> {
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  const reply = new Promise<T>((resolve) => server.child.on('message', (m) => (m as { stopped?: boolean }).stopped && resolve(m as T)));
  server.child.send('stop');
  const counts = await reply;
  await exited;
  return counts;
}

export async function stats(server: Server): Promise<{ peakRssMb: number; cpuUs: number }> {
  const reply = new Promise<{ peakRssMb: number; cpuUs: number }>((resolve) => server.child.once('message', (m) => resolve(m as { peakRssMb: number; cpuUs: number })));
  server.child.send('stats');
  return reply;
}

export function signedSlashCommand(text: string) {
  const body = new URLSearchParams({
    command: '/coexist-vs-api',
    text,
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U1',
    response_url: 'http://127.0.0.1:9/response',
    trigger_id: 't',
    token: 'legacy',
  }).toString();
  return { method: 'POST' as const, path: '/slack/events', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(BENCH_SECRET, body) } };
}

/** A Teams message activity for /api/messages, replying through the server's own fake connector. */
export function teamsMessage(server: Server, text: string) {
  const body = JSON.stringify({
    type: 'message',
    id: 'bench-1',
    serviceUrl: server.connectorUrl,
    channelId: 'msteams',
    from: { id: '29:bench', name: 'Bench' },
    conversation: { id: 'a:bench', conversationType: 'personal' },
    recipient: { id: '28:bot', name: 'Bot' },
    text,
  });
  return { method: 'POST' as const, path: '/api/messages', body, headers: { 'content-type': 'application/json' } };
}

export async function load(name: string, server: Server, requests: { method: 'POST'; path: string; body: string; headers: Record<string, string> }[], options: { connections: number; seconds: number }): Promise<HttpResult> {
  const before = await stats(server);
  const result = await autocannon({
    url: server.url,
    connections: options.connections,
    duration: options.seconds,
    requests,
  });
  const after = await stats(server);
  const total = result.requests.total || 1;
  return {
    name,
    requestsPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ok: result['2xx'],
    startupMs: server.startupMs,
    peakRssMb: after.peakRssMb,
    cpuUsPerRequest: Math.round((after.cpuUs - before.cpuUs) / total),
  };
}

export function printHttp(title: string, rows: HttpResult[]): void {
  console.log(`\n${title}`);
  console.log('server                      req/s   p50 ms   p99 ms   max ms  errors  non2xx  CPU µs/req  start ms  peak RSS MB');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(24)}${String(r.requestsPerSec).padStart(8)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.max).padStart(9)}${String(r.errors).padStart(8)}${String(r.non2xx).padStart(8)}${String(r.cpuUsPerRequest).padStart(12)}${String(r.startupMs).padStart(10)}${String(r.peakRssMb).padStart(13)}`,
    );
  }
}
