import { Cron } from 'croner';

// What a schedule may be (the scheduler, adapters/host/schedule.ts, and the configuration's REPORT_SCHEDULE and
// REPORT_TZ, adapters/config.ts): a cron pattern of 5 fields or @hourly / @daily / @weekly, in an IANA time zone.
// croner parses the patterns and computes the slots, time zones and daylight saving included.

/**
 * Whether `schedule` in `timezone` is a schedule the scheduler takes: undefined when it is, else what is wrong (for
 * configuration messages).
 */
export function scheduleProblem(schedule: string, timezone = 'UTC'): string | undefined {
  const pattern = schedule.trim();
  if (!pattern.startsWith('@') && pattern.split(/\s+/).length !== 5) return `"${pattern.slice(0, 80)}" does not have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1" for Mondays at 09:00`;
  try {
    new Cron(pattern, { paused: true, timezone }).nextRun();
    return undefined;
  } catch (err) {
    return `"${pattern.slice(0, 80)}" is not a cron schedule: ${(err as Error).message.replace(/^Cron\w*: /, '')}`;
  }
}

/** Whether `timezone` is an IANA time zone this runtime knows. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `"${timezone.slice(0, 80)}" is not an IANA time zone such as UTC, Europe/Paris or America/New_York`;
  }
}
