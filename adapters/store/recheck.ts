import type { Logger } from 'pino';
import { basisOf, presentRecheckNote, recheck, type Knowledge, type Recheck } from '../../src/index.ts';
import { DAY_MS, HOUR_MS } from '../../src/time.ts';
import type { Destination, Notifier, NotifyPlatform } from '../notify.ts';
import { knowledgeVersion } from './knowledge-version.ts';
import type { StoredRecommendation } from './records.ts';
import type { RecheckCounts, Store } from './store.ts';

// Posted recommendations stay current. After a deploy with a new knowledge version, one replica (the one whose
// claim on the version lands: table recheck_runs) recomputes the recommendations of the last RECHECK_DAYS; for each
// whose verdict changed and that was posted (it has a channel and a message), it posts one note in that message's
// thread (Slack) or conversation (Teams) through the Notifier, once per recommendation and knowledge version across
// replicas (table recheck_notes: insert if absent, then send). A thread hears of a change once: the note keeps what it
// said (the recommendation as remade, and its basis), and a later version is compared with the newest note sent in
// that thread, not with the recommendation as first posted (a version that changes no fact posts nothing; one that
// changes the verdict back says so). The same list, without posting, is the CLI's
// `coexist-advisor recheck` and the report's "rechecked" section.

/** How far back recommendations are rechecked by default (RECHECK_DAYS). */
export const RECHECK_DAYS_DEFAULT = 90;
/** A run that started this long ago and never finished (its replica died) is taken over by the next start. */
export const RECHECK_RUN_STALE_MS = HOUR_MS;

export interface Rechecked {
  stored: StoredRecommendation;
  result: Recheck;
}

/** Every recommendation made since `since`, rechecked under `knowledge`: how many were checked, and those whose verdict changed (oldest first). */
export async function recheckSince(store: Pick<Store, 'exportRecommendations'>, knowledge: Knowledge, since: Date): Promise<{ checked: number; changed: Rechecked[] }> {
  let checked = 0;
  const changed: Rechecked[] = [];
  for await (const stored of store.exportRecommendations(since)) {
    checked++;
    const result = recheck(stored, knowledge);
    if (result.changed.length > 0) changed.push({ stored, result });
  }
  return { checked, changed };
}

/** The CLI's `recheck --json` entry (SPEC: {id, customer, before, after, changed}), with the facts in words and where it was posted. */
export function recheckJson(r: Rechecked, currentVersion: string) {
  const s = r.stored;
  return {
    id: s.id,
    customer: s.customer,
    before: r.result.before,
    after: r.result.after,
    changed: r.result.changed,
    facts: r.result.facts,
    verdict: r.result.verdict,
    createdAt: s.createdAt.toISOString(),
    platform: s.platform,
    userId: s.userId,
    channelId: s.channelId,
    messageRef: s.messageRef,
    messageLink: s.messageLink,
    knowledgeVersion: { before: s.knowledgeVersion, after: currentVersion },
  };
}

/**
 * Where a posted recommendation's note goes: its thread. Slack: the message's ts in its channel. Teams: a channel
 * conversation that names its thread (`19:…@thread.tacv2;messageid=<root>`, the thread the recommendation was posted
 * in) is answered in that thread; a channel's top-level post in a thread of its own; a personal or group chat (no
 * threads there) in the conversation itself.
 */
export function noteDestination(s: StoredRecommendation): Extract<Destination, { kind: 'channel' }> | undefined {
  if (!s.channelId || !s.messageRef) return undefined;
  if (s.platform === 'slack') return { kind: 'channel', platform: 'slack', channelId: s.channelId, thread: s.messageRef, workspace: s.workspace };
  if (s.platform !== 'teams') return undefined;
  const [base, root] = s.channelId.split(';messageid=');
  const channel = /@thread\.(tacv2|skype)$/.test(base!);
  return { kind: 'channel', platform: 'teams', channelId: base!, thread: root || (channel ? s.messageRef : null), workspace: s.workspace };
}

export interface RecheckRunOptions {
  store: Store;
  knowledge: Knowledge;
  notifier: Notifier;
  /**
   * The platforms this deployment is configured for. A note for one of them that cannot send now (Slack not
   * connected yet) waits: the run is left unfinished for a later run to send it. A note for a platform not
   * configured here is counted failed.
   */
  configured: ReadonlySet<NotifyPlatform>;
  logger: Logger;
  recheckDays: number;
  now?: number;
  staleMs?: number;
}

/**
 * `finished`: every note was handled; false when `waiting` notes wait for a platform that is configured but not
 * connected (`waitingFor`): the run is released, and the next run (this replica once the platform connects, or the
 * next start) sends them.
 */
