import type { Logger } from 'pino';
import { presentSourceChanges, sourceUrls, topicsCiting, DAY_MS, type Knowledge, type SourceChange, type SourceChangeKind, type Topic } from '../../src/index.ts';
import type { Destination, Notifier } from '../notify.ts';
import type { StoreService } from '../store/service.ts';
import type { SourcePage } from '../store/store.ts';
import { pageFingerprint } from './page-text.ts';
import { SOURCE_FETCH_POLICY, fetchSource, type SourceFetchPolicy } from './source-fetch.ts';

// Source watch (SOURCE_WATCH=true, off by default): once a day, every page cited in sources.yml is fetched
// (source-fetch.ts: https only, listed URLs only, timeouts, a size cap, same-host redirects), conditionally with
// what the last fetch kept. A page whose "Updated" date or text (page-text.ts) changed since the last fetch is a
// change: kept in the store (source_changes: the topics citing it are due for verification, and the owner's report
// lists it) and sent through the Notifier to the verifiers of the topics citing it. The first fetch of a page is its
// baseline, not a change. Exactly once across replicas: the day's run is claimed in the store, and each page moves on
// by compare-and-set, so a change is recorded and reported by one replica only. A page that fails never stops the
// run; one summary line says how it went.

export interface SourceWatchOptions {
  knowledge: Knowledge;
  store: StoreService;
  notifier: Notifier;
  logger: Logger;
  /** KNOWLEDGE_OWNERS: told of a change to a page cited by a topic that names no verifiers. */
  owners: readonly string[];
  /** Overrides of the fetch's limits (tests: short timeouts, a small cap, http to loopback). */
  fetch?: Partial<SourceFetchPolicy>;
  /** Pages fetched at once (default 2). */
  concurrency?: number;
}

export interface SourceWatchSummary {
  /** False when another replica (or an earlier run today) has the day's run, or the store is not open. */
  ran: boolean;
  checked: number;
  changed: number;
  unchanged: number;
  /** First fetches: kept as the baseline to compare with. */
  baseline: number;
  failed: number;
  /** Messages delivered / not delivered to verifiers and owners. */
  notified: number;
  notDelivered: number;
}

/** How long the day's claim holds: past the day, so a late run of the same day does not run twice. */
const RUN_CLAIM_MS = 2 * DAY_MS;

const TEAMS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;

/** Where a person's message goes, by the shape of their id: a Teams AAD object id (a GUID) or a Slack user id. */
export function personDestination(id: string): Destination | undefined {
  if (TEAMS_ID.test(id)) return { kind: 'person', platform: 'teams', userId: id };
  if (SLACK_ID.test(id)) return { kind: 'person', platform: 'slack', userId: id };
  return undefined;
}

/**
 * A topic's verifiers. THE SEAM with the verification part: until topics carry `verifiers` (Slack user ids and
 * Teams AAD object ids), none are named and the knowledge owners are told instead.
 */
export function verifiersOf(topic: Topic): readonly string[] {
  const named = (topic as Topic & { verifiers?: unknown }).verifiers;
  return Array.isArray(named) ? named.filter((v): v is string => typeof v === 'string') : [];
}

/** Who is told of a change: the verifiers of each topic citing the page; for a topic with none, the owners. */
export function recipientsOf(knowledge: Knowledge, url: string, owners: readonly string[]): string[] {
  const people = new Set<string>();
  for (const topic of topicsCiting(knowledge, url)) {
    const verifiers = verifiersOf(topic);
    for (const id of verifiers.length > 0 ? verifiers : owners) people.add(id);
  }
  return [...people];
}

const day = (now: Date) => now.toISOString().slice(0, 10);

export class SourceWatch {
  private readonly policy: SourceFetchPolicy;

  constructor(private readonly options: SourceWatchOptions) {
    this.policy = { ...SOURCE_FETCH_POLICY, ...options.fetch };
  }

