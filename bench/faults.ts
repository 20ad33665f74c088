import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { STORE_FILE_NAME } from '../adapters/store/store-file.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, sqliteTarget } from '../adapters/store/store.ts';
import { startChildProduct, type ChildProduct } from '../test/helpers/child-product.ts';
import { FakeConnector } from '../test/helpers/fake-connector.ts';
import { makeSchema } from '../test/helpers/pg-schema.ts';
import { TcpProxy } from '../test/helpers/tcp-proxy.ts';

// The audit's fault shapes against the product in its own process, loopback only, bounded in count and time:
//   kill9      a burst of questions right after a start, on a machine whose two cores are busy, then kill -9 some
//              time after the last ack: how many acked questions are in the store (SQLite and PostgreSQL)
//   partition  PostgreSQL behind a TCP proxy that holds every byte for 20 s under steady questions and /readyz
//              probes, then resets the held connections: does the process live, how many acked questions are stored
//   disk       DATA_DIR on a 2 MB tmpfs (its own mount namespace: unshare) filled to the last byte while questions
//              come in, then freed: /readyz during and after, how many acked questions are stored, how many dropped
// node --import tsx bench/faults.ts [kill9|partition|disk]   (all three by default; about 3 minutes)
// FAULTS_RUNS (default 3) runs per kill -9 delay. PostgreSQL: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.

const BASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = Number(process.env.FAULTS_RUNS ?? 3);
const only = process.argv[2];
/** FAULTS_PRODUCT=dist (the default) runs dist/ as `npm start` does (built first if stale); =tsx the sources. */
const compiled = process.env.FAULTS_PRODUCT !== 'tsx';
if (compiled) execFileSync(process.execPath, ['bin/build.js', '--if-stale'], { stdio: 'inherit' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two busy loops (the audit's "both cores busy"), stopped by the returned function. */
function busyCores(n = 2): () => void {
  const burners: ChildProcess[] = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 120000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
  return () => burners.forEach((b) => b.kill('SIGKILL'));
}

async function countPg(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>('select count(*) as n from questions')).rows[0]!.n);
  } catch {
    return 0; // not migrated yet: nothing stored
  } finally {
    await c.end();
  }
}

async function countSqlite(dir: string): Promise<number> {
  const store = await openStore(sqliteTarget(dir), { create: false }).catch((err: unknown) => {
    if (process.env.FAULTS_DEBUG) console.error(err);
    return undefined;
  });
  if (!store) return 0;
  let n = 0;
  try {
    for await (const _ of store.exportQuestions(new Date(0))) n++;
  } catch (err) {
    if (process.env.FAULTS_DEBUG) console.error(err); // not migrated yet
  }
  await store.close();
  return n;
}

/** `n` questions, `concurrency` at a time; resolves with how many were acked (200) and when the last ack came. */
async function burst(product: ChildProduct, connector: FakeConnector, n: number, concurrency: number, tag: string): Promise<{ acked: number; lastAckAt: number }> {
  let next = 0;
  let acked = 0;
  let lastAckAt = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const status = await product.ask(`can we do video calls on the api? ${tag} ${i}`, connector.url).catch(() => 0);
        if (status === 200) {
          acked++;
          lastAckAt = Date.now();
        }
      }
    }),
  );
  return { acked, lastAckAt };
}

async function kill9(): Promise<void> {
  console.log('\n## kill -9 after a burst right after start (200 questions, 20 at a time, both cores busy)');
  console.log('store | kill after the last ack | runs | acked | stored | lost | store ready after listening (ms, each run) | burst took (ms, each run)');
  const connector = await new FakeConnector().start();
  const kinds = (process.env.FAULTS_STORES ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
  for (const kind of kinds) {
    for (const delay of [0, 50, 250, 1000]) {
      let acked = 0;
      let stored = 0;
      const readyAfter: string[] = [];
      const burstMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const dir = mkdtempSync(path.join(tmpdir(), 'coexist-kill9-'));
        const schema = kind === 'postgres' ? await makeSchema(BASE_URL, 'coexist_bench') : undefined;
        const stop = busyCores();
        try {
          const product = await startChildProduct({ STORE_WRITES: 'thread', ...(schema ? { DATABASE_URL: schema.url } : { DATA_DIR: dir }) }, { waitForStore: false, compiled });
          const t0 = Date.now();
          const b = await burst(product, connector, 200, 20, `${kind}-${delay}-${run}`);
          burstMs.push(Date.now() - t0);
          await sleep(Math.max(0, b.lastAckAt + delay - Date.now()));
          product.kill('SIGKILL');
          await product.exited;
          const listening = product.lines.find((l) => String(l.msg).startsWith('coexist-advisor listening'))?.time as number | undefined;
          const ready = product.lines.find((l) => String(l.msg).startsWith('store ready'))?.time as number | undefined;
          readyAfter.push(listening && ready ? String(ready - listening) : 'not before the kill');
          acked += b.acked;
          stored += schema ? await countPg(schema.url) : await countSqlite(dir);
        } finally {
          stop();
          await schema?.drop();
          rmSync(dir, { recursive: true, force: true });
        }
      }
      console.log(`${kind} | ${delay} ms | ${RUNS} | ${acked} | ${stored} | ${acked - stored} | ${readyAfter.join(', ')} | ${burstMs.join(', ')}`);
    }
  }
  await connector.stop();
}

