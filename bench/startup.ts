import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FakeSlack } from '../test/helpers/fake-slack.ts';

// Start-up time and idle memory of the compiled product, against a bare node:http server in the same run.
// Every server is a fresh process, measured from the outside: time from spawn() to the first HTTP answer on
// GET /healthz (polled every 5 ms on 127.0.0.1), then to the first 200 from GET /readyz on the management port
// (store open, Slack connected: when a load balancer would send traffic), then resident memory read from /proc
// after a quiet second.
// Rounds alternate between the servers, so drift on the shared machine touches all of them alike.
// BENCH_STARTUP_ROUNDS (default 7), BENCH_SETTLE_MS (default 1000), BENCH_IMPORTS=0 skips the import table.
// BENCH_CHILD_ENV adds variables to every measured server (bare included), for what-if runs, e.g.
// BENCH_CHILD_ENV='NODE_COMPILE_CACHE=/tmp/cc NODE_OPTIONS=--max-semi-space-size=4' (space-separated KEY=VALUE).
// BENCH_STARTUP_BEFORE=/path/to/another/checkout (built, with node_modules) adds its local-mode and Slack + Teams servers
// as "… (before)" rows to the same alternating rounds: before and after measured in one run, under the same load.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist/adapters/host/main.js');
const POLL_MS = 5;

/** The goals of issue 22, above a bare node:http server in the same run: local mode (Teams only), and Slack + Teams. */
export const STARTUP_GOALS = {
  local: { extraMs: 300, extraRssMb: 60 },
  slackAndTeams: { extraMs: 400, extraRssMb: 80 },
} as const;
/** Issue 8's goal, kept for the rows issue 22 set none for. */
export const STARTUP_GOAL = { extraMs: 400, extraRssMb: 60 };

// The baseline: node:http answering GET /healthz with a small JSON body, nothing else loaded.
const BARE_SERVER = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"status":"ok"}'); }).listen(Number(process.env.PORT), '127.0.0.1');`;

interface Subject {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** npm start: the measured pid is npm's, so no RSS (npm and node together would not compare). */
  viaNpm?: boolean;
  /** Checks the /healthz answer, so a stray .env or a changed default cannot measure the wrong configuration. */
  check?: (health: Record<string, unknown>) => string | undefined;
  /** Has a management port whose /readyz is timed too. */
  ready?: boolean;
  goal?: { extraMs: number; extraRssMb: number };
}

interface Sample {
  startMs: number;
  /** To the first 200 from /readyz on the management port. */
  readyMs?: number;
  rssMb?: number;
  peakRssMb?: number;
}

export interface StartupRow {
  name: string;
  rounds: number;
  startMs: number;
  startMinMs: number;
  startMaxMs: number;
  readyMs?: number;
  rssMb?: number;
  peakRssMb?: number;
  problem?: string;
}

export interface StartupReport {
  rows: StartupRow[];
  /** Each row's goal (issue 22's where it set one, else issue 8's). */
  goals: Map<string, { extraMs: number; extraRssMb: number }>;
  bare: StartupRow;
  summary: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function probe(port: number, path = '/healthz'): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/** Resident and peak resident memory of a process, from /proc (Linux); ps where there is no /proc. */
function memoryOf(pid: number): { rssMb: number; peakRssMb?: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1]);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
    const kb = Number(ps.stdout.trim());
    return Number.isFinite(kb) && kb > 0 ? { rssMb: kb / 1024 } : undefined;
  }
}

