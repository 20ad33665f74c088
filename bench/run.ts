import { benchCore, printCore } from './core.ts';
import { load, printHttp, signedSlashCommand, spawnServer, type HttpResult } from './http.ts';

// npm run bench: every benchmark, side by side in one run, loopback only.
// BENCH_SECONDS, BENCH_CONNECTIONS and BENCH_ROUNDS tune the HTTP runs (defaults 5 s, 50 connections, 3 rounds).

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

printCore(benchCore());

// Slack: an empty Bolt app (HTTPReceiver, one command listener that only acks) vs our /slack/events, both with
// signed slash commands, alternating rounds; the median round of each is reported. Two workloads:
//   help      the endpoint's own overhead (our ack carries the help card)
//   question  a rotating mix of questions, each answered in the ack with the full answer card
const emptyBolt = await spawnServer('./servers.ts', 'empty-bolt');
const product = await spawnServer('./servers.ts', 'product');
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
const median = (rs: HttpResult[]) => [...rs].sort((a, b) => a.requestsPerSec - b.requestsPerSec)[Math.floor(rs.length / 2)]!;
for (const [label, requests] of [
  ['help', [signedSlashCommand('help')]],
  ['question', QUESTIONS.map((q) => signedSlashCommand(q))],
] as const) {
  const empty: HttpResult[] = [];
  const ours: HttpResult[] = [];
  for (let round = 0; round < rounds; round++) {
    empty.push(await load('empty Bolt app', emptyBolt, [...requests], { connections, seconds }));
    ours.push(await load(`coexist-advisor (${label})`, product, [...requests], { connections, seconds }));
  }
  const e = median(empty);
  const o = median(ours);
  printHttp(`Slack slash command "${label}", signed, ${connections} connections, ${rounds} rounds × ${seconds} s (median round)`, [e, o]);
  console.log(`ratio (ours / empty Bolt): ${(o.requestsPerSec / e.requestsPerSec).toFixed(3)}   p99 of our ack: ${o.p99} ms (Slack allows 3000)`);
}
emptyBolt.child.kill('SIGINT');
product.child.kill('SIGINT');
