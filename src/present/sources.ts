import type { Knowledge, Topic } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import type { ReportSection, SourceChangesReply } from './reply.ts';

// Source watch (SOURCE_WATCH=true): the pages cited in sources.yml are fetched once a day by the host
// (adapters/host/source-watch.ts), and a page whose "Updated" date or text changed is a change, stored by the store.
// Here: which topics a changed page concerns (they fall due for verification), and what the verifiers and the
// owner's report are told. The host detects; the words are decided here once.

/** What changed on a page since the fetch before: its "Updated" date, its text, or both. */
export type SourceChangeKind = 'updated-date' | 'content' | 'both';

/** A change of a cited page, as the store keeps it. */
export interface SourceChange {
  url: string;
  /** The source's id in sources.yml when the change was seen (the URL is what is watched: ids may be renamed). */
  sourceId: string | null;
  changedAt: Date;
  kind: SourceChangeKind;
  /** The page's "Updated" date before and after, as found on the page (null: the page showed none). */
  updatedBefore: string | null;
  updatedAfter: string | null;
}

/** Every source URL in the knowledge, once each, with the ids that name it (sources.yml lists each id once). */
export function sourceUrls(knowledge: Knowledge): Map<string, string[]> {
  const urls = new Map<string, string[]>();
  for (const [id, source] of Object.entries(knowledge.sources)) urls.set(source.url, [...(urls.get(source.url) ?? []), id]);
  return urls;
}

/** The topics that cite a page (by any source id with that URL). */
export function topicsCiting(knowledge: Knowledge, url: string): Topic[] {
  const ids = new Set(sourceUrls(knowledge).get(url) ?? []);
  return knowledge.topics.filter((t) => t.sources.some((s) => ids.has(s)));
}

/** Per topic, the newest change of a page it cites. */
export function latestSourceChangeByTopic(knowledge: Knowledge, changes: readonly SourceChange[]): Map<TopicId, Date> {
  const latest = new Map<TopicId, Date>();
  for (const change of changes) {
    for (const topic of topicsCiting(knowledge, change.url)) {
      const before = latest.get(topic.id);
      if (!before || change.changedAt > before) latest.set(topic.id, change.changedAt);
    }
  }
  return latest;
}

/**
 * Per topic, the days (YYYY-MM-DD, UTC, ascending, each once) pages it cites changed: the verification part makes a
 * topic due on the first of them after its last verification (VerificationState.sourceChanged).
 */
export function sourceChangeDaysByTopic(knowledge: Knowledge, changes: readonly SourceChange[]): Map<TopicId, string[]> {
  const days = new Map<TopicId, Set<string>>();
  for (const change of changes) {
    const day = change.changedAt.toISOString().slice(0, 10);
    for (const topic of topicsCiting(knowledge, change.url)) days.set(topic.id, (days.get(topic.id) ?? new Set()).add(day));
  }
  return new Map([...days].map(([topic, set]) => [topic, [...set].sort()]));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayOf = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;

/** A page's "Updated" date as people read it: `2026-11-28T10:00:00Z` → 28 Nov 2026; anything else as found. */
export function shownDate(value: string): string {
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (iso) {
    const d = new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])));
    if (!Number.isNaN(d.getTime())) return dayOf(d);
  }
  return value;
}

/** What changed on a page, in one sentence. */
export function changeWords(change: Pick<SourceChange, 'kind' | 'updatedBefore' | 'updatedAfter' | 'changedAt'>): string {
  const seen = dayOf(change.changedAt);
  const after = change.updatedAfter ? shownDate(change.updatedAfter) : undefined;
  const before = change.updatedBefore ? shownDate(change.updatedBefore) : undefined;
  const date = after ? (before ? `its “Updated” date went from ${before} to ${after}` : `it now says “Updated” ${after}`) : 'it no longer shows an “Updated” date';
  if (change.kind === 'updated-date') return `Seen ${seen}: ${date}; its text reads the same.`;
  if (change.kind === 'content') return `Seen ${seen}: its text changed${after ? ` (still “Updated” ${after})` : ''}.`;
  return `Seen ${seen}: its text changed and ${date}.`;
}

const sourceTitle = (knowledge: Knowledge, change: SourceChange): string => {
  const id = change.sourceId && knowledge.sources[change.sourceId]?.url === change.url ? change.sourceId : sourceUrls(knowledge).get(change.url)?.[0];
  return (id && knowledge.sources[id]?.title) || change.url;
};

/** The newest change of each page, newest first. */
function newestPerPage(changes: readonly SourceChange[]): { change: SourceChange; count: number }[] {
  const byUrl = new Map<string, { change: SourceChange; count: number }>();
  for (const c of changes) {
    const seen = byUrl.get(c.url);
    if (!seen) byUrl.set(c.url, { change: c, count: 1 });
    else byUrl.set(c.url, { change: c.changedAt > seen.change.changedAt ? c : seen.change, count: seen.count + 1 });
  }
  return [...byUrl.values()].sort((a, b) => b.change.changedAt.getTime() - a.change.changedAt.getTime() || a.change.url.localeCompare(b.change.url));
}

/**
 * The message to a verifier (or, for a topic with none, the knowledge owners): the pages that changed and the topics
 * of theirs that cite them, now due for verification.
 */
export function presentSourceChanges(changes: readonly SourceChange[], knowledge: Knowledge): SourceChangesReply {
  const pages = newestPerPage(changes);
  const title = pages.length === 1 ? 'A page our answers cite has changed' : `${pages.length} pages our answers cite have changed`;
  return {
    kind: 'source-changes',
    title,
    intro: 'Meta may have changed what these answers rely on. The topics below are due for verification: read the page, then check their facts.',
    changes: pages.map(({ change }) => ({
      title: sourceTitle(knowledge, change),
      url: change.url,
      what: changeWords(change),
      topics: topicsCiting(knowledge, change.url).map((t) => t.title),
    })),
    next: [
      'Open each page and compare it with the facts of the topics that cite it.',
      'Still right: nothing to change (the topic stays due until it is verified). Wrong: edit the topic file, set its lastVerified, run `npx coexist-advisor check-knowledge`, and deploy.',
    ],
    actions: [],
    summary: `${title}: ${pages.map(({ change }) => sourceTitle(knowledge, change)).join(', ')}`,
  };
}

/** The report's section of pages that changed in the period (`sources-changed`), newest first. */
export function sourcesChangedSection(changes: readonly SourceChange[], knowledge: Knowledge, shown: number): ReportSection {
  const pages = newestPerPage(changes);
  return {
    id: 'sources-changed',
    title: 'Sources that changed',
    hint: 'Pages cited in sources.yml whose text or “Updated” date changed (SOURCE_WATCH checks them daily): the topics citing them are due for verification.',
    lines: pages.slice(0, shown).map(({ change, count }) => {
      const topics = topicsCiting(knowledge, change.url).map((t) => t.title);
      return { question: sourceTitle(knowledge, change), count, note: `${changeWords(change)} ${topics.length > 0 ? `Cited by ${topics.join(', ')}.` : 'No topic cites it now.'}` };
    }),
    empty: 'No cited page changed (with SOURCE_WATCH=true they are checked once a day).',
  };
}