async function stop(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (s: NodeJS.Signals) => {
    try {
      if (group && child.pid) process.kill(-child.pid, s);
      else child.kill(s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function startOnce(subject: Subject, settleMs: number): Promise<Sample> {
  const port = await freePort();
  const managementPort = await freePort();
  const started = performance.now();
  const child = spawn(subject.command, subject.args, {
    cwd: subject.cwd,
    env: { ...subject.env, PORT: String(port), MANAGEMENT_PORT: String(managementPort) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: subject.viaNpm === true, // its own process group, so npm and the node under it stop together
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    let answer: { status: number; body: string } | undefined;
    while (!answer) {
      if (exited) throw new Error(`${subject.name} exited before answering: ${stderr.trim().slice(0, 600)}`);
      if (performance.now() - started > 30_000) throw new Error(`${subject.name} did not answer within 30 s`);
      answer = await probe(port);
      if (!answer) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const startMs = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${subject.name}: GET /healthz answered ${answer.status}`);
    const problem = subject.check?.(JSON.parse(answer.body) as Record<string, unknown>);
    if (problem) throw new Error(`${subject.name}: ${problem}`);
    let readyMs: number | undefined;
    if (subject.ready) {
      while ((await probe(managementPort, '/readyz'))?.status !== 200) {
        if (exited) throw new Error(`${subject.name} exited before it was ready: ${stderr.trim().slice(0, 600)}`);
        if (performance.now() - started > 30_000) throw new Error(`${subject.name} was not ready within 30 s`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      readyMs = performance.now() - started;
    }
    if (subject.viaNpm) return { startMs, ...(readyMs !== undefined ? { readyMs } : {}) };
    await new Promise((r) => setTimeout(r, settleMs));
    const memory = child.pid ? memoryOf(child.pid) : undefined;
    return { startMs, ...(readyMs !== undefined ? { readyMs } : {}), ...(memory ?? {}) };
  } finally {
    await stop(child, subject.viaNpm === true);
  }
}

function subjects(slackApiUrl: string, cwd: string): Subject[] {
  // A clean environment: nothing from the caller's shell or a .env file (cwd is an empty folder) leaks in; the
  // embedded store lives in that folder too (npm start included), and goes with it.
  const extra = Object.fromEntries((process.env.BENCH_CHILD_ENV ?? '').split(/\s+/).filter((kv) => kv.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const base: Record<string, string> = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: path.join(cwd, 'data'), ...extra };
  const slack = { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789', SLACK_API_URL: slackApiUrl };
  const expect = (slackMode: string, teams: string) => (h: Record<string, unknown>) =>
    h.slack === slackMode && h.teams === teams ? undefined : `expected slack=${slackMode} teams=${teams}, /healthz says slack=${String(h.slack)} teams=${String(h.teams)}`;
  const before = process.env.BENCH_STARTUP_BEFORE;
  const beforeMain = before ? path.resolve(before, 'dist/adapters/host/main.js') : undefined;
  if (beforeMain && !existsSync(beforeMain)) throw new Error(`BENCH_STARTUP_BEFORE: ${beforeMain} does not exist (run npm run build there)`);
  return [
    { name: 'bare node:http', command: process.execPath, args: ['-e', BARE_SERVER], env: base, cwd },
    ...(beforeMain
      ? [
          { name: 'local mode (before)', command: process.execPath, args: [beforeMain], env: base, cwd, check: expect('off', 'local'), ready: true, goal: STARTUP_GOALS.local },
          { name: 'Slack + Teams (before)', command: process.execPath, args: [beforeMain], env: { ...base, ...slack }, cwd, check: expect('http', 'local'), ready: true, goal: STARTUP_GOALS.slackAndTeams },
        ]
      : []),
    { name: 'product, local mode (Teams only)', command: process.execPath, args: [MAIN], env: base, cwd, check: expect('off', 'local'), ready: true, goal: STARTUP_GOALS.local },
    { name: 'product, Slack + Teams', command: process.execPath, args: [MAIN], env: { ...base, ...slack }, cwd, check: expect('http', 'local'), ready: true, goal: STARTUP_GOALS.slackAndTeams },
    { name: 'product, Slack only', command: process.execPath, args: [MAIN], env: { ...base, ...slack, TEAMS_ENABLED: 'false' }, cwd, check: expect('http', 'off'), ready: true },
    // What a developer types: npm itself, the prestart build check (a no-op when dist/ is current), then node.
    { name: 'npm start, local mode', command: 'npm', args: ['start', '--silent'], env: { ...base, npm_config_update_notifier: 'false' }, cwd: ROOT, viaNpm: true, check: expect('off', 'local') },
  ];
}

export async function benchStartup(): Promise<StartupReport> {
  const rounds = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
  const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 1000);
  const build = spawnSync(process.execPath, [path.join(ROOT, 'bin/build.js'), '--if-stale'], { stdio: 'inherit' });
  if (!existsSync(MAIN)) throw new Error('bench: dist/ could not be built (see above)');
  if (build.status !== 0) console.log('bench: the build failed (see above); measuring the dist/ already there, which is older than the sources');

  const fake = await new FakeSlack({ record: false }).start();
  const empty = mkdtempSync(path.join(tmpdir(), 'coexist-bench-'));
  try {
    const list = subjects(fake.apiUrl, empty);
    const samples = new Map<Subject, Sample[]>(list.map((s) => [s, []]));
    const problems = new Map<Subject, string>();
    // Round 0 warms the file cache and is not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const subject of list) {
        if (problems.has(subject)) continue;
        try {
          const sample = await startOnce(subject, settleMs);
          if (round > 0) samples.get(subject)!.push(sample);
        } catch (err) {
          problems.set(subject, (err as Error).message);
        }
      }
    }
    const rows: StartupRow[] = list.map((s) => {
      const xs = samples.get(s)!;
      const starts = xs.map((x) => x.startMs);
      const readies = xs.flatMap((x) => (x.readyMs === undefined ? [] : [x.readyMs]));
      const rss = xs.flatMap((x) => (x.rssMb === undefined ? [] : [x.rssMb]));
      const peak = xs.flatMap((x) => (x.peakRssMb === undefined ? [] : [x.peakRssMb]));
      return {
        name: s.name,
        rounds: xs.length,
        startMs: xs.length ? median(starts) : NaN,
        startMinMs: Math.min(...starts),
        startMaxMs: Math.max(...starts),
        ...(readies.length ? { readyMs: median(readies) } : {}),
        ...(rss.length ? { rssMb: median(rss) } : {}),
        ...(peak.length ? { peakRssMb: median(peak) } : {}),
        ...(problems.has(s) ? { problem: problems.get(s)! } : {}),
      };
    });
    const bare = rows[0]!;
    const summary = rows
      .slice(1)
      .filter((r) => !r.problem && r.rssMb !== undefined)
      .map((r) => `${r.name}: start +${Math.round(r.startMs - bare.startMs)} ms (×${(r.startMs / bare.startMs).toFixed(1)})${r.readyMs !== undefined ? `, ready +${Math.round(r.readyMs - bare.startMs)} ms` : ''}, RSS +${Math.round(r.rssMb! - bare.rssMb!)} MB (×${(r.rssMb! / bare.rssMb!).toFixed(2)})`);
    return { rows, bare, summary, goals: new Map(list.flatMap((s) => (s.goal ? [[s.name, s.goal] as const] : []))) };
  } finally {
    await fake.stop();
    rmSync(empty, { recursive: true, force: true });
  }
}

export function printStartup(report: StartupReport): void {
  const { rows, bare } = report;
  const n = rows[0]?.rounds ?? 0;
  if (process.env.BENCH_CHILD_ENV) console.log(`\nBENCH_CHILD_ENV for every measured server: ${process.env.BENCH_CHILD_ENV}`);
  console.log(`\nStart-up and idle memory: ${n} rounds each, alternating; median (min–max). Start = spawn → first answer to GET /healthz; ready = spawn → first 200 from GET /readyz (management port); RSS read ${process.env.BENCH_SETTLE_MS ?? 1000} ms after that.`);
  console.log('server                              start ms     (min–max)  ready ms   idle RSS MB  peak RSS MB   start − bare   RSS − bare   goal');
  const fmt = (x: number | undefined, d = 0) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
  for (const r of rows) {
    if (r.problem) {
      console.log(`${r.name.padEnd(34)}  not measured: ${r.problem}`);
      continue;
    }
    const isBare = r === bare;
    const dStart = r.startMs - bare.startMs;
    const dRss = r.rssMb !== undefined && bare.rssMb !== undefined ? r.rssMb - bare.rssMb : undefined;
    const target = report.goals.get(r.name) ?? STARTUP_GOAL;
    const limits = `≤ +${target.extraMs} ms, ≤ +${target.extraRssMb} MB`;
    const goal = isBare
      ? ''
      : r.rssMb === undefined
        ? `start ${dStart <= target.extraMs ? 'met' : 'NOT met'} (≤ +${target.extraMs} ms; npm's own start included)`
        : `start ${dStart <= target.extraMs ? 'met' : 'NOT met'}, RSS ${dRss! <= target.extraRssMb ? 'met' : 'NOT met'} (${limits})`;
    console.log(
      `${r.name.padEnd(34)}${fmt(r.startMs).padStart(10)}${`(${fmt(r.startMinMs)}–${fmt(r.startMaxMs)})`.padStart(14)}${fmt(r.readyMs).padStart(10)}${fmt(r.rssMb).padStart(14)}${fmt(r.peakRssMb).padStart(13)}${(isBare ? '' : `${dStart >= 0 ? '+' : ''}${fmt(dStart)} ms`).padStart(15)}${(isBare || dRss === undefined ? '' : `${dRss >= 0 ? '+' : ''}${fmt(dRss)} MB`).padStart(13)}   ${goal}`,
    );
  }
}

/** What start-up pays for: each step in a fresh node process, timed inside it (node's own boot excluded). */
const IMPORT_PROBES: { name: string; body: string }[] = [
  { name: 'node:http (baseline)', body: `await import('node:http');` },
  { name: 'dotenv', body: `await import('dotenv');` },
  { name: 'pino', body: `await import('pino');` },
  { name: 'zod', body: `await import('zod');` },
  { name: 'yaml', body: `await import('yaml');` },
  { name: 'minisearch', body: `await import('minisearch');` },
  { name: 'i18n-iso-countries (all 78 languages)', body: `await import('i18n-iso-countries');` },
  { name: 'i18n-iso-countries, English only', body: `await import('./dist/src/knowledge/iso-countries.js');` },
  { name: '@slack/bolt', body: `await import('@slack/bolt');` },
  { name: 'botbuilder', body: `await import('botbuilder');` },
  { name: 'prom-client', body: `await import('prom-client');` },
  { name: 'kysely', body: `await import('kysely');` },
  { name: 'libsql', body: `await import('libsql');` },
  { name: 'a worker thread, empty', body: `const { Worker } = await import('node:worker_threads'); const w = new Worker('setInterval(() => {}, 1e9)', { eval: true }); await new Promise((r) => w.once('online', r)); await new Promise((r) => setTimeout(r, 300)); w.unref();` },
  { name: 'core (dist/src/index.js)', body: `await import('./dist/src/index.js');` },
  { name: 'core + knowledge parse', body: `const m = await import('./dist/src/index.js'); m.builtInKnowledge();` },
  { name: 'core + knowledge + first answer', body: `const m = await import('./dist/src/index.js'); m.answer('green tick', m.builtInKnowledge());` },
  { name: 'host/start.js (static imports)', body: `await import('./dist/adapters/host/start.js');` },
  { name: 'host/metrics.js (prom-client)', body: `await import('./dist/adapters/host/metrics.js');` },
  { name: 'Bolt dist/App.js (what the face loads)', body: `await import('@slack/bolt/dist/App.js');` },
  { name: 'slack/app.js (Bolt face)', body: `await import('./dist/adapters/slack/app.js');` },
  { name: 'teams/face.js (botbuilder face)', body: `await import('./dist/adapters/teams/face.js');` },
];

export interface ImportRow {
  name: string;
  ms: number;
  rssMb: number;
  problem?: string;
}

export function benchImports(rounds = 3): ImportRow[] {
  return IMPORT_PROBES.map(({ name, body }) => {
    const script = `const r0 = process.memoryUsage().rss; const t0 = performance.now(); ${body} const ms = performance.now() - t0; console.log(JSON.stringify({ ms, rssMb: (process.memoryUsage().rss - r0) / 1048576 }));`;
    const ms: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      if (run.status !== 0) return { name, ms: NaN, rssMb: NaN, problem: run.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${run.status}` };
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ms: number; rssMb: number };
      ms.push(out.ms);
      rss.push(out.rssMb);
    }
    return { name, ms: median(ms), rssMb: median(rss) };
  });
}

export function printImports(rows: ImportRow[]): void {
  console.log('\nWhere start-up goes: each step alone in a fresh node process, median of 3 (node boot excluded; modules shared between rows are counted in each)');
  console.log('step                                     ms   RSS + MB');
  for (const r of rows) {
    if (r.problem) console.log(`${r.name.padEnd(36)}  failed: ${r.problem}`);
    else console.log(`${r.name.padEnd(36)}${r.ms.toFixed(0).padStart(6)}${r.rssMb.toFixed(1).padStart(11)}`);
  }
}
