import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/host/logger.ts';
import { newQuestionId } from '../../adapters/store/records.ts';
import { StoreService, type WhenUnsure } from '../../adapters/store/service.ts';
import { openStore, sqliteTarget, type StoreTarget } from '../../adapters/store/store.ts';
import { LogCapture } from '../helpers/product.ts';
import { SKIP_POSTGRES, TEST_DATABASE_URL, createTestSchema } from '../helpers/postgres.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

// Claims in the first moments of a replica's life, and when the store cannot settle them in time; readiness that
// tells a store that answers `select 1` from one that takes writes.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(target: StoreTarget, more: { claimDeadlineMs?: number; writeFailureHoldMs?: number } = {}) {
  const logs = new LogCapture();
  const fallbacks: [string, WhenUnsure][] = [];
  const s = new StoreService({
    target,
    retentionDays: 365,
    writes: 'inline',
    logger: createLogger('debug', { destination: logs }),
    onClaimFallback: (use, decision) => void fallbacks.push([use, decision]),
    reopenMs: [200],
    recorder: { backoffMs: [50] },
    ...more,
  });
  cleanups.push(() => s.close());
  return { s, logs, fallbacks };
}

async function pgTarget(): Promise<StoreTarget & { kind: 'postgres' }> {
  const schema = await createTestSchema();
  return { kind: 'postgres', url: schema.url };
}

function sqliteFile(): StoreTarget {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-claims-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return sqliteTarget(dir);
}

const stores: [string, () => Promise<StoreTarget>, boolean][] = [
  ['PostgreSQL (one schema)', pgTarget, SKIP_POSTGRES],
  ['SQLite (one shared file)', async () => sqliteFile(), false],
];

describe.each(stores)('two replicas starting together on %s', (_name, makeTarget, skip) => {
  it.skipIf(skip)('a claim made while the stores open waits for them: each key is won exactly once (20 keys, made before either store was open)', async () => {
    const target = await makeTarget();
    const a = service(target);
    const b = service(target);
    const started = [a.s.start(), b.s.start()];
    // Before this fix a store that was not open yet fell back to the process's memory: both replicas won every key.
    const keys = Array.from({ length: 20 }, (_, i) => `slack:view:V${i}:h`);
    const wins = await Promise.all(keys.map(async (k) => (await Promise.all([a.s.claim(k, 60_000, 'act'), b.s.claim(k, 60_000, 'act')])).filter(Boolean).length));
    await Promise.all(started);
    expect(wins).toEqual(keys.map(() => 1));
    expect([...a.fallbacks, ...b.fallbacks]).toEqual([]);
  });
});

describe.skipIf(SKIP_POSTGRES)('a claim the store cannot settle in time (PostgreSQL stalled through a TCP proxy)', () => {
  it('acts where a duplicate is better than nothing, skips where nothing is better, and counts and logs each fallback', async () => {
    const target = await pgTarget();
    const proxy = await TcpProxy.forUrl(TEST_DATABASE_URL).start();
    cleanups.push(() => proxy.stop());
    const { s, logs, fallbacks } = service({ kind: 'postgres', url: proxy.url(target.url) }, { claimDeadlineMs: 300 });
    await s.start();
    expect(await s.claim('slack:view:V1:h', 60_000, 'act')).toBe(true);
    proxy.stall();
    expect(await s.claim('slack:view:V2:h', 60_000, 'act')).toBe(true);
    expect(await s.claim('slack:correction:U1:q:calls', 60_000, 'skip')).toBe(false);
    expect(fallbacks).toEqual([
      ['slack:view', 'act'],
      ['slack:correction', 'skip'],
    ]);
    const lines = logs.lines.filter((l) => l.operation === 'claim');
    expect(lines[0]).toMatchObject({ use: 'slack:view', decision: 'acted (a duplicate is possible)' });
    proxy.resume();
    // Once the network is back, claims are settled by the store again.
    expect(await s.claim('slack:view:V3:h', 60_000, 'act')).toBe(true);
    expect(await s.claim('slack:view:V3:h', 60_000, 'act')).toBe(false);
    expect(fallbacks).toHaveLength(2);
  });

  it('a store that does not open within the claim deadline: the same decisions', async () => {
    const proxy = await TcpProxy.forUrl(TEST_DATABASE_URL).start();
    cleanups.push(() => proxy.stop());
    proxy.refuse();
    const { s, fallbacks } = service({ kind: 'postgres', url: proxy.url(TEST_DATABASE_URL) }, { claimDeadlineMs: 200 });
    void s.start();
    expect(await s.claim('teams:submit:x', 60_000, 'act')).toBe(true);
    expect(await s.claim('teams:correction:x', 60_000, 'skip')).toBe(false);
    expect(fallbacks).toEqual([
      ['teams:submit', 'act'],
      ['teams:correction', 'skip'],
    ]);
  });
});

describe.skipIf(SKIP_POSTGRES)('/readyz and writes', () => {
  // A read-only session (default_transaction_read_only): `select 1` works, every write fails, as on a read-only disk.
  const readOnly = (url: string) => {
    const u = new URL(url);
    u.searchParams.set('options', `${u.searchParams.get('options') ?? ''} -c default_transaction_read_only=on`.trim());
    return u.toString();
  };

  it('a database that answers reads but refuses writes is not ready (it was: `select 1` only)', async () => {
    const target = await pgTarget();
    const migrated = await openStore(target);
    await migrated.migrate();
    await migrated.close();
    const { s } = service({ kind: 'postgres', url: readOnly(target.url) });
    await s.start();
    expect(s.store).toBeDefined();
    const r = await s.readiness();
    expect(r.ready).toBe(false);
    expect(r.reason).toMatch(/does not take a write: cannot execute INSERT in a read-only transaction/);
  });

  it('a failed write holds readiness at not ready; a write that succeeds clears it', async () => {
    const target = await pgTarget();
    const { s } = service(target, { writeFailureHoldMs: 60_000 });
    await s.start();
    expect((await s.readiness()).ready).toBe(true);
    await s.store!.recordQuestions([]); // warm
    // The next write fails (the table is gone), as a full disk fails the recorder's batches.
    const admin = await openStore({ kind: 'postgres', url: target.url });
    cleanups.push(() => admin.close());
    const { sql } = await import('kysely');
    await sql`alter table questions rename to questions_away`.execute((admin as any).db);
    s.recorder.question({ id: newQuestionId(), platform: 'slack', userId: 'U1', text: 'asked while writes fail', topic: null, confidence: 0 });
    await s.recorder.flush();
    const failing = await s.readiness();
    expect(failing.ready).toBe(false);
    expect(failing.reason).toMatch(/refuses writes/);
    await sql`alter table questions_away rename to questions`.execute((admin as any).db);
    // The recorder retries the batch after its back-off; once it is written, the store is ready again.
    const until = Date.now() + 5000;
    while (!(await s.readiness()).ready) {
      if (Date.now() > until) throw new Error('not ready again after the write succeeded');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await s.store!.exportQuestions(new Date(0))[Symbol.asyncIterator]().next()).value?.question).toBe('asked while writes fail');
  });
});
