import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUESTIONS, signedSlashCommand } from './http.ts';

// node --import tsx bench/profile.ts [product|sized-bolt|empty-bolt|store-host none|sqlite|postgres|discard]: that
// server (as `npm run bench` runs it) under `node --cpu-prof`, loaded with signed slash
// commands (the question path) for BENCH_SECONDS (default 10), then the functions that took the most CPU time
// (self time), by file. The profile itself is left in build/profiles/ for Chrome DevTools or speedscope.

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const dir = path.resolve(fileURLToPath(new URL('../build/profiles/', import.meta.url)));
mkdirSync(dir, { recursive: true });
const before = new Set(readdirSync(dir));

const kind = process.argv[2] ?? 'product';
// store-host takes its store as the next argument (none | sqlite | postgres | discard, see servers.ts); SQLite gets a
// fresh temporary DATA_DIR here (removed after), PostgreSQL needs BENCH_DATABASE_URL.
const args = process.argv.slice(3);
const dataDir = kind === 'store-host' && args[0] === 'sqlite' && !process.env.BENCH_DATA_DIR ? mkdtempSync(path.join(tmpdir(), 'coexist-profile-store-')) : undefined;
const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), [kind, ...args], {
  execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${dir}`],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  ...(dataDir ? { env: { ...process.env, BENCH_DATA_DIR: dataDir } } : {}),
});
const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
const requests = QUESTIONS.map((q) => signedSlashCommand(q));
const warm = await autocannon({ url, connections: 50, duration: 2, requests }); // warm-up
const result = await autocannon({ url, connections: 50, duration: seconds, requests });
const served = warm.requests.total + result.requests.total;
console.log(`${Math.round(result.requests.average)} req/s under the profiler (slower than without it); ${served} requests in the profile`);
await new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGINT');
});
if (dataDir) rmSync(dataDir, { recursive: true, force: true });

// CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the main thread is 0 (tsx's loader thread writes one too).
const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
if (!file) throw new Error(`no profile written in ${dir}`);
interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byPlace = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const n = byId.get(id)!;
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const where = n.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '') || '(native)';
  const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const place = where.startsWith('node_modules/') ? where.split('/').slice(0, where.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : where.startsWith('node:') ? 'node internals' : where.includes('/') ? where.split('/').slice(0, 2).join('/') : where;
  byPlace.set(place, (byPlace.get(place) ?? 0) + dt);
});
// Per request: all CPU time in the profile (start-up included, a little) over the requests served.
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / served).toFixed(1).padStart(6)} µs/req  ${k}`);
console.log(`\nprofile: ${path.relative(process.cwd(), path.join(dir, file))}\n\nself time by place:\n${top(byPlace, 15).join('\n')}\n\nself time by function:\n${top(self, 30).join('\n')}`);