export type RecheckRunOutcome = { ran: false; why: string } | ({ ran: true; knowledgeVersion: string; finished: boolean; waiting: number; waitingFor: NotifyPlatform[] } & RecheckCounts);

/**
 * The recheck after a deploy: runs once per knowledge version across replicas, posts one note per changed, posted
 * recommendation, and logs a summary line (checked N, changed M, noted K, failed F). Never throws: a failure is
 * logged with its reason (the next start of any replica takes over a run that did not finish within the hour).
 */
export async function recheckAfterDeploy(o: RecheckRunOptions): Promise<RecheckRunOutcome> {
  const version = knowledgeVersion(o.knowledge);
  const now = o.now ?? Date.now();
  const log = o.logger.child({ job: 'recheck', knowledgeVersion: version });
  try {
    if (!(await o.store.claimRecheckRun(version, o.staleMs ?? RECHECK_RUN_STALE_MS, now))) {
      log.debug('recheck: this knowledge version was rechecked already (or is being rechecked by another replica)');
      return { ran: false, why: 'already rechecked' };
    }
    const since = new Date(now - o.recheckDays * DAY_MS);
    // What each thread was last told; the recommendation as posted where no note was sent.
    const noted = await o.store.lastRecheckNotes(since);
    const counts: RecheckCounts = { checked: 0, changed: 0, noted: 0, failed: 0 };
    const toTell: Rechecked[] = [];
    for await (const stored of o.store.exportRecommendations(since)) {
      counts.checked++;
      const first = recheck(stored, o.knowledge);
      if (first.changed.length > 0) counts.changed++; // changed since it was posted: the report's and the CLI's count
      const last = noted.get(stored.id);
      const result = last ? recheck(last, o.knowledge) : first;
      if (result.changed.length > 0) toTell.push({ stored, result });
    }
    const platforms = o.notifier.platforms();
    const waitingFor = new Set<NotifyPlatform>();
    let waiting = 0;
    for (const r of toTell) {
      const to = noteDestination(r.stored);
      if (!to) continue; // never posted (a Slack DM fallback that was lost, a recommendation made elsewhere): the report lists it
      if (!platforms.has(to.platform)) {
        if (o.configured.has(to.platform)) {
          // Not claimed: a later run sends it.
          waiting++;
          waitingFor.add(to.platform);
          log.warn({ recommendation: r.stored.id, platform: to.platform }, `recheck note for ${r.stored.id} waits: ${to.platform} is not connected yet; it is sent when ${to.platform} connects (or at the next start)`);
        } else {
          counts.failed++;
          log.warn({ recommendation: r.stored.id, platform: to.platform }, `recheck note for ${r.stored.id} not sent: ${to.platform} is not configured on this deployment`);
        }
        continue;
      }
      const told = { recommendation: r.result.recommendation, basis: basisOf(r.result.recommendation.requirements, o.knowledge) };
      if (!(await o.store.claimRecheckNote(r.stored.id, version, now, told))) continue; // another replica sent it
      const sent = await o.notifier.send(to, presentRecheckNote(r.stored, r.result));
      if (sent.ok) counts.noted++;
      else {
        counts.failed++;
        log.warn({ recommendation: r.stored.id, platform: to.platform, channel: to.channelId, error: sent.error }, `recheck note for ${r.stored.id} not delivered: ${sent.error}`);
      }
      await o.store.settleRecheckNote(r.stored.id, version, sent.ok ? { ok: true, ref: sent.ref } : { ok: false, error: sent.error }).catch((err: unknown) => {
        log.warn({ recommendation: r.stored.id, err: { message: (err as Error).message } }, 'recheck: the note was handled but its outcome could not be saved');
      });
    }
    const summary = `recheck of the last ${o.recheckDays} days under knowledge ${version}: checked ${counts.checked}, changed ${counts.changed}, noted ${counts.noted}, failed ${counts.failed}`;
    if (waiting > 0) {
      // Not finished: released, so that the next run (this replica once the platform connects, or the next start) sends the rest.
      await o.store.releaseRecheckRun(version);
      const platformsWaited = [...waitingFor].sort();
      log.warn({ ...counts, waiting, waitingFor: platformsWaited, recheckDays: o.recheckDays }, `${summary}, waiting ${waiting} (${platformsWaited.join(', ')} not connected yet: sent when it connects, or at the next start)`);
      return { ran: true, knowledgeVersion: version, finished: false, waiting, waitingFor: platformsWaited, ...counts };
    }
    await o.store.finishRecheckRun(version, counts, Date.now());
    log.info({ ...counts, recheckDays: o.recheckDays }, summary);
    return { ran: true, knowledgeVersion: version, finished: true, waiting: 0, waitingFor: [], ...counts };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: { message } }, `recheck under knowledge ${version} failed: ${message} (the next start retries it after an hour)`);
    return { ran: false, why: message };
  }
}
