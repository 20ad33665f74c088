import { benchCore, printCore } from './core.ts';
import { load, printHttp, signedSlashCommand, spawnConnector, spawnServer, teamsMessage, type HttpResult, type Server } from './http.ts';
import { benchImports, benchStartup, printImports, printStartup } from './startup.ts';

// npm run bench: every benchmark, side by side in one run, loopback only.
// `npm run bench -- startup` (or BENCH_ONLY=startup) runs only start-up and memory (about a minute).
// BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS tune the HTTP runs (defaults 5 s, 50 connections, 3 rounds);
// BENCH_HEAVY_CONNECTIONS the heavy run (default 200). BENCH_STARTUP_ROUNDS, BENCH_SETTLE_MS, BENCH_IMPORTS=0: see
// startup.ts.

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const heavy = Number(process.env.BENCH_HEAVY_CONNECTIONS ?? 200);

const only = process.env.BENCH_ONLY ?? process.argv[2];
if (only !== undefined && only !== 'startup') {
  console.error(`bench: unknown part "${only}" (known: startup)`);
  process.exit(2);
}

console.log(`coexist-advisor bench · node ${process.version} · ${new Date().toISOString()}`);
// Start-up first, before the HTTP servers below are running and competing for the CPU.
const startup = await benchStartup();
printStartup(startup);
if (process.env.BENCH_IMPORTS !== '0') printImports(benchImports());
if (only === 'startup') {
  console.log(`\nstart-up against bare node:http: ${startup.summary.join(' · ')}`);
  process.exit(0);
}

printCore(benchCore());

const QUESTIONS = [
  'can we do video calls on the api?',
  'how many messages per second with coexistence',
  'is chat history imported',
  'green tick for app numbers',
  'kya group chat chalega api pe',
  'what happens if the phone is off for two weeks',
  'do we pay for messages sent from the app',
  'whatsapp web still works?',
];
type Req = ReturnType<typeof signedSlashCommand>;
const median = (rs: HttpResult[]) => [...rs].sort((a, b) => a.requestsPerSec - b.requestsPerSec)[Math.floor(rs.length / 2)]!;
const ratios: string[] = [...startup.summary];

/** Baseline and ours, alternating rounds on the same machine; the median round of each is reported. */
async function sideBySide(title: string, base: { name: string; server: Server; requests: Req[] }, ours: { name: string; server: Server; requests: Req[] }) {
  const b: HttpResult[] = [];
  const o: HttpResult[] = [];
  // Warm both up (JIT, caches) before measuring.
  await load(base.name, base.server, base.requests, { connections, seconds: 2 });
  await load(ours.name, ours.server, ours.requests, { connections, seconds: 2 });
  for (let round = 0; round < rounds; round++) {
    b.push(await load(base.name, base.server, base.requests, { connections, seconds }));
    o.push(await load(ours.name, ours.server, ours.requests, { connections, seconds }));
  }
  const mb = median(b);
  const mo = median(o);
  printHttp(`${title}: ${connections} connections, ${rounds} rounds × ${seconds} s, median round`, [mb, mo]);
  const ratio = (mo.requestsPerSec / mb.requestsPerSec).toFixed(3);
  const cpu = (median(b.map((r) => ({ ...r, requestsPerSec: r.cpuUsPerRequest }))).cpuUsPerRequest / median(o.map((r) => ({ ...r, requestsPerSec: r.cpuUsPerRequest }))).cpuUsPerRequest).toFixed(3);
  console.log(`throughput ratio (ours / baseline): ${ratio}   CPU-capacity ratio (baseline CPU per request / ours): ${cpu}   our p99: ${mo.p99} ms`);
  ratios.push(`${title}: throughput ${ratio}, CPU capacity ${cpu}`);
}

const connector = await spawnConnector();
const emptyBolt = await spawnServer('./servers.ts', 'empty-bolt');
const echoBot = await spawnServer('./servers.ts', 'echo-bot');
const product = await spawnServer('./servers.ts', 'product');
try {
  await sideBySide(
    'Slack /coexist-vs-api help, signed',
    { name: 'empty Bolt app', server: emptyBolt, requests: [signedSlashCommand('help')] },
    { name: 'coexist-advisor', server: product, requests: [signedSlashCommand('help')] },
  );
  const questions = QUESTIONS.map((q) => signedSlashCommand(q));
  await sideBySide(
    'Slack /coexist-vs-api <question>, signed',
    { name: 'empty Bolt app', server: emptyBolt, requests: questions },
    { name: 'coexist-advisor', server: product, requests: questions },
  );
  await sideBySide(
    'Teams message → reply card, local mode',
    { name: 'Bot Framework echo', server: echoBot, requests: [teamsMessage(echoBot, QUESTIONS[0]!)] },
    { name: 'coexist-advisor', server: product, requests: QUESTIONS.map((q) => teamsMessage(product, q)) },
  );
  const h1 = await load('coexist-advisor Slack', product, questions, { connections: heavy, seconds });
  const h2 = await load('coexist-advisor Teams', product, QUESTIONS.map((q) => teamsMessage(product, q)), { connections: heavy, seconds });
  printHttp(`Heavy: ${heavy} connections, ${seconds} s each`, [h1, h2]);
  console.log(`errors at ${heavy} connections: ${h1.errors + h1.non2xx + h2.errors + h2.non2xx}`);
  console.log(`\nratios: ${ratios.join(' · ')}`);
} finally {
  for (const s of [emptyBolt, echoBot, product]) s.child.kill('SIGINT');
  connector.kill('SIGINT');
}
