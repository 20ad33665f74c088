import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { dailyAt, Scheduler, scheduleProblem, slotKey, timezoneProblem, type Clock } from '../../adapters/host/schedule.ts';
import { loadConfig } from '../../adapters/config.ts';
import type { Store } from '../../adapters/store/store.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { postgresTestStore, sqliteTestStore, type TestStore } from '../helpers/store.ts';
import { startTestProduct } from '../helpers/product.ts';
import { SCHEDULED_STOP_WAIT_MS } from '../../adapters/host/start.ts';

// The scheduler (adapters/host/schedule.ts) with a fake clock: a slot runs when due and once; a replica that was down
// catches up on a slot less than a day old, not an older one; a store that cannot answer delays the slot, never
// runs it twice; two replicas on one store (SQLite file, PostgreSQL schema) run each slot once between them.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const silent = pino({ level: 'silent' });

class FakeClock implements Clock {
  constructor(public t: number) {}
  now() {
    return this.t;
  }
  set(iso: string) {
    this.t = Date.parse(iso);
  }
}

/** Claims in memory, as one store would answer them; `unsure` makes it answer as a store that is down. */
function memoryClaims() {
  const taken = new Map<string, number>();
  const claims = {
    unsure: false,
    keys: [] as string[],
    ttls: [] as number[],
    claim: async (key: string, ttlMs: number): Promise<boolean | 'unsure'> => {
      if (claims.unsure) return 'unsure';
      claims.keys.push(key);
      claims.ttls.push(ttlMs);
      if (taken.has(key)) return false;
      taken.set(key, ttlMs);
      return true;
    },
  };
  return claims;
}

/** Waits (real time, bounded) until `done` holds: for work the scheduler's own timers start. */
async function until(done: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});

function scheduler(claim: (key: string, ttlMs: number) => Promise<boolean | 'unsure'>, clock: Clock, timezone = 'UTC') {
  const s = new Scheduler({ claim, clock, logger: silent, timezone });
  schedulers.push(s);
  return s;
}

