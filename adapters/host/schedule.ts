import { Cron } from 'croner';
import type { Logger } from 'pino';
import { DAY_MS, HOUR_MS } from '../../src/time.ts';
import { scheduleProblem, timezoneProblem } from '../schedule-spec.ts';

export { scheduleProblem, timezoneProblem };

// Jobs on a schedule (the owners' weekly report; verification reminders, source watch and recheck register theirs),
// run exactly once per slot across replicas:
// - A schedule is a cron pattern of 5 fields (minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly,
//   in an IANA time zone (croner computes the slots, daylight saving included). `dailyAt(9)` writes one.
// - Every replica keeps a timer to the next slot. When a slot is due, each replica claims it in the store under a key
//   naming the job and the slot (`job:report:2026-12-14T09:00Z`); the one that wins runs the job, the others skip it.
//   The claim outlives the catch-up window, so no replica can claim the same slot again later.
// - Catch-up: a replica that starts (or wakes) after a slot it has not handled, less than `catchUpMs` (default one
//   day) after it, claims and runs that slot; an older slot is skipped (a report a week late is no use; the next slot
//   comes). Only the latest due slot is run, never a backlog. So a deploy or a restart across the slot still sends
//   once, and a replica that comes back after another has run the slot finds the claim taken.
// - When the store cannot say whether the slot is taken (not open yet, down, too slow), the slot is not run on that
//   tick (nothing is better than a duplicate report) and is claimed again `retryMs` later, while it is within the
//   catch-up window. So the scheduler can start before the store is open.
// - A job's run is at most once per slot: a job that fails is logged at error with the slot; it retries what it
//   wants to retry itself (the report retries each failed delivery a few times).
// - The clock is injectable: tests move a fake clock and call tick().

export interface Clock {
  now(): number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

export interface ScheduledJob {
  /** A short name, unique among jobs: part of the claim key and of the log lines ("report", "reminders"). */
  name: string;
  /** A cron pattern (5 fields) or @hourly / @daily / @weekly. */
  schedule: string;
  /** IANA time zone of the schedule (default: the scheduler's, else UTC). */
  timezone?: string;
  /** The work of one slot; `slot` is the time it was due. Errors are logged by the scheduler. */
  run(slot: Date): Promise<void>;
}

export interface SchedulerOptions {
  /**
   * Claims a key across replicas for ttlMs: true for exactly one caller, false when another has it, 'unsure' when the
   * store cannot say (the slot is then tried again later).
   */
  claim(key: string, ttlMs: number): Promise<boolean | 'unsure'>;
  logger: Logger;
  clock?: Clock;
  /** The time zone of jobs that name none (default UTC). */
  timezone?: string;
  /** How late a slot may still be run, by a replica that was down or busy at the time (default one day). */
  catchUpMs?: number;
  /** The longest a timer sleeps before checking again (default one hour: clock changes and long sleeps). */
  maxSleepMs?: number;
  /** How soon a slot the store could not settle is claimed again (default one minute). */
  retryMs?: number;
}

/** A schedule that runs every day at hour:minute. */
export const dailyAt = (hour: number, minute = 0): string => `${minute} ${hour} * * *`;

/** The claim key of a job's slot: `job:<name>:<slot in UTC, to the minute>`. */
export const slotKey = (name: string, slot: Date): string => `job:${name}:${slot.toISOString().slice(0, 16)}Z`;

interface Entry {
  job: ScheduledJob;
  cron: Cron;
  /** The latest slot this replica has handled (run, or found taken, or skipped as too old). */
  handled: number | undefined;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly catchUpMs: number;
  private readonly maxSleepMs: number;
  private readonly retryMs: number;
  /** A slot could not be claimed for want of a store: the timer comes back within retryMs. */
  private retrySoon = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly runningNames = new Set<string>();
  private ticking: Promise<void> | undefined;
  /** When the last tick looked for due slots: a slot due after it came while that tick ran its jobs. */
  private scannedAt: number | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.catchUpMs = options.catchUpMs ?? DAY_MS;
    this.maxSleepMs = options.maxSleepMs ?? HOUR_MS;
    this.retryMs = options.retryMs ?? 60_000;
  }

  /** Registers a job; throws on a bad schedule or a name already taken (a programming or configuration error). */
  add(job: ScheduledJob): void {
    if (this.entries.has(job.name)) throw new Error(`a job named ${job.name} is already scheduled`);
    const timezone = job.timezone ?? this.options.timezone ?? 'UTC';
    const problem = timezoneProblem(timezone) ?? scheduleProblem(job.schedule, timezone);
    if (problem) throw new Error(`job ${job.name}: ${problem}`);
    this.entries.set(job.name, { job, cron: new Cron(job.schedule.trim(), { paused: true, timezone }), handled: undefined });
    if (this.started) this.arm();
  }

  /** The next slot of a job after now (for logs and tests). */
  next(name: string): Date | undefined {
    return this.entries.get(name)?.cron.nextRun(new Date(this.clock.now())) ?? undefined;
  }

