import type { Knowledge } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import { findTopic } from '../advisor/facts.ts';
import { DAY_MS } from '../time.ts';
import { LABELS } from './labels.ts';
import { presentTopic } from './present.ts';
import type { AnswerReply, ReportLine, ReportSection, Reply, Row, VerifyReminderReply } from './reply.ts';

// Verification: each topic is checked against its sources every so often (its reviewEveryDays, else the file's), by
// the people its file names (verifiers). A verifier's "Still correct" is stored (adapters/store); the date an answer
// shows is the later of the file's lastVerified and the newest stored verification. Past its interval a topic is
// marked "may be out of date" wherever it is shown. The host keeps the stored dates in memory and hands them in with
// today's date: nothing here reads a clock or waits on the store.

/** What the host knows of stored verifications, and what day it is. */
export interface VerificationState {
  /** Today, YYYY-MM-DD (UTC). */
  today: string;
  /** Per topic id, the day (YYYY-MM-DD, UTC) of its newest stored "Still correct". */
  verified: ReadonlyMap<string, string>;
  /**
   * Per topic id, the days (YYYY-MM-DD, UTC, any order) pages it cites changed (the source watch; sources.ts's
   * sourceChangeDaysByTopic). The FIRST change after the topic was last verified makes it due that day: a page that
   * changes every day does not move the due day (and so does not send a reminder every day).
   */
  sourceChanged?: ReadonlyMap<string, readonly string[]>;
}

