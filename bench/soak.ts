import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sign } from '../test/helpers/slack-client.ts';
import { BENCH_SECRET, signedSlashCommand, teamsMessage, type Server } from './http.ts';

// npm run soak: a bounded soak on loopback. The product runs in its own process; a mixed workload (questions,
// compare, help, modal submits, Teams messages and form submits) runs for SOAK_MINUTES (default 3) while the
// server's live heap is sampled after each round. Fails (exit 1) if any request fails or the heap keeps growing.

const minutes = Number(process.env.SOAK_MINUTES ?? 3);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 20);

const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), ['product'], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise<{ url: string; managementUrl?: string; connectorUrl: string; startupMs: number }>((resolve) => child.once('message', (m) => resolve(m as never)));
const server: Server = { child, ...ready, managementUrl: ready.managementUrl ?? ready.url };

/** Live heap after a full GC, and RSS, of the server process. */
const memory = async (): Promise<{ heapMb: number; rssMb: number }> => {
  const reply = new Promise<{ heapMb: number; rssMb: number }>((resolve) => child.once('message', (m) => resolve(m as { heapMb: number; rssMb: number })));
  child.send('heap');
  return reply;
};

let submissions = 0;

/** A signed modal submission, as Slack sends it; each one a new view, so each is a real recommendation post. */
function viewSubmission(i: number) {
  return {
    method: 'POST' as const,
    path: '/slack/events',
    setupRequest: (req: { body?: string; headers?: Record<string, string> }) => {
      const body = viewSubmissionBody(i, ++submissions);
      return { ...req, body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(BENCH_SECRET, body) } };
    },
  };
}

function viewSubmissionBody(i: number, serial: number): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T1' },
    user: { id: 'U1' },
    view: {
      id: `VSOAK${serial}`,
      callback_id: 'recommend_modal',
      private_metadata: '{"origin":"C1"}',
      state: {
        values: {
          customer: { value: { type: 'plain_text_input', value: `Soak ${i} <!channel>` } },
          country: { value: { type: 'static_select', selected_option: { value: i % 3 ? 'IN' : 'DE' } } },
          peakMps: { value: { type: 'number_input', value: String(i * 11) } },
          needs_0: { value: { type: 'checkboxes', selected_options: [{ value: 'calls' }, { value: 'phone-app' }] } },
          channel: { value: { type: 'conversations_select', selected_conversation: 'C1' } },
        },
      },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The mixed workload, signed afresh each round (Slack signatures are valid for five minutes). */
const workload = () => [
  signedSlashCommand('can we do video calls on the api?'),
  signedSlashCommand('compare'),
  signedSlashCommand('help'),
  signedSlashCommand('mps kitna hai'),
  signedSlashCommand('what is the capital of Peru'),
  ...Array.from({ length: 4 }, (_, i) => viewSubmission(i)),
  teamsMessage(server, 'green tick'),
  teamsMessage(server, 'compare'),
  { ...teamsMessage(server, ''), body: JSON.stringify({ ...JSON.parse(teamsMessage(server, '').body), value: { action: 'recommend.submit', country: 'IN', customer: 'Soak', needs_0: 'calls' } }) },
];

const samples: number[] = [(await memory()).heapMb];
let failed = 0;
let total = 0;
const deadline = Date.now() + minutes * 60_000;
console.log(`soak: ${minutes} min, ${connections} connections, mixed Slack and Teams workload on ${server.url}`);
while (Date.now() < deadline) {
  const result = await autocannon({ url: server.url, connections, duration: 10, requests: workload() as autocannon.Request[] });
  total += result.requests.total;
  failed += result.errors + result.timeouts + result.non2xx;
  const m = await memory();
  samples.push(m.heapMb);
  console.log(`  +${Math.round((minutes * 60_000 - (deadline - Date.now())) / 1000)} s: ${result.requests.average} req/s, failures so far ${failed}, heap after GC ${m.heapMb} MB, RSS ${m.rssMb} MB`);
}
child.kill('SIGINT');

// Memory is judged on the live heap after GC, second half against first half (after warm-up): flat or settling
// is fine; steady growth is a leak.
const half = Math.floor(samples.length / 2);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const early = avg(samples.slice(1, half));
const late = avg(samples.slice(half));
const growth = early ? (late - early) / early : 0;
console.log(`requests ${total}, failures ${failed}, heap after GC: first half ${early.toFixed(1)} MB, second half ${late.toFixed(1)} MB (${(growth * 100).toFixed(1)}%)`);
const ok = failed === 0 && growth < 0.1;
console.log(ok ? 'soak: OK' : 'soak: FAILED');
process.exit(ok ? 0 : 1);
