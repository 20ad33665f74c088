import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_FILE_NAME } from '../../adapters/store/store-file.ts';
import { openStore, sqliteTarget } from '../../adapters/store/store.ts';
import { startChildProduct, type ChildProduct } from '../helpers/child-product.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';

// A full disk, for real: the product runs with DATA_DIR on a 2 MB tmpfs in a mount namespace of its own (`unshare`:
// as root, or through an unprivileged user namespace; nothing is mounted on the machine), and the test fills that
// tmpfs to the last byte through /proc/<pid>/root. Questions are still answered; /readyz says 503 while writes fail
// (it said ready throughout before, with `select 1`); once the space returns every answered question is written
// (before: 358 of 3,000 written, 200 dropped) and /readyz is 200 again.

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a full disk under DATA_DIR', () => {
  let connector: FakeConnector;
  let product: ChildProduct | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-full-disk-'));

  beforeAll(async () => {
    connector = await new FakeConnector().start();
  });
  afterAll(async () => {
    product?.kill();
    await connector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers, says 503 while writes fail, and writes every answered question once the space returns', async () => {
    product = await startChildProduct({ STORE_WRITES: 'thread', DATA_DIR: dir }, { wrap: (argv) => ['unshare', '-rm', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs "${dir}" && exec "$@"`, 'sh', ...argv] });
    const inside = `/proc/${product.child.pid}/root${dir}`;
    expect((await fetch(`${product.managementUrl}/readyz`)).status).toBe(200);
    const ballast = path.join(inside, 'ballast');
    const fd = openSync(ballast, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    let full = false;
    try {
      for (let i = 0; i < 64 && !full; i++) writeSync(fd, chunk);
    } catch (err) {
      full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
    } finally {
      closeSync(fd);
    }
    expect(full, 'the 2 MB tmpfs filled up').toBe(true);

    const asked = Array.from({ length: 300 }, (_, i) => `can we do video calls on the api? ${i}`);
    for (let i = 0; i < asked.length; i += 30) {
      const statuses = await Promise.all(asked.slice(i, i + 30).map((q) => product!.ask(q, connector.url)));
      expect(statuses.every((s) => s === 200)).toBe(true);
    }
    await until(async () => (await fetch(`${product!.managementUrl}/readyz`)).status === 503, 10_000, '/readyz 503 while writes fail');
    await product.waitForLog((l) => /^not ready: the sqlite store refuses writes/.test(String(l.msg)));

    unlinkSync(ballast);
    await until(async () => (await fetch(`${product!.managementUrl}/readyz`)).status === 200, 20_000, '/readyz 200 once the space returned');
    // SQLite through /proc/<pid>/root does not see the live WAL: a copy of the file and its WAL is replayed on open.
    const copy = mkdtempSync(path.join(tmpdir(), 'coexist-full-disk-copy-'));
    let stored: string[] = [];
    try {
      await until(
        async () => {
          for (const f of readdirSync(inside)) if (f.startsWith(STORE_FILE_NAME) && !f.endsWith('-shm')) copyFileSync(path.join(inside, f), path.join(copy, f));
          const store = await openStore(sqliteTarget(copy), { create: false });
          stored = [];
          for await (const q of store.exportQuestions(new Date(0))) stored.push(q.question);
          await store.close();
          return stored.length >= asked.length;
        },
        20_000,
        'every answered question written',
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    expect(stored.sort()).toEqual([...asked].sort());
    const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^coexist_store_records_dropped_total 0$/m);
  }, 90_000);
});