/** One topic's review, as of `state.today`. */
export interface TopicReview {
  topic: TopicId;
  title: string;
  /** The later of the file's date and the stored one: what answers show. */
  lastVerified: string;
  /** The file's lastVerified. */
  fileDate: string;
  /** The newest stored verification, when there is one. */
  storedDate?: string;
  /** The review interval in days. */
  every: number;
  /** lastVerified + every, or the day a cited page changed after lastVerified when earlier: the day a reminder goes out. */
  dueOn: string;
  /** The first day a page it cites changed since it was last verified (the source watch), when one did. */
  sourceChangedOn?: string;
  /** today ≥ dueOn: its verifiers are reminded. */
  due: boolean;
  /** today > lastVerified + every: past its interval, shown as "may be out of date". */
  stale: boolean;
  /** Slack user ids and Teams AAD object ids, as the file lists them. */
  verifiers: string[];
}

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`);
export const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `date` (YYYY-MM-DD) plus `days`. */
export const addDays = (date: string, days: number) => dayString(dayOf(date) + days * DAY_MS);
/** The later of two dates (YYYY-MM-DD); the first when the second is absent. */
export const laterDate = (a: string, b: string | undefined) => (b !== undefined && b > a ? b : a);

/** The earliest of `days` after `day`, if any. */
function firstAfter(days: readonly string[] | undefined, day: string): string | undefined {
  let first: string | undefined;
  for (const d of days ?? []) if (d > day && (first === undefined || d < first)) first = d;
  return first;
}

export function topicReview(knowledge: Knowledge, topicId: string, state: VerificationState): TopicReview | undefined {
  const t = findTopic(knowledge, topicId);
  if (!t) return undefined;
  const stored = state.verified.get(t.id);
  const lastVerified = laterDate(t.lastVerified, stored);
  const every = t.reviewEveryDays ?? knowledge.reviewEveryDays;
  const sourceChangedOn = firstAfter(state.sourceChanged?.get(t.id), lastVerified);
  const intervalEnds = addDays(lastVerified, every);
  const dueOn = sourceChangedOn !== undefined && sourceChangedOn < intervalEnds ? sourceChangedOn : intervalEnds;
  return {
    topic: t.id as TopicId,
    title: t.title,
    lastVerified,
    fileDate: t.lastVerified,
    ...(stored !== undefined ? { storedDate: stored } : {}),
    every,
    dueOn,
    ...(sourceChangedOn !== undefined ? { sourceChangedOn } : {}),
    due: state.today >= dueOn,
    // Past the interval only: a changed page makes the topic due (its verifiers are asked), not every answer doubtful.
    stale: state.today > intervalEnds,
    verifiers: t.verifiers ?? [],
  };
}

/** Every topic's review, in the knowledge's order. */
export const topicReviews = (knowledge: Knowledge, state: VerificationState): TopicReview[] =>
  knowledge.topics.map((t) => topicReview(knowledge, t.id, state)!);

/** The mark a topic past its interval carries on every surface. */
export const MAY_BE_OUT_OF_DATE = 'may be out of date';

/** The line an answer shows when its topic is past its interval. */
export const staleLine = (r: TopicReview): string =>
  `⚠️ This answer ${MAY_BE_OUT_OF_DATE}: last verified ${r.lastVerified}, its review was due ${r.dueOn} (every ${r.every} days).`;

/** The line a recommendation shows when topics it rests on are past their interval. */
export const recommendationStaleLine = (stale: readonly TopicReview[]): string =>
  `⚠️ Some facts here ${MAY_BE_OUT_OF_DATE}: ${stale.map((r) => `${r.title} (last verified ${r.lastVerified})`).join(', ')} ${stale.length === 1 ? 'is' : 'are'} past ${stale.length === 1 ? 'its' : 'their'} review.`;

/**
 * `reply` with the dates and marks of `state`: answers show the later of the file's date and the stored one, and a
 * topic past its interval is marked (an answer's line, a row's mark in the topic list and the comparison). The same
 * reply when nothing changes, or without a state (a surface that knows no date).
 */
export function withVerification(reply: Reply, knowledge: Knowledge, state: VerificationState | undefined): Reply {
  if (!state) return reply;
  switch (reply.kind) {
    case 'answer':
      return answerVerified(reply, knowledge, state);
    case 'topics':
    case 'comparison': {
      const rows = rowsVerified(reply.rows, knowledge, state);
      if (reply.kind === 'topics') return rows === reply.rows ? reply : { ...reply, rows };
      const oldest = oldestOf(reply.rows.map((r) => r.topic), knowledge, state) ?? reply.lastVerified;
      return rows === reply.rows && oldest === reply.lastVerified ? reply : { ...reply, rows, lastVerified: oldest };
    }
    case 'recommendation': {
      const rows = rowsVerified(reply.rows, knowledge, state);
      const oldest = oldestOf(reply.rows.map((r) => r.topic), knowledge, state);
      const stale = reply.rows.map((r) => topicReview(knowledge, r.topic, state)).filter((r): r is TopicReview => r?.stale === true);
      const line = stale.length > 0 ? recommendationStaleLine(stale) : undefined;
      if (rows === reply.rows && oldest === reply.lastVerified && line === reply.stale) return reply;
      return { ...reply, rows, ...(oldest ? { lastVerified: oldest } : {}), ...(line ? { stale: line } : {}) };
    }
    default:
      return reply;
  }
}

function oldestOf(topics: readonly string[], knowledge: Knowledge, state: VerificationState): string | undefined {
  return topics
    .map((t) => topicReview(knowledge, t, state)?.lastVerified)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
}

function answerVerified(reply: AnswerReply, knowledge: Knowledge, state: VerificationState): AnswerReply {
  const review = topicReview(knowledge, reply.topic, state);
  const also = reply.also ? answerVerified(reply.also.answer, knowledge, state) : undefined;
  const stale = review?.stale ? staleLine(review) : undefined;
  const date = review?.lastVerified ?? reply.lastVerified;
  if (date === reply.lastVerified && stale === reply.stale && also === reply.also?.answer) return reply;
  const { stale: _old, ...rest } = reply;
  return { ...rest, lastVerified: date, ...(stale ? { stale } : {}), ...(also && reply.also ? { also: { ...reply.also, answer: also } } : {}) };
}

function rowsVerified(rows: readonly Row[], knowledge: Knowledge, state: VerificationState): Row[] {
  let changed = false;
  const out = rows.map((row) => {
    const stale = topicReview(knowledge, row.topic, state)?.stale ? MAY_BE_OUT_OF_DATE : undefined;
    if (stale === row.stale) return row;
    changed = true;
    const { stale: _old, ...rest } = row;
    const notes = [row.note, stale].filter(Boolean);
    return { ...rest, ...(stale ? { stale } : {}), label: notes.length ? `${row.title} (${notes.join('; ')})` : row.title };
  });
  return changed ? out : (rows as Row[]);
}

/** The reminder for `review`'s topic; `version`: the knowledge version it shows (recorded with the verdict). */
export function presentVerifyReminder(knowledge: Knowledge, review: TopicReview, version: string): VerifyReminderReply | undefined {
  const answer = presentTopic(knowledge, review.topic);
  if (!answer) return undefined;
  const payload = { topic: review.topic, version };
  return {
    kind: 'verify-reminder',
    topic: review.topic,
    title: `Please check: ${review.title}`,
    intro: `You verify this topic. ${review.sourceChangedOn !== undefined ? `A page it cites changed on ${review.sourceChangedOn}, after it was last verified: its facts are due for a check against the sources.` : `Its facts are due for a check against the sources (every ${review.every} days).`} If they still hold, press ${LABELS.stillCorrect}: answers then show today's date. If something changed, press ${LABELS.needsChange}: the knowledge owners see it in their report.`,
    sides: answer.sides,
    sources: answer.sources,
    dates: `Last verified ${review.lastVerified} · due since ${review.dueOn}`,
    actions: [
      { id: 'verify', label: LABELS.stillCorrect, payload },
      { id: 'needs-change', label: LABELS.needsChange, payload },
    ],
    summary: `Please check: ${review.title} (last verified ${review.lastVerified}, due since ${review.dueOn})`,
  };
}