describe('the scheduler', () => {
  it('a stop waits for a run in progress at most the time it is given, and says which job it left', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T08:30:00Z'));
    const s = scheduler(memoryClaims().claim, clock);
    let release!: () => void;
    s.add({ name: 'hangs', schedule: dailyAt(8), run: () => new Promise<void>((r) => (release = r)) });
    void s.tick();
    await until(() => s.runningJobs().length === 1);
    expect(s.runningJobs()).toEqual(['hangs']);
    await expect(s.stop(50)).resolves.toBe(false);
    release();
    await expect(s.stop(1000)).resolves.toBe(true);
    expect(s.runningJobs()).toEqual([]);
  });

  it('the product stops within its bound while a scheduled job hangs, and logs which one', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T08:30:00Z'));
    const product = await startTestProduct({}, { clock });
    await product.storeStarted;
    product.scheduler.add({ name: 'stuck-job', schedule: dailyAt(8), run: () => new Promise<void>(() => {}) });
    void product.scheduler.tick();
    await until(() => product.scheduler.runningJobs().includes('stuck-job'));
    // Before, stop() waited for the job for ever (main.ts's backstop then exited 1 with the store not flushed).
    const stopped = await Promise.race([product.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), SCHEDULED_STOP_WAIT_MS + 8000))]);
    expect(stopped).toBe('stopped');
    expect(product.logs.lines.some((l) => l.level === 40 && /stopping while stuck-job still ran/.test(l.msg))).toBe(true);
  });

  it('a slot that comes due while another job runs is run when that run ends, not at the next slot', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T08:30:00Z'));
    const s = scheduler(memoryClaims().claim, clock);
    let release!: () => void;
    const ran: string[] = [];
    // The daily job's 08:00 slot is caught up on at start and takes a while; the report's 09:00 slot passes meanwhile.
    s.add({ name: 'daily', schedule: dailyAt(8), run: () => new Promise<void>((r) => (release = () => (ran.push('daily'), r()))) });
    s.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void ran.push(`report ${slot.toISOString()}`) });
    s.start();
    await until(() => release !== undefined);
    clock.set('2026-12-14T09:00:01Z');
    release();
    await until(() => ran.length === 2);
    expect(ran).toEqual(['daily', 'report 2026-12-14T09:00:00.000Z']);
  });

  it('runs a job at its slot, once, and not before', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T08:59:00Z')); // a Monday, a minute early
    const runs: string[] = [];
    const claims = memoryClaims();
    const s = scheduler(claims.claim, clock);
    s.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(slot.toISOString()) });
    // The previous Monday's slot is a week old: past the catch-up window, not run.
    await s.tick();
    expect(runs).toEqual([]);
    expect(s.next('report')?.toISOString()).toBe('2026-12-14T09:00:00.000Z');
    clock.set('2026-12-14T09:00:00Z');
    await s.tick();
    clock.set('2026-12-14T09:30:00Z');
    await s.tick();
    expect(runs).toEqual(['2026-12-14T09:00:00.000Z']);
    expect(claims.keys).toEqual(['job:report:2026-12-14T09:00Z']);
    // Held past the catch-up window (a day), so a replica catching up cannot claim a slot already run.
    expect(claims.ttls[0]).toBeGreaterThan(DAY);
    clock.set('2026-12-21T09:00:01Z');
    await s.tick();
    expect(runs).toEqual(['2026-12-14T09:00:00.000Z', '2026-12-21T09:00:00.000Z']);
  });

  it('reads the schedule in its time zone (09:00 in Paris is 08:00 UTC in winter, 07:00 in summer)', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T07:59:00Z'));
    const runs: string[] = [];
    const s = scheduler(memoryClaims().claim, clock, 'Europe/Paris');
    s.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(slot.toISOString()) });
    expect(s.next('report')?.toISOString()).toBe('2026-12-14T08:00:00.000Z');
    clock.set('2026-12-14T08:00:00Z');
    await s.tick();
    expect(runs).toEqual(['2026-12-14T08:00:00.000Z']);
    clock.set('2027-06-07T06:59:00Z');
    expect(s.next('report')?.toISOString()).toBe('2027-06-07T07:00:00.000Z');
  });

  it('a replica started less than a day after a slot it missed runs it once; one started later does not', async () => {
    const claims = memoryClaims();
    const late = new FakeClock(Date.parse('2026-12-14T20:00:00Z'));
    const runs: string[] = [];
    const a = scheduler(claims.claim, late);
    a.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(`a ${slot.toISOString()}`) });
    await a.tick();
    expect(runs).toEqual(['a 2026-12-14T09:00:00.000Z']);
    // Another replica starting the same evening finds the slot taken.
    const b = scheduler(claims.claim, late);
    b.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(`b ${slot.toISOString()}`) });
    await b.tick();
    expect(runs).toEqual(['a 2026-12-14T09:00:00.000Z']);
    // A replica of a deployment down for more than a day skips the old slot.
    const tooLate = new FakeClock(Date.parse('2026-12-15T09:00:00Z'));
    const c = scheduler(memoryClaims().claim, tooLate);
    c.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(`c ${slot.toISOString()}`) });
    await c.tick();
    expect(runs).toEqual(['a 2026-12-14T09:00:00.000Z']);
  });

  it('a store that cannot say delays the slot, which runs once when it answers', async () => {
    const claims = memoryClaims();
    const clock = new FakeClock(Date.parse('2026-12-14T09:00:00Z'));
    const runs: string[] = [];
    const s = scheduler(claims.claim, clock);
    s.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => void runs.push(slot.toISOString()) });
    claims.unsure = true;
    await s.tick();
    expect(runs).toEqual([]);
    claims.unsure = false;
    clock.set('2026-12-14T09:01:00Z');
    await s.tick();
    await s.tick();
    expect(runs).toEqual(['2026-12-14T09:00:00.000Z']);
  });

  it('a job that fails is logged with its slot and not run again for that slot', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const clock = new FakeClock(Date.parse('2026-12-15T00:00:00Z'));
    const s = new Scheduler({ claim: memoryClaims().claim, clock, logger });
    schedulers.push(s);
    let calls = 0;
    s.add({ name: 'reminders', schedule: dailyAt(0), run: async () => void (calls++, (() => { throw new Error('boom'); })()) });
    await s.tick();
    await s.tick();
    expect(calls).toBe(1);
    expect(lines.find((l) => l.level === 50)).toMatchObject({ job: 'reminders', slot: '2026-12-15T00:00:00.000Z', err: { message: 'boom' } });
  });

  it('runs only the latest due slot, never a backlog', async () => {
    const clock = new FakeClock(Date.parse('2026-12-14T10:30:00Z'));
    const runs: string[] = [];
    const s = scheduler(memoryClaims().claim, clock);
    s.add({ name: 'hourly', schedule: '@hourly', run: async (slot) => void runs.push(slot.toISOString()) });
    await s.tick();
    expect(runs).toEqual(['2026-12-14T10:00:00.000Z']);
  });

  it('its timer wakes it at the slot once started (a clock 100 ms before a slot)', async () => {
    const offset = Date.parse('2026-12-14T08:59:59.900Z') - Date.now();
    const clock: Clock = { now: () => Date.now() + offset };
    let ran!: (slot: string) => void;
    const fired = new Promise<string>((resolve) => (ran = resolve));
    const s = scheduler(memoryClaims().claim, clock);
    s.add({ name: 'report', schedule: '0 9 * * 1', run: async (slot) => ran(slot.toISOString()) });
    s.start();
    expect(await fired).toBe('2026-12-14T09:00:00.000Z');
  });

  it('refuses a bad schedule, a bad zone and a name taken twice, saying why', () => {
    const s = scheduler(memoryClaims().claim, new FakeClock(0));
    expect(() => s.add({ name: 'x', schedule: '0 9 * *', run: async () => {} })).toThrow(/job x: "0 9 \* \*" does not have 5 fields/);
    expect(() => s.add({ name: 'x', schedule: '0 25 * * 1', run: async () => {} })).toThrow(/job x: "0 25 \* \* 1" is not a cron schedule: .*hour/);
    expect(() => s.add({ name: 'x', schedule: '0 9 * * 1', timezone: 'Mars/Base', run: async () => {} })).toThrow(/not an IANA time zone/);
    s.add({ name: 'x', schedule: '0 9 * * 1', run: async () => {} });
    expect(() => s.add({ name: 'x', schedule: '0 9 * * 1', run: async () => {} })).toThrow(/already scheduled/);
    expect(scheduleProblem('@weekly')).toBeUndefined();
    expect(timezoneProblem('America/New_York')).toBeUndefined();
    expect(slotKey('report', new Date('2026-12-14T09:00:00Z'))).toBe('job:report:2026-12-14T09:00Z');
  });

  it('REPORT_SCHEDULE and REPORT_TZ are checked at start with clear messages; the default is Mondays 09:00 UTC', () => {
    const ok = loadConfig({});
    expect(ok.ok && ok.config.report).toEqual({ schedule: '0 9 * * 1', timezone: 'UTC' });
    const bad = loadConfig({ REPORT_SCHEDULE: 'every monday', REPORT_TZ: 'Paris' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      expect.stringMatching(/^REPORT_TZ: "Paris" is not an IANA time zone such as UTC, Europe\/Paris/),
      expect.stringMatching(/^REPORT_SCHEDULE: "every monday" does not have 5 fields .*e\.g\. "0 9 \* \* 1"/),
    ]);
    const paris = loadConfig({ REPORT_SCHEDULE: '30 8 * * 5', REPORT_TZ: 'Europe/Paris' });
    expect(paris.ok && paris.config.report).toEqual({ schedule: '30 8 * * 5', timezone: 'Europe/Paris' });
  });
});

