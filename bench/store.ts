import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { isLoopbackHost } from '../adapters/config.ts';
import { sqliteTarget, type StoreTarget } from '../adapters/store/store.ts';
import { makeSchema } from '../test/helpers/pg-schema.ts';
import { QUESTIONS, load, printHttp, signedSlashCommand, spawnServer, stopServer, type HttpResult, type Server } from './http.ts';

// npm run bench -- store (or BENCH_ONLY=store; also part of the full npm run bench): what the store costs on the
// Slack question path. The same host and Slack face (servers.ts `store-host`) run three times, each in its own
// process: without a store, with the SQLite store (the default, in a fresh temporary DATA_DIR) and, when a
// PostgreSQL answers on loopback, with PostgreSQL (a fresh schema through `options=-c search_path=…`, dropped
// after). Signed slash commands rotating through the 8 questions; every side gets a 2 s warm-up, then the sides
// alternate for `rounds` rounds and the median round of each is reported, as in run.ts.
// After the run each server is stopped cleanly (its store writes what is queued) and the question rows are counted
// with the database's own client: a store that recorded nothing (or dropped records) fails the bench instead of
// looking cheap.
//
// BENCH_STORE_DISCARD=1 adds a what-if side: the store's work on the request path (question ids, feedback buttons,
// a bigger ack, the recorder, the counters) with a recorder that writes nowhere. BENCH_STORE_POSTGRES=0 skips
// PostgreSQL; BENCH_STORE_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) must name a loopback host.

export interface StoreBenchOptions {
  connections: number;
  seconds: number;
  rounds: number;
}

interface Side {
  label: string;
  server: Server;
  target?: StoreTarget;
  results: HttpResult[];
  warmup?: HttpResult;
}

interface StopCounts {
  handed?: number;
  dropped?: number;
  storeErrors?: number;
}

const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const TARGET = 0.95;

const byRate = (rs: HttpResult[]) => [...rs].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
const medianOf = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number) => n.toLocaleString('en-US');

/** A fresh schema in the loopback PostgreSQL, or why there is none. */
export async function postgresSchema(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  if (process.env.BENCH_STORE_POSTGRES === '0') return 'skipped (BENCH_STORE_POSTGRES=0)';
  const base = process.env.BENCH_STORE_POSTGRES_URL || DEFAULT_POSTGRES;
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return 'BENCH_STORE_POSTGRES_URL is not a URL';
  }
  if (!isLoopbackHost(u.hostname)) return `skipped: ${u.hostname} is not a loopback host (benchmarks only talk to 127.0.0.1)`;
  try {
    const made = await makeSchema(base, 'coexist_bench', 2000);
    return { url: made.url, drop: made.drop };
  } catch (err) {
    return `no PostgreSQL at ${u.host}${u.pathname} (${(err as Error).message})`;
  }
}

/**
 * Question rows in a store, read back with the database's own client after its server has closed it (plain SQL,
 * so the count does not depend on the store's read API).
 */
