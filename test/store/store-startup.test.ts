import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/host/logger.ts';
import { newQuestionId } from '../../adapters/store/records.ts';
import { StoreService, type StoreOperation } from '../../adapters/store/service.ts';
import { openStore, sqliteTarget, type StoreTarget } from '../../adapters/store/store.ts';
import { LogCapture } from '../helpers/product.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { postgresTestStore, recommendationRecord, sqliteTestStore } from '../helpers/store.ts';

// The store as the product runs it: a store that cannot be opened never stops a user; it is logged, counted and
// reported not ready. A store that works gets what the recorder was handed.

const DAY = 86_400_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(target: StoreTarget, retentionDays = 365) {
  const logs = new LogCapture();
  const errors: StoreOperation[] = [];
  const s = new StoreService({
    target,
    retentionDays,
    logger: createLogger('debug', { destination: logs }),
    onError: (op) => void errors.push(op),
    deadlineMs: 2000,
    claimDeadlineMs: 300,
    reopenMs: [60_000],
    recorder: { backoffMs: [0] },
  });
  cleanups.push(() => s.close());
  return { s, logs, errors };
}

function brokenDataDir(): StoreTarget {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-broken-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const notADirectory = path.join(dir, 'data');
  writeFileSync(notADirectory, 'a file where DATA_DIR should be a directory');
  return sqliteTarget(notADirectory);
}

describe('a store that cannot be opened', () => {
  it('is not ready, and says why in the log; recording and claiming still return at once', async () => {
    const { s, logs, errors } = service(brokenDataDir());
    await s.start();
    expect(s.store).toBeUndefined();
    const readiness = await s.readiness();
    expect(readiness).toMatchObject({ ready: false, store: 'sqlite' });
    expect(readiness.reason).toMatch(/cannot open the sqlite store/);
    expect(errors).toContain('open');
    expect(logs.lines.some((l) => l.level === 50 && l.operation === 'open')).toBe(true);

    s.recorder.question({ id: newQuestionId(), platform: 'slack', userId: 'U1', text: 'calls?', topic: 'calls', confidence: 0.9 });
    await s.recorder.flush();
    expect(errors).toContain('write');

    // Deduplication falls back to this process's memory: the first delivery is handled, its repeat is not.
    expect(await s.claim('slack:event:Ev1', 60_000, 'act')).toBe(true);
    expect(await s.claim('slack:event:Ev1', 60_000, 'act')).toBe(false);
    expect(errors).toContain('claim');
  });

  it('PostgreSQL that refuses connections: not ready, and the password in DATABASE_URL is never logged', async () => {
    const { s, logs, errors } = service({ kind: 'postgres', url: 'postgres://advisor:hunter2-secret@127.0.0.1:1/advisor' });
    await s.start();
    expect((await s.readiness()).ready).toBe(false);
    expect(errors).toContain('open');
    expect(await s.claim('k', 1000, 'act')).toBe(true);
    expect(logs.raw).not.toContain('hunter2-secret');
    expect(logs.raw).toMatch(/ECONNREFUSED/);
  });
});

describe('a working store', () => {
  it('SQLite: creates DATA_DIR and its file on first start, migrates, and writes what the recorder was handed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-fresh-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const target = sqliteTarget(path.join(dir, 'nested', 'data'));
    const { s, logs, errors } = service(target);
    await s.start();
    expect(await s.readiness()).toEqual({ ready: true, store: 'sqlite' });
    expect(logs.lines.some((l) => /store ready \(sqlite\); applied migrations 0001-initial/.test(l.msg))).toBe(true);
    const rec = recommendationRecord({ customer: 'Acme', country: 'IN', needs: [] });
    s.recorder.recommendation(rec);
    s.recorder.question({ id: newQuestionId(), platform: 'teams', userId: 'aad-1', text: 'payments?', topic: null, confidence: 0.1 });
    await s.recorder.flush();
    const history = await s.store!.history({ scope: 'all' });
    expect(history.map((r) => r.id)).toEqual([rec.id]);
    expect((await s.store!.report(new Date(0))).unanswered).toEqual([{ question: 'payments?', count: 1 }]);
    expect(errors).toEqual([]);
  });

  it('enforces RETENTION_DAYS', async () => {
    const t = await sqliteTestStore();
    cleanups.push(() => t.cleanup());
    await t.store.recordRecommendations([
      recommendationRecord({ customer: 'Old', country: 'IN', needs: [] }, { at: Date.now() - 40 * DAY }),
      recommendationRecord({ customer: 'Recent', country: 'IN', needs: [] }, { at: Date.now() - 10 * DAY }),
    ]);
    const { s } = service(t.target, 30);
    await s.start();
    await s.prune();
    expect((await s.store!.history({ scope: 'all', since: new Date(0) })).map((r) => r.customer)).toEqual(['Recent']);
  });

  it.skipIf(SKIP_POSTGRES)('PostgreSQL: two replicas\' services claim each delivery once between them', async () => {
    const t = await postgresTestStore();
    cleanups.push(() => t.cleanup());
    const a = service(t.target).s;
    const b = service(t.target).s;
    await Promise.all([a.start(), b.start()]);
    expect((await a.readiness()).ready && (await b.readiness()).ready).toBe(true);
    const keys = Array.from({ length: 20 }, (_, i) => `slack:retry:Ev${i}`);
    const wins = await Promise.all(keys.map(async (k) => (await Promise.all([a.claim(k, 60_000, 'act'), b.claim(k, 60_000, 'act')])).filter(Boolean).length));
    expect(wins).toEqual(keys.map(() => 1));
  });

  it('a second process reading the same SQLite file sees what the first wrote (the CLI beside the server)', async () => {
    const t = await sqliteTestStore();
    cleanups.push(() => t.cleanup());
    const { s } = service(t.target);
    await s.start();
    s.recorder.recommendation(recommendationRecord({ customer: 'Shared', country: 'IN', needs: [] }));
    await s.recorder.flush();
    const reader = await openStore(t.target, { create: false });
    cleanups.push(() => reader.close());
    expect((await reader.history({ scope: 'all' })).map((r) => r.customer)).toEqual(['Shared']);
  });
});

describe('two stores migrating one new SQLite file at once (replicas started together)', () => {
  it('both are migrated and ready at their first attempt: the second waits for the first instead of failing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-two-migrate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (let round = 0; round < 5; round++) {
      const target = sqliteTarget(path.join(dir, `round-${round}`));
      const a = service(target);
      const b = service(target);
      // reopenMs is a minute: a store whose first open-and-migrate failed would not be ready within this test.
      await Promise.all([a.s.start(), b.s.start()]);
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
      expect((await a.s.readiness()).ready).toBe(true);
      expect((await b.s.readiness()).ready).toBe(true);
    }
  });
});