/** Whether `userId` may answer a topic's reminder: one of its verifiers, or a knowledge owner (ids any case). */
export function mayVerify(review: Pick<TopicReview, 'verifiers'>, userId: string | undefined, owner: boolean): boolean {
  if (owner) return true;
  if (!userId) return false;
  const id = userId.toLowerCase();
  return review.verifiers.some((v) => v.toLowerCase() === id);
}

/** What a click on a reminder may be told, the same on every surface. */
export const VERIFY_SAYS = {
  verified: (title: string, date: string, next: string) => `Thanks: ${title} is recorded as verified on ${date}. Answers show that date now; the next check is due ${next}.`,
  needsChange: (title: string) =>
    `Noted: ${title} needs a change. The knowledge owners see it in their report; once the topic's file is fixed, set its lastVerified to that day.`,
  notVerifier: (title: string) => `Only the verifiers of ${title} or the knowledge owners (KNOWLEDGE_OWNERS) can answer this reminder: nothing was recorded.`,
  topicGone: (topic: string) => `The topic ${topic} is no longer in the knowledge: there is nothing to verify.`,
  unsaved: 'The store did not answer: nothing was recorded. Please try again in a minute.',
} as const;

/** A "Needs a change" as the store gives it back for the report. */
export interface NeedsChangeMark {
  topic: string;
  platform: string;
  userId: string;
  at: Date;
}

/**
 * The report's verification sections: topics past their interval (`stale`), and topics a verifier said need a
 * change since their last verification (`needs-change`).
 */
export function verificationSections(knowledge: Knowledge, state: VerificationState, needsChange: readonly NeedsChangeMark[], shown: number): ReportSection[] {
  const stale = topicReviews(knowledge, state).filter((r) => r.stale);
  const marks = new Map<string, { count: number; last: NeedsChangeMark }>();
  for (const m of needsChange) {
    const review = topicReview(knowledge, m.topic, state);
    if (review && dayString(m.at.getTime()) < review.lastVerified) continue; // verified again since
    const seen = marks.get(m.topic);
    marks.set(m.topic, { count: (seen?.count ?? 0) + 1, last: !seen || m.at > seen.last.at ? m : seen.last });
  }
  const staleLines: ReportLine[] = stale.slice(0, shown).map((r) => ({
    question: r.title,
    note: `last verified ${r.lastVerified}, due since ${r.dueOn}; ${r.verifiers.length ? `verifiers: ${r.verifiers.join(', ')}` : 'no verifier named in its file'}`,
  }));
  const changeLines: ReportLine[] = [...marks.entries()].slice(0, shown).map(([topic, { count, last }]) => ({
    question: findTopic(knowledge, topic)?.title ?? topic,
    count,
    note: `marked ${LABELS.needsChange} on ${dayString(last.at.getTime())} by ${last.userId} (${last.platform})`,
  }));
  return [
    {
      id: 'stale',
      title: 'Out of date: past their review interval',
      hint: 'Each is marked "may be out of date" on every answer until a verifier presses Still correct or the file\'s lastVerified is set.',
      lines: staleLines,
      empty: 'Every topic was verified within its interval.',
    },
    {
      id: 'needs-change',
      title: `Marked ${LABELS.needsChange}`,
      hint: 'A verifier found something no longer true: fix the topic file, then set its lastVerified.',
      lines: changeLines,
      empty: 'No topic was marked as needing a change.',
    },
  ];
}