/** Two replicas on one store, at the same slot: the job runs once between them. */
function twoReplicas(kind: string, make: () => Promise<TestStore>) {
  it(`two replicas on one ${kind} store run a slot once between them (20 slots)`, async () => {
    const t = await make();
    try {
      const other: Store = await t.reopen();
      const runs: string[] = [];
      const clock = new FakeClock(Date.parse('2026-12-14T09:00:00Z'));
      const claimOn = (store: Store) => (key: string, ttlMs: number) => store.claim(key, ttlMs, clock.now());
      const a = scheduler(claimOn(t.store), clock);
      const b = scheduler(claimOn(other), clock);
      a.add({ name: 'report', schedule: '@hourly', run: async (slot) => void runs.push(`a ${slot.toISOString()}`) });
      b.add({ name: 'report', schedule: '@hourly', run: async (slot) => void runs.push(`b ${slot.toISOString()}`) });
      for (let i = 0; i < 20; i++) {
        clock.t = Date.parse('2026-12-14T09:00:00Z') + i * HOUR;
        await Promise.all([a.tick(), b.tick()]);
      }
      const slots = runs.map((r) => r.slice(2));
      expect(slots).toHaveLength(20);
      expect(new Set(slots).size).toBe(20);
    } finally {
      await t.cleanup();
    }
  });
}

describe('the scheduler across replicas', () => {
  twoReplicas('SQLite', sqliteTestStore);
  describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => twoReplicas('PostgreSQL', postgresTestStore));
});