  /** Starts the timers, and catches up on a slot missed less than catchUpMs ago. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const { job } of this.entries.values()) {
      this.options.logger.info({ job: job.name, schedule: job.schedule, timezone: job.timezone ?? this.options.timezone ?? 'UTC', next: this.next(job.name)?.toISOString() }, `scheduled job ${job.name}`);
    }
    void this.tick();
  }

  /**
   * Runs every job whose latest slot is due and not yet handled by this replica, within the catch-up window, each
   * claimed first; then sets the timer to the next slot. Resolves when the claims are settled and the runs started
   * here have finished.
   */
  tick(): Promise<void> {
    this.ticking ??= this.runDue().finally(() => {
      this.ticking = undefined;
      this.arm();
    });
    return this.ticking;
  }

  private async runDue(): Promise<void> {
    const now = this.clock.now();
    this.scannedAt = now;
    const runs: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      const [latest] = entry.cron.previousRuns(1, new Date(now + 1));
      if (!latest) continue;
      const slot = latest.getTime();
      if (entry.handled !== undefined && slot <= entry.handled) continue;
      const before = entry.handled;
      entry.handled = slot;
      if (now - slot >= this.catchUpMs) continue; // too old: the next slot will come
      runs.push(
        this.runSlot(entry.job, latest).then((outcome) => {
          if (outcome !== 'unsure') return;
          entry.handled = before;
          this.retrySoon = true;
        }),
      );
    }
    await Promise.all(runs);
  }

  private async runSlot(job: ScheduledJob, slot: Date): Promise<'ran' | 'taken' | 'unsure'> {
    const key = slotKey(job.name, slot);
    const log = this.options.logger;
    let ours: boolean | 'unsure';
    try {
      // Held well past the catch-up window: no replica may take this slot again.
      ours = await this.options.claim(key, this.catchUpMs * 2);
    } catch (err) {
      log.warn({ job: job.name, slot: slot.toISOString(), err: { message: (err as Error).message } }, `job ${job.name}: could not claim its slot; trying again in ${Math.round(this.retryMs / 1000)} s`);
      return 'unsure';
    }
    if (ours === 'unsure') {
      log.warn({ job: job.name, slot: slot.toISOString() }, `job ${job.name}: the store cannot say whether the slot of ${slot.toISOString()} is taken; not run now, trying again in ${Math.round(this.retryMs / 1000)} s`);
      return 'unsure';
    }
    if (!ours) {
      log.debug({ job: job.name, slot: slot.toISOString() }, `job ${job.name}: slot of ${slot.toISOString()} taken by another replica; not run here`);
      return 'taken';
    }
    const started = this.clock.now();
    log.info({ job: job.name, slot: slot.toISOString(), late: started - slot.getTime() > 60_000 ? `${Math.round((started - slot.getTime()) / 60_000)} min` : undefined }, `job ${job.name}: running the slot of ${slot.toISOString()}`);
    const run = (async () => {
      try {
        await job.run(slot);
        log.info({ job: job.name, slot: slot.toISOString() }, `job ${job.name}: done`);
      } catch (err) {
        log.error({ job: job.name, slot: slot.toISOString(), err: { message: (err as Error)?.message ?? String(err) } }, `job ${job.name} failed for the slot of ${slot.toISOString()} (not run again for this slot)`);
      }
    })();
    this.running.add(run);
    this.runningNames.add(job.name);
    try {
      await run;
    } finally {
      this.running.delete(run);
      this.runningNames.delete(job.name);
    }
    return 'ran';
  }

  /** Sets the timer to the earliest next slot (at most maxSleepMs away). */
  private arm(): void {
    if (!this.started || this.stopped) return;
    clearTimeout(this.timer);
    const now = this.clock.now();
    let wait = this.retrySoon ? this.retryMs : this.maxSleepMs;
    this.retrySoon = false;
    for (const entry of this.entries.values()) {
      const next = entry.cron.nextRun(new Date(now));
      if (next) wait = Math.min(wait, Math.max(0, next.getTime() - now));
      // A slot that came due while the last tick ran a job (a long run, a catch-up at start): tick again at once,
      // rather than at the next slot or maxSleepMs later.
      const [latest] = entry.cron.previousRuns(1, new Date(now + 1));
      if (latest && this.scannedAt !== undefined && latest.getTime() > this.scannedAt) wait = 0;
    }
    // A few milliseconds past the slot, so the slot is due when the timer fires.
    this.timer = setTimeout(() => void this.tick(), wait + 5);
    this.timer.unref();
  }

  /**
   * Stops the timers and waits for runs in progress, at most `waitMs`: true when none is left running. A run cut
   * short by the process ending is not run again (its slot was claimed); its job says what it had done in the log.
   */
  async stop(waitMs = Infinity): Promise<boolean> {
    this.stopped = true;
    clearTimeout(this.timer);
    const all = Promise.allSettled([...this.running]).then(() => true);
    if (!Number.isFinite(waitMs)) return all;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
      timer.unref();
    });
    const finished = await Promise.race([all, late]);
    clearTimeout(timer);
    return finished;
  }

  /** The jobs running now, by name (for the log when a stop cannot wait for them). */
  runningJobs(): string[] {
    return [...this.runningNames];
  }
}