async function partition(): Promise<void> {
  console.log('\n## PostgreSQL partition (20 s, every byte held) then the held connections reset; 10 questions/s, /readyz twice a second');
  const connector = await new FakeConnector().start();
  const schema = await makeSchema(BASE_URL, 'coexist_bench');
  const proxy = await TcpProxy.forUrl(BASE_URL).start();
  const product = await startChildProduct({ STORE_WRITES: 'thread', DATABASE_URL: proxy.url(schema.url) }, { compiled });
  const probes: number[] = [];
  let acked = 0;
  let asked = 0;
  let running = true;
  const load = (async () => {
    while (running) {
      const i = asked++;
      void product.ask(`does coexistence keep the phone app? ${i}`, connector.url).then((s) => void (s === 200 && acked++), () => {});
      if (i % 5 === 0) void fetch(`${product.managementUrl}/readyz`).then((r) => probes.push(r.status), () => probes.push(0));
      await sleep(100);
    }
  })();
  await sleep(2000);
  proxy.stall();
  const stalledAt = Date.now();
  await sleep(20_000);
  const reset = proxy.reset();
  proxy.resume();
  await sleep(3000);
  running = false;
  await load;
  await sleep(500);
  let stored = 0;
  const until = Date.now() + 30_000;
  while (Date.now() < until && (stored = await countPg(schema.url)) < acked) await sleep(500);
  const readyAfter = (await fetch(`${product.managementUrl}/readyz`).catch(() => undefined))?.status ?? 0;
  console.log(`held ${Math.round((Date.now() - stalledAt) / 1000)} s in all; connections reset: ${reset}; process alive: ${product.alive()}; asked ${asked}, acked ${acked}, stored ${stored}; /readyz 503 during: ${probes.filter((s) => s === 503).length} of ${probes.length}; /readyz after: ${readyAfter}`);
  product.kill('SIGTERM');
  await product.exited;
  await proxy.stop();
  await schema.drop();
  await connector.stop();
}

async function disk(): Promise<void> {
  console.log('\n## Full disk: DATA_DIR on a 2 MB tmpfs filled while 3,000 questions come in (50 at a time), then freed');
  const connector = await new FakeConnector().start();
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-disk-'));
  // Its own mount namespace (unshare: root, or an unprivileged user namespace): nothing is mounted on the machine.
  const product = await startChildProduct({ STORE_WRITES: 'thread', DATA_DIR: dir }, { compiled, wrap: (argv) => ['unshare', '-rm', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs "${dir}" && exec "$@"`, 'sh', ...argv] });
  const inside = `/proc/${product.child.pid}/root${dir}`;
  const ballast = path.join(inside, 'ballast');
  const fd = openSync(ballast, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  closeSync(fd);
  const probes: number[] = [];
  const probing = setInterval(() => void fetch(`${product.managementUrl}/readyz`).then((r) => probes.push(r.status), () => probes.push(0)), 250);
  const b = await burst(product, connector, 3000, 50, 'full');
  await sleep(2000);
  const readyFull = (await fetch(`${product.managementUrl}/readyz`)).status;
  unlinkSync(ballast);
  const freedAt = Date.now();
  let readyAfter = 0;
  while (Date.now() - freedAt < 40_000 && (readyAfter = (await fetch(`${product.managementUrl}/readyz`)).status) !== 200) await sleep(250);
  const readyAfterMs = Date.now() - freedAt;
  await sleep(8000); // the recorder's back-off is at most 5 s
  clearInterval(probing);
  // Read from a copy: SQLite through /proc/PID/root does not see the live WAL; a copied file and WAL are replayed on open.
  const copy = mkdtempSync(path.join(tmpdir(), 'coexist-disk-copy-'));
  for (const f of readdirSync(inside)) if (f.startsWith(STORE_FILE_NAME) && !f.endsWith('-shm')) copyFileSync(path.join(inside, f), path.join(copy, f));
  const stored = await countSqlite(copy);
  rmSync(copy, { recursive: true, force: true });
  const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
  const dropped = /^coexist_store_records_dropped_total (\d+)/m.exec(metrics)?.[1];
  console.log(`acked ${b.acked} of 3000 on a full disk; /readyz while full: ${probes.filter((s) => s === 503).length} of ${probes.length} probes 503, ${readyFull} at the end; ready again ${readyAfter === 200 ? `${readyAfterMs} ms after the space returned` : 'NOT within 40 s'}; stored ${stored}; dropped (metric) ${dropped}`);
  product.kill('SIGTERM');
  await product.exited;
  rmSync(dir, { recursive: true, force: true });
  await connector.stop();
}

console.log(`coexist-advisor fault probes · node ${process.version} · ${new Date().toISOString()}`);
if (!only || only === 'kill9') await kill9();
if (!only || only === 'partition') await partition();
if (!only || only === 'disk') await disk();