  /**
   * A run: checks every cited page and reports the changes. `claimed`: the run was claimed already (the scheduler
   * claims each slot across replicas); without it, the run claims the day of `now` itself.
   */
  async watchSources(now: Date, claimed = false): Promise<SourceWatchSummary> {
    const { logger, knowledge } = this.options;
    const summary: SourceWatchSummary = { ran: false, checked: 0, changed: 0, unchanged: 0, baseline: 0, failed: 0, notified: 0, notDelivered: 0 };
    if (!claimed && !(await this.options.store.claim(`source-watch:${day(now)}`, RUN_CLAIM_MS, 'skip'))) {
      logger.info({ day: day(now) }, 'source watch: this day is checked by another replica (or was already)');
      return summary;
    }
    const store = this.options.store.store;
    if (!store) {
      logger.error({ day: day(now) }, 'source watch: the store is not open, so no page can be compared with its last fetch; nothing checked today');
      return summary;
    }
    summary.ran = true;
    let known: Map<string, SourcePage>;
    try {
      known = new Map((await store.sourcePages()).map((p) => [p.url, p]));
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'source watch: the store did not answer with the pages last fetched; nothing checked today');
      return { ...summary, ran: false };
    }
    const urls = sourceUrls(knowledge);
    const allowed = new Set(urls.keys());
    const changes: SourceChange[] = [];
    const queue = [...urls.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [url, ids] = next;
        summary.checked++;
        const outcome = await this.check(url, ids[0] ?? null, known.get(url), allowed, now).catch((err: unknown) => ({ failed: `the store: ${(err as Error).message}` }));
        if ('failed' in outcome) {
          summary.failed++;
          logger.warn({ url, sourceIds: ids, error: outcome.failed }, `source watch: ${url} not checked: ${outcome.failed}`);
        } else if (outcome.result === 'changed') {
          summary.changed++;
          changes.push(outcome.change);
        } else if (outcome.result === 'baseline') summary.baseline++;
        else summary.unchanged++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 2) }, worker));
    if (changes.length > 0) await this.report(changes, summary);
    logger.info(
      { checked: summary.checked, changed: summary.changed, unchanged: summary.unchanged, baseline: summary.baseline, failed: summary.failed, notified: summary.notified, notDelivered: summary.notDelivered },
      `source watch: ${summary.checked} pages checked, ${summary.changed} changed, ${summary.unchanged} unchanged, ${summary.baseline} first seen, ${summary.failed} failed`,
    );
    return summary;
  }

  /** One page: fetched, compared with its last fetch, and its new state kept. */
  private async check(url: string, sourceId: string | null, last: SourcePage | undefined, allowed: ReadonlySet<string>, now: Date): Promise<{ result: 'baseline' | 'unchanged' | 'lost' } | { result: 'changed'; change: SourceChange } | { failed: string }> {
    const store = this.options.store.store;
    if (!store) return { failed: 'the store closed' };
    const at = now.getTime();
    const baseline = !last || last.contentHash === null;
    // No validators until a fetch has given a body to compare with.
    const fetched = await fetchSource(url, allowed, baseline ? { etag: null, lastModified: null } : { etag: last.etag, lastModified: last.lastModified }, this.policy);
    if (fetched.kind === 'failed') {
      if (fetched.refused) this.options.logger.warn({ url, error: fetched.error }, `source watch: refused to fetch ${url}: ${fetched.error}`);
      await store.sourcePageFailed(url, sourceId, fetched.error, at);
      return { failed: fetched.error };
    }
    if (fetched.kind === 'not-modified') {
      if (baseline) return { failed: 'HTTP 304 to a request that was not conditional' };
      await store.touchSourcePage(url, fetched.validators, at);
      return { result: 'unchanged' };
    }
    const page = pageFingerprint(fetched.body, fetched.contentType);
    const state = { url, sourceId, ...fetched.validators, contentHash: page.contentHash, updatedDate: page.updatedDate };
    if (baseline) {
      const won = await store.saveSourcePage(state, last ? { contentHash: null, updatedDate: last.updatedDate } : 'absent', undefined, at);
      return { result: won ? 'baseline' : 'lost' };
    }
    const textChanged = page.contentHash !== last.contentHash;
    const dateChanged = page.updatedDate !== last.updatedDate;
    if (!textChanged && !dateChanged) {
      await store.touchSourcePage(url, fetched.validators, at);
      return { result: 'unchanged' };
    }
    const kind: SourceChangeKind = textChanged && dateChanged ? 'both' : textChanged ? 'content' : 'updated-date';
    const won = await store.saveSourcePage(state, { contentHash: last.contentHash, updatedDate: last.updatedDate }, { kind, updatedBefore: last.updatedDate }, at);
    if (!won) return { result: 'lost' };
    return { result: 'changed', change: { url, sourceId, changedAt: now, kind, updatedBefore: last.updatedDate, updatedAfter: page.updatedDate } };
  }

  /** Each person is sent one message with the changed pages that concern their topics. */
  private async report(changes: SourceChange[], summary: SourceWatchSummary): Promise<void> {
    const { knowledge, notifier, logger, owners } = this.options;
    const byPerson = new Map<string, SourceChange[]>();
    for (const change of changes) for (const id of recipientsOf(knowledge, change.url, owners)) byPerson.set(id, [...(byPerson.get(id) ?? []), change]);
    if (byPerson.size === 0) logger.warn({ urls: changes.map((c) => c.url) }, 'source watch: pages changed, but no topic names verifiers and KNOWLEDGE_OWNERS is empty: nobody is told (the owner report lists them)');
    const platforms = notifier.platforms();
    for (const [id, theirs] of byPerson) {
      const to = personDestination(id);
      if (!to) {
        summary.notDelivered++;
        logger.warn({ recipient: id }, `source watch: ${id} is neither a Slack user id nor a Teams AAD object id; not told of the changed pages`);
        continue;
      }
      if (!platforms.has(to.platform)) {
        summary.notDelivered++;
        logger.warn({ recipient: id, platform: to.platform }, `source watch: ${to.platform} cannot send messages now; ${id} is not told of the changed pages (the owner report lists them)`);
        continue;
      }
      const sent = await notifier.send(to, presentSourceChanges(theirs, knowledge));
      if (sent.ok) summary.notified++;
      else {
        summary.notDelivered++;
        logger.warn({ recipient: id, platform: to.platform, error: sent.error, retryable: sent.retryable }, `source watch: could not tell ${id} of the changed pages: ${sent.error}`);
      }
    }
  }
}
