import type { Logger } from 'pino';
import { AAD_OBJECT_ID, SLACK_USER_ID, presentVerifyReminder, topicReviews, type Knowledge } from '../../src/index.ts';
import type { Destination, Notifier, NotifyPlatform } from '../notify.ts';
import { knowledgeVersion } from '../store/knowledge-version.ts';
import type { StoreService } from '../store/service.ts';
import type { Verifications } from '../store/verifications.ts';

// The verifiers' reminders: once a day (a job of the scheduler), every topic that has fallen due and whose reminder
// for that due day was not sent yet is claimed in the store (verification_reminders: insert-if-absent, so with several
// replicas one sends) and sent to each of its verifiers through the Notifier: a Slack DM or a Teams message.

/** The hour of the day (in REPORT_TZ) the daily reminder job runs. */
export const REMINDER_HOUR = 8;

/** The platform a verifier id belongs to, by its shape (schema.ts checks every id has one of the two). */
export function verifierPlatform(id: string): NotifyPlatform | undefined {
  if (SLACK_USER_ID.test(id)) return 'slack';
  if (AAD_OBJECT_ID.test(id)) return 'teams';
  return undefined;
}

export interface ReminderDeps {
  store: StoreService;
  knowledge: Knowledge;
  verifications: Verifications;
  notifier: Notifier;
  logger: Logger;
}

/** What one run did, per topic reminded: to whom it went, and what failed. */
export interface ReminderRun {
  /** Topics this run claimed and reminded (at least one verifier reached), with the due day. */
  sent: { topic: string; dueOn: string; to: string[] }[];
  /** Per topic and verifier, what could not be delivered (in words). */
  failed: { topic: string; to: string; error: string }[];
  /** Due topics with no verifier in their file (they are in the report's "Out of date" section). */
  unassigned: string[];
  /** Due topics whose reminder for this due day another run (or replica) already claimed. */
  already: string[];
}

/**
 * Sends the reminders due at `now`. Never throws. A topic whose reminder reached none of its verifiers is given back,
 * whatever the failure, so the next run (the next day) tries again: a "cannot be reached" today (a Teams user who never
 * messaged the bot, a Slack user not found) may be reachable tomorrow, and the due day does not move by itself. Once
 * one verifier got it, it stays claimed for that due day.
 */
export async function remindVerifiers(deps: ReminderDeps, now: number): Promise<ReminderRun> {
  const run: ReminderRun = { sent: [], failed: [], unassigned: [], already: [] };
  // A verification made on another replica since the last refresh moves the due day: read the store first.
  await deps.verifications.refresh();
  const version = knowledgeVersion(deps.knowledge);
  for (const review of topicReviews(deps.knowledge, deps.verifications.state(now))) {
    if (!review.due) continue;
    if (review.verifiers.length === 0) {
      run.unassigned.push(review.topic);
      continue;
    }
    const claimed = await deps.store.claimReminder(review.topic, review.dueOn);
    if (claimed === undefined) {
      deps.logger.warn({ topic: review.topic, dueOn: review.dueOn }, 'verification reminder not sent: the store did not answer the claim; the next run tries again');
      continue;
    }
    if (!claimed) {
      run.already.push(review.topic);
      continue;
    }
    const reply = presentVerifyReminder(deps.knowledge, review, version);
    if (!reply) continue;
    const to: string[] = [];
    for (const id of review.verifiers) {
      const platform = verifierPlatform(id);
      if (!platform) continue;
      const destination: Destination = { kind: 'person', platform, userId: id };
      const sent = await deps.notifier.send(destination, reply).catch((err: unknown) => ({ ok: false as const, error: (err as Error).message ?? String(err), retryable: true }));
      if (sent.ok) to.push(id);
      else {
        run.failed.push({ topic: review.topic, to: id, error: sent.error });
        deps.logger.warn({ topic: review.topic, verifier: id, platform, error: sent.error, retryable: sent.retryable }, `verification reminder for ${review.topic} not delivered to ${id}: ${sent.error}`);
      }
    }
    if (to.length > 0) {
      run.sent.push({ topic: review.topic, dueOn: review.dueOn, to });
      deps.logger.info({ topic: review.topic, dueOn: review.dueOn, verifiers: to.length }, `verification reminder for ${review.topic} sent`);
    } else await deps.store.releaseReminder(review.topic, review.dueOn);
  }
  return run;
}
