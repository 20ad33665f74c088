import { benchCore, printCore } from './core.ts';
import { QUESTIONS, load, printHttp, signedSlashCommand, spawnConnector, spawnServer, teamsMessage, type HttpResult, type Server } from './http.ts';
import { benchImports, benchStartup, printImports, printStartup } from './startup.ts';
import { benchStore } from './store.ts';

// npm run bench: every benchmark, side by side in one run, loopback only.
// `npm run bench -- startup` (or BENCH_ONLY=startup) runs only start-up and memory (about a minute);
// `npm run bench -- slack` (or BENCH_ONLY=slack) only the Slack slash-command comparisons (about two minutes);
// `npm run bench -- store` (or BENCH_ONLY=store) only the store's cost on Slack questions (store.ts; about 1.5 minutes).
// `npm run bench -- hostile [slowloris|fat]` only the audit's hostile shapes (hostile.ts; not part of the full run).
// BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS tune the HTTP runs (defaults 5 s, 50 connections, 3 rounds);
// BENCH_HEAVY_CONNECTIONS the heavy run (default 200). BENCH_PRODUCT=dist runs our server from the compiled dist/
// (as `npm start` does; build it first) instead of under tsx. BENCH_STARTUP_ROUNDS, BENCH_SETTLE_MS, BENCH_IMPORTS=0: see
// startup.ts.

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const heavy = Number(process.env.BENCH_HEAVY_CONNECTIONS ?? 200);

const only = process.env.BENCH_ONLY ?? process.argv[2];
if (only !== undefined && only !== 'startup' && only !== 'slack' && only !== 'store' && only !== 'hostile') {
  console.error(`bench: unknown part "${only}" (known: startup, slack, store, hostile)`);
  process.exit(2);
}
if (only === 'hostile') {
  // The audit's hostile shapes (issue 17), only when asked for: about 2 minutes, 21,000 loopback connections.
  const { benchHostile } = await import('./hostile.ts');
  for (const line of await benchHostile(process.argv[3])) console.log(line);
  process.exit(0);
}

console.log(`coexist-advisor bench · node ${process.version} · ${new Date().toISOString()}`);
const ratios: string[] = [];
if (only === 'store') {
  const store = await benchStore({ connections, seconds, rounds });
  console.log(`\nratios: ${store.summary.join(' · ')}`);
  process.exit(store.ok ? 0 : 1);
}
if (only !== 'slack') {
  // Start-up first, before the HTTP servers below are running and competing for the CPU.
  const startup = await benchStartup();
  printStartup(startup);
  if (process.env.BENCH_IMPORTS !== '0') printImports(benchImports());
  if (only === 'startup') {
    console.log(`\nstart-up against bare node:http: ${startup.summary.join(' · ')}`);
    process.exit(0);
  }
  ratios.push(...startup.summary);
  printCore(benchCore());
}
type Req = ReturnType<typeof signedSlashCommand>;
const median = (rs: HttpResult[]) => [...rs].sort((a, b) => a.requestsPerSec - b.requestsPerSec)[Math.floor(rs.length / 2)]!;

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
// The fairer baseline: Bolt acking, for each command text, the very reply we send (computed once at its start),
// so both sides pay for the same bytes; only our work per request (matching, drawing, logging) differs.
const sizedBolt = await spawnServer('./servers.ts', 'sized-bolt');
const echoBot = only === 'slack' ? undefined : await spawnServer('./servers.ts', 'echo-bot');
const product = await spawnServer('./servers.ts', process.env.BENCH_PRODUCT === 'dist' ? 'product-dist' : 'product');
console.log(`our server: ${process.env.BENCH_PRODUCT === 'dist' ? 'compiled dist/ (as npm start)' : 'TypeScript under tsx'}`);
try {
  const help = [signedSlashCommand('help')];
  const questions = QUESTIONS.map((q) => signedSlashCommand(q));
  const ours = (requests: Req[]) => ({ name: 'coexist-advisor', server: product, requests });
  await sideBySide('Slack /coexist-vs-api help, signed', { name: 'empty Bolt app', server: emptyBolt, requests: help }, ours(help));
  await sideBySide('Slack /coexist-vs-api help, signed, same-size reply', { name: 'Bolt, precomputed reply', server: sizedBolt, requests: help }, ours(help));
  await sideBySide('Slack /coexist-vs-api <question>, signed', { name: 'empty Bolt app', server: emptyBolt, requests: questions }, ours(questions));
  await sideBySide('Slack /coexist-vs-api <question>, signed, same-size reply', { name: 'Bolt, precomputed reply', server: sizedBolt, requests: questions }, ours(questions));
  if (echoBot) {
    await sideBySide(
      'Teams message → reply card, local mode',
      { name: 'Bot Framework echo', server: echoBot, requests: [teamsMessage(echoBot, QUESTIONS[0]!)] },
      { name: 'coexist-advisor', server: product, requests: QUESTIONS.map((q) => teamsMessage(product, q)) },
    );
    const h1 = await load('coexist-advisor Slack', product, questions, { connections: heavy, seconds });
    const h2 = await load('coexist-advisor Teams', product, QUESTIONS.map((q) => teamsMessage(product, q)), { connections: heavy, seconds });
    printHttp(`Heavy: ${heavy} connections, ${seconds} s each`, [h1, h2]);
    console.log(`errors at ${heavy} connections: ${h1.errors + h1.non2xx + h2.errors + h2.non2xx}`);
  }
} finally {
  for (const s of [emptyBolt, sizedBolt, echoBot, product]) s?.child.kill('SIGINT');
  connector.kill('SIGINT');
}
// The store's cost on the question path, after the servers above are gone (its own servers, store.ts).
let storeOk = true;
if (only === undefined) {
  const store = await benchStore({ connections, seconds, rounds });
  ratios.push(...store.summary);
  storeOk = store.ok;
}
console.log(`\nratios: ${ratios.join(' · ')}`);
if (!storeOk) process.exitCode = 1;
