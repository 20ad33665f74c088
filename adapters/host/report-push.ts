import type { Logger } from 'pino';
import type { Knowledge, ReportReply } from '../../src/index.ts';
import type { Notifier, NotifyPlatform, Sent } from '../notify.ts';
import { reportFor } from '../store/answers.ts';
import type { StoreService } from '../store/service.ts';
import type { Metrics } from './metrics.ts';
import { slotKey, type ScheduledJob } from './schedule.ts';

// The knowledge owner's weekly report, brought to the owners: at each REPORT_SCHEDULE slot (in REPORT_TZ), the same
// report `report` shows (adapters/store/answers.ts's reportFor: the last 7 days up to the slot, with every section
// any feature adds there) goes to every KNOWLEDGE_OWNERS id, as a Slack DM or a Teams proactive message (Notifier).
// - Exactly once across replicas: the slot is claimed by the scheduler (schedule.ts), and each owner's delivery is
//   claimed again under `report:sent:<slot>:<platform>:<id>` before it is sent, so nothing can send it twice.
// - A delivery that fails with a fault that may pass (a rate limit, a connector or Slack that does not answer, Slack
//   not connected yet) is tried again, at most `retryDelaysMs.length` more times; one that cannot work (an unknown
//   user, a channel the app cannot see, no Teams conversation) is not. Every failure is logged with its reason, and
//   counted in coexist_reports_pushed_total{platform,outcome}.
// - Which platform: a Slack user id (U… or W…) goes to Slack; any other id is taken as a Teams AAD object id. An id
//   whose platform is off is skipped (counted, and logged once per slot).

export interface ReportPushOptions {
  owners: readonly string[];
  knowledge: Knowledge;
  store: StoreService;
  notifier: Notifier;
  /** The platforms configured on this deployment (Slack may not be connected yet; a send then fails and is retried). */
  configured: ReadonlySet<NotifyPlatform>;
  logger: Logger;
  metrics?: Metrics;
  /** Waits before each retry of a delivery that may work later (default 5 s, then 30 s: two retries). */
  retryDelaysMs?: readonly number[];
}

export interface ReportPushSummary {
  sent: string[];
  failed: { id: string; platform: NotifyPlatform; error: string }[];
  skipped: string[];
}

const DEFAULT_RETRY_DELAYS_MS = [5000, 30_000];
/** Held past the scheduler's catch-up window (a day), as the slot's own claim. */
const SENT_CLAIM_MS = 2 * 24 * 3_600_000;

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/i;

/** The platform an owner id belongs to: Slack user ids are U… or W…; anything else is a Teams AAD object id. */
export const ownerPlatform = (id: string): NotifyPlatform => (SLACK_USER.test(id) ? 'slack' : 'teams');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scheduled job: the report at each slot of `schedule` in `timezone`. */
export function reportJob(options: ReportPushOptions, schedule: { schedule: string; timezone: string }): ScheduledJob {
  return {
    name: 'report',
    schedule: schedule.schedule,
    timezone: schedule.timezone,
    run: async (slot) => {
      await pushReport(options, slot);
    },
  };
}

/** Sends the report of the 7 days up to `slot` to every owner, once; resolves with what happened to each. */
export async function pushReport(options: ReportPushOptions, slot: Date): Promise<ReportPushSummary> {
  const log = options.logger.child({ component: 'report-push', slot: slot.toISOString() });
  const summary: ReportPushSummary = { sent: [], failed: [], skipped: [] };
  if (options.owners.length === 0) {
    log.info('weekly report: KNOWLEDGE_OWNERS is empty, nobody to send it to');
    return summary;
  }
  const report = await readReport(options, slot, log);
  const off = options.owners.filter((id) => !options.configured.has(ownerPlatform(id)));
  if (off.length > 0) {
    summary.skipped.push(...off);
    for (const id of off) options.metrics?.reportPushed(ownerPlatform(id), 'skipped');
    log.warn({ owners: off }, `weekly report not sent to ${off.length} KNOWLEDGE_OWNERS id(s) whose platform is off on this deployment (Slack ids U…/W…: Slack; others: Teams)`);
  }
  await Promise.all(
    options.owners
      .filter((id) => options.configured.has(ownerPlatform(id)))
      .map(async (id) => {
        const platform = ownerPlatform(id);
        const outcome = await deliver(options, { id, platform }, report, slot, log);
        if (outcome === 'taken') return;
        if (outcome.ok) summary.sent.push(id);
        else summary.failed.push({ id, platform, error: outcome.error });
        options.metrics?.reportPushed(platform, outcome.ok ? 'sent' : 'failed');
      }),
  );
  log.info({ sent: summary.sent.length, failed: summary.failed.length, skipped: summary.skipped.length }, `weekly report sent to ${summary.sent.length} of ${options.owners.length} knowledge owner(s)`);
  return summary;
}

/** The report as an owner would get it from `report`; the store is asked again if it does not answer at once. */
async function readReport(options: ReportPushOptions, slot: Date, log: Logger): Promise<ReportReply> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    const report = await reportFor(options.store, options.knowledge, { owner: true }, slot);
    if (!report.unavailable) return report;
    if (attempt >= delays.length) {
      for (const id of options.owners) options.metrics?.reportPushed(options.configured.has(ownerPlatform(id)) ? ownerPlatform(id) : 'unknown', 'failed');
      throw new Error(`the store did not answer the report's figures (${report.unavailable}); the weekly report was not sent`);
    }
    log.warn({ attempt: attempt + 1 }, 'weekly report: the store did not answer its figures; asking again');
    await sleep(delays[attempt]!);
  }
}

/** One owner's delivery: claimed, then sent, retried while the fault may pass. 'taken': already sent by someone. */
async function deliver(options: ReportPushOptions, to: { id: string; platform: NotifyPlatform }, report: ReportReply, slot: Date, log: Logger): Promise<Sent | 'taken'> {
  const key = `report:sent:${slotKey('report', slot).slice('job:report:'.length)}:${to.platform}:${to.id.toLowerCase()}`;
  if (!(await options.store.claim(key, SENT_CLAIM_MS, 'skip'))) {
    log.info({ owner: to.id, platform: to.platform }, 'weekly report: already sent to this owner for this slot (or the store could not say); not sent again');
    return 'taken';
  }
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const userId = to.platform === 'slack' ? to.id.toUpperCase() : to.id;
  for (let attempt = 0; ; attempt++) {
    const sent = await options.notifier.send({ kind: 'person', platform: to.platform, userId }, report);
    if (sent.ok) {
      log.info({ owner: to.id, platform: to.platform, conversation: sent.channelId, attempts: attempt + 1 }, 'weekly report sent');
      return sent;
    }
    const last = !sent.retryable || attempt >= delays.length;
    if (last) {
      log.error({ owner: to.id, platform: to.platform, error: sent.error, retryable: sent.retryable, attempts: attempt + 1 }, `weekly report not delivered to ${to.id}: ${sent.error}`);
      return sent;
    }
    log.warn({ owner: to.id, platform: to.platform, error: sent.error, attempt: attempt + 1 }, `weekly report to ${to.id} failed (${sent.error}); trying again`);
    await sleep(delays[attempt]!);
  }
}