async function countQuestions(target: StoreTarget): Promise<number> {
  if (target.kind === 'sqlite') {
    const { default: Sqlite } = await import('libsql');
    const database = new Sqlite(target.file, { readonly: true });
    try {
      return Number((database.prepare('select count(*) as n from questions').get() as { n: number }).n);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('select count(*) as n from questions')).rows[0]!.n);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function benchStore({ connections, seconds, rounds }: StoreBenchOptions): Promise<{ summary: string[]; ok: boolean }> {
  const loadBefore = loadavg();
  console.log(`\nStore cost on Slack questions · load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coexist-bench-store-'));
  const postgres = await postgresSchema();
  const sides: Side[] = [];
  const summary: string[] = [];
  let ok = true;
  try {
    sides.push({ label: 'no store', server: await spawnServer('./servers.ts', 'store-host', { args: ['none'] }), results: [] });
    if (process.env.BENCH_STORE_DISCARD === '1') sides.push({ label: 'store, no database', server: await spawnServer('./servers.ts', 'store-host', { args: ['discard'] }), results: [] });
    sides.push({ label: 'SQLite store', server: await spawnServer('./servers.ts', 'store-host', { args: ['sqlite'], env: { BENCH_DATA_DIR: dataDir } }), target: sqliteTarget(dataDir), results: [] });
    if (typeof postgres === 'string') console.log(`PostgreSQL: ${postgres}`);
    else sides.push({ label: 'PostgreSQL store', server: await spawnServer('./servers.ts', 'store-host', { args: ['postgres'], env: { BENCH_DATABASE_URL: postgres.url } }), target: { kind: 'postgres', url: postgres.url }, results: [] });

    const requests = QUESTIONS.map((q) => signedSlashCommand(q));
    for (const side of sides) side.warmup = await load(side.label, side.server, requests, { connections, seconds: 2 });
    for (let round = 0; round < rounds; round++) {
      for (const side of sides) side.results.push(await load(side.label, side.server, requests, { connections, seconds }));
    }

    const medians = sides.map((s) => byRate(s.results)[Math.floor(s.results.length / 2)]!);
    printHttp(`Store: signed /coexist-vs-api <question> (8 rotating), ${connections} connections, ${rounds} rounds × ${seconds} s after a 2 s warm-up, alternating; median round`, medians);
    console.log('\nevery round (req/s · p50 · p99 ms · CPU µs/req):');
    for (let round = 0; round < rounds; round++) {
      console.log(`  round ${round + 1}: ${sides.map((s) => { const r = s.results[round]!; return `${s.label} ${fmt(r.requestsPerSec)} · ${r.p50} · ${r.p99} · ${r.cpuUsPerRequest}`; }).join('   ')}`);
    }

    // The noise floor: how far apart successive no-store rounds are (the same server, the same load): the median of
    // those differences, so one round disturbed by another tenant of the machine does not widen it.
    const none = sides[0]!;
    const noneP99 = none.results.map((r) => r.p99);
    const noneRate = none.results.map((r) => r.requestsPerSec);
    const steps = (xs: number[]) => xs.slice(1).map((x, k) => Math.abs(x - xs[k]!));
    const p99Noise = rounds >= 3 ? medianOf(steps(noneP99)) : undefined;
    const rateNoise = rounds >= 3 ? medianOf(steps(noneRate)) / medianOf(noneRate) : undefined;
    console.log(
      `\nno-store rounds: p99 ${noneP99.join(', ')} ms, req/s ${noneRate.map(fmt).join(', ')}; ` +
        (p99Noise === undefined || rateNoise === undefined ? 'too few rounds for a noise floor' : `from one round to the next they differ by a median ${p99Noise} ms at p99 and ${(rateNoise * 100).toFixed(1)}% in throughput`),
    );
    const m0 = medians[0]!;
    const cpu0 = medianOf(none.results.map((r) => r.cpuUsPerRequest));
    for (const [i, side] of sides.entries()) {
      if (i === 0) continue;
      const m = medians[i]!;
      const ratio = m.requestsPerSec / m0.requestsPerSec;
      // Each round's ratio against the no-store round just before it: pairs close in time, so less exposed to a
      // machine whose load changes between rounds than the ratio of the two median rounds.
      const pairs = side.results.map((r, k) => r.requestsPerSec / none.results[k]!.requestsPerSec);
      const perRound = pairs.map((x) => x.toFixed(3));
      const cpu = medianOf(side.results.map((r) => r.cpuUsPerRequest));
      // "Unchanged": p99 rose, against the no-store round just before (the median over rounds), by no more than
      // successive no-store rounds differ by.
      const rise = medianOf(side.results.map((r, k) => r.p99 - none.results[k]!.p99));
      const p99Verdict = p99Noise === undefined ? 'cannot tell with fewer than 3 rounds' : rise <= p99Noise ? 'unchanged' : 'WORSE';
      console.log(
        `${side.label} / no store: throughput ${ratio.toFixed(3)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'}; per round ${perRound.join(' ')}, their median ${medianOf(pairs).toFixed(3)}), ` +
          `CPU per request ${cpu0} → ${cpu} µs (${cpu >= cpu0 ? '+' : ''}${(((cpu - cpu0) / cpu0) * 100).toFixed(1)}%), p50 ${m0.p50} → ${m.p50} ms, ` +
          `p99 ${m0.p99} → ${m.p99} ms (median rise per round ${rise >= 0 ? '+' : ''}${rise} ms: ${p99Verdict}${p99Noise === undefined ? '' : `; unchanged = no more than the ${p99Noise} ms successive no-store rounds differ by`})`,
      );
      summary.push(`${side.label} / no store: throughput ${ratio.toFixed(3)} (per-round median ${medianOf(pairs).toFixed(3)}), p99 ${p99Verdict}`);
    }
  } finally {
    // Stop every server cleanly (each store writes what is queued and closes), then read the rows back.
    const stopped = await Promise.all(sides.map((s) => stopServer<StopCounts>(s.server).catch((err: unknown) => ({ error: String(err) }) as StopCounts & { error: string })));
    for (const [i, side] of sides.entries()) {
      if (!side.target) continue;
      const counts = stopped[i]!;
      const acked = [side.warmup, ...side.results].reduce((n, r) => n + (r?.ok ?? 0), 0);
      let rows: number | string;
      try {
        rows = await countQuestions(side.target);
      } catch (err) {
        rows = `unreadable (${(err as Error).message})`;
      }
      // Every acked question must be in the store (a few more may have been handed over after a round's last
      // response was counted: requests in flight when autocannon stopped).
      const good = typeof rows === 'number' && rows >= acked && rows === counts.handed && (counts.dropped ?? 0) === 0;
      if (!good) ok = false;
      console.log(
        `${side.label}: ${typeof rows === 'number' ? fmt(rows) : rows} question rows in the store after the run; ${fmt(counts.handed ?? 0)} handed to the recorder, ` +
          `${fmt(acked)} questions acked with 2xx (warm-up included), ${counts.dropped ?? 0} dropped, ${counts.storeErrors ?? 0} store errors: ${good ? 'every question recorded' : 'FAILED: questions missing from the store'}`,
      );
    }
    if (typeof postgres !== 'string') await postgres.drop().catch((err: unknown) => console.error(`could not drop the bench schema: ${(err as Error).message}`));
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  }
  return { summary, ok };
}
