import type { Knowledge } from '../knowledge/schema.ts';
import type { TopicId } from '../knowledge/ids.ts';
import { findTopic } from '../advisor/facts.ts';
import type { ReportReply, ReportSection, ReviewState } from './reply.ts';
import { DAY_MS } from '../time.ts';
import { reviewActions } from './actions.ts';
import { LABELS } from './labels.ts';
import type { Verdict } from '../advisor/recheck.ts';
import { SETUP_NAMES } from '../knowledge/ids.ts';
import { sourcesChangedSection, type SourceChange } from './sources.ts';
import { dayString, verificationSections, type NeedsChangeMark } from './verification.ts';

// The knowledge owner's report: this week's questions, what went unanswered or was answered unsurely, what people
// marked not helpful, and their corrections ("asked X, picked topic Y"), with the workflow that turns them into
// better answers. The figures come from the store (adapters/store); the words and the order are decided here.

/** The figures as the store counts them for a period. */
export interface UsageReport {
  since: Date;
  /** Questions asked in the period. */
  questions: number;
  /** Of those, answered with a topic. */
  answered: number;
  /** Questions with no topic, grouped (case, spacing and trailing punctuation ignored), most asked first. */
  unanswered: { question: string; count: number }[];
  /** Answered, but below the matcher's LOW_CONFIDENCE: a best guess. */
  lowConfidence: { question: string; topic: string; count: number }[];
  feedback: { helpful: number; notHelpful: number; corrections: number };
  /** Answers marked not helpful, by question and the topic that was answered. */
  notHelpful: { question: string; topic: string | null; count: number }[];
  /** "Asked X, picked topic Y": `answered` is the topic first given (null: none), `picked` the user's choice. */
  corrections: { question: string; answered: string | null; picked: string; count: number; review: ReviewState }[];
  /**
   * *Ask an expert*: questions sent to the experts and not answered yet, oldest first; `error` when the post (or the
   * relay of the answer) failed. Absent: not counted (a store from before).
   */
  expertQuestions?: { question: string; askedAt: Date; error?: string }[];
  /** Questions an expert marked *Needs a new topic*, with the expert's answer when there was one. */
  newTopics?: { question: string; answer?: string }[];
  /**
   * Recommendations of the last RECHECK_DAYS whose verdict today's knowledge changes (src/advisor/recheck.ts), newest
   * first; null when they could not be read in time. Absent: not asked for (the section is left out).
   */
  rechecked?: RecheckedLine[] | null;
  /** Cited pages that changed in the period (source watch); absent when not counted (the section is then left out). */
  sourcesChanged?: SourceChange[];
  /**
   * What verifiers recorded (src/present/verification.ts): per topic its newest Still correct (epoch ms), and the
   * Needs a change marks of the last year. Absent: the report has no verification sections.
   */
  verification?: { verified: { topic: string; at: number }[]; needsChange: NeedsChangeMark[] };
}

/** A recommendation whose verdict changed, as the report lists it. */
export interface RecheckedLine {
  id: string;
  /** User text. */
  customer: string | null;
  before: Verdict;
  after: Verdict;
  /** What changed in the facts, one sentence each. */
  facts: string[];
}

/** Lines per section of the report as the apps show it (the CLI's --json has them all). */
export const REPORT_LINES_SHOWN = 8;

const day = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`);

/** The report command as the router answers it: the surface checks who asks and reads the store. */
export function reportRequest(): ReportReply {
  return { kind: 'report', title: REPORT_TITLE, period: '', figures: [], sections: [], actions: [], next: [], unavailable: 'The report is not available here.', summary: REPORT_TITLE };
}

const REPORT_TITLE = 'Knowledge owner’s report';

/** Why someone gets no report: only the people in KNOWLEDGE_OWNERS see it. */
export function reportNotForYou(): ReportReply {
  return { ...reportRequest(), unavailable: 'The report is for the knowledge owners (KNOWLEDGE_OWNERS): it lists what people asked. Ask your admin to add you if you keep the answers up to date.' };
}

/** The report could not be read (no store, or it did not answer in time). */
export function reportUnavailable(): ReportReply {
  return { ...reportRequest(), unavailable: 'The report cannot be read right now (the store does not answer). Please try again in a minute.' };
}

/** What a knowledge owner's review of a correction may be told, the same on every surface. */
export const REVIEW_SAYS = {
  notOwner: 'Only the knowledge owners (KNOWLEDGE_OWNERS) review corrections.',
  /** A training line for a topic that is gone would fail the next `npm run train`: it can only be dismissed. */
  topicGone: (topic: string) => `The topic ${topic} is no longer in the knowledge, so this correction cannot become a training line: dismiss it instead.`,
  unsaved: 'The store did not answer: the review was not saved. Please try again in a minute.',
} as const;

/** How many days a report covers by default: the week. */
export const REPORT_DAYS = 7;

export const reportSince = (now: Date, days = REPORT_DAYS): Date => new Date(now.getTime() - days * DAY_MS);

/** The recommendations today's knowledge changes: each customer (user text), its verdict then and now, and why. */
function recheckedSection(lines: readonly RecheckedLine[] | null, shown: number): ReportSection {
  const verdict = (v: Verdict) => `${SETUP_NAMES[v.setup]} (${v.confidence})`;
  return {
    id: 'rechecked',
    title: 'Recommendations the knowledge changed',
    hint: 'Made in the last days under older facts, their verdict is different today; a note was posted in each one\'s thread (`coexist-advisor recheck` lists them all).',
    lines: (lines ?? []).slice(0, shown).map((l) => ({
      question: l.customer ?? `Recommendation ${l.id}`,
      note: `ref ${l.id}: ${verdict(l.before)} → ${verdict(l.after)}. ${l.facts.join(' ')}`.trim(),
    })),
    empty: lines === null ? 'The recheck could not be read right now (the store did not answer in time).' : 'Every recent recommendation still stands.',
  };
}

export function presentReport(report: UsageReport, knowledge: Knowledge, now: Date, shown = REPORT_LINES_SHOWN): ReportReply {
  const title = (topic: string | null) => (topic === null ? 'nothing' : (findTopic(knowledge, topic as TopicId)?.title ?? topic));
  const rated = report.feedback.helpful + report.feedback.notHelpful;
  const pending = report.corrections.filter((c) => c.review === 'pending').length;
  const sections: ReportSection[] = [
    {
      id: 'unanswered',
      title: 'Not answered',
      hint: 'Questions I could not place: add a phrasing to the topic they belong to, or leave them if they are off-topic.',
      lines: report.unanswered.slice(0, shown).map((l) => ({ question: l.question, count: l.count })),
      empty: 'Every question got an answer.',
    },
    {
      id: 'low-confidence',
      title: 'Answered, but unsure',
      hint: 'Best guesses below the confidence line: check the topic is right, and add the phrasing if it is.',
      lines: report.lowConfidence.slice(0, shown).map((l) => ({ question: l.question, count: l.count, note: `answered with ${title(l.topic)}` })),
      empty: 'No unsure answers.',
    },
    {
      id: 'not-helpful',
      title: 'Marked not helpful',
      hint: 'The answer was found but did not help: the wording or the facts may need work.',
      lines: report.notHelpful.slice(0, shown).map((l) => ({ question: l.question, count: l.count, note: `answered with ${title(l.topic)}` })),
      empty: 'Nobody marked an answer not helpful.',
    },
    {
      id: 'corrections',
      title: 'Corrections',
      hint: 'After “Not helpful”, people picked the topic they meant. Accept the right ones: they become training lines (coexist-advisor report --export-training).',
      lines: report.corrections.slice(0, shown).map((c) => {
        const known = findTopic(knowledge, c.picked as TopicId) !== undefined;
        return {
          question: c.question,
          count: c.count,
          note: `answered with ${title(c.answered)}, picked ${title(c.picked)}`,
          correction: { answered: c.answered as TopicId | null, picked: c.picked as TopicId, pickedTitle: title(c.picked), review: c.review, known },
          ...(c.review === 'pending' ? { actions: reviewActions(c.question, c.picked as TopicId, title(c.picked), known) } : {}),
        };
      }),
      empty: 'No corrections.',
    },
    {
      id: 'expert-questions',
      title: 'Asked an expert, not answered',
      hint: 'Questions sent to the experts’ channel that nobody has answered yet, or that could not be posted: answer the asker, and teach the matcher the question.',
      lines: (report.expertQuestions ?? []).slice(0, shown).map((l) => ({ question: l.question, note: l.error ? `asked ${day(l.askedAt)}, not delivered: ${l.error}` : `asked ${day(l.askedAt)}, waiting for an expert` })),
      empty: 'Every question sent to the experts was answered.',
    },
    {
      id: 'new-topics',
      title: 'Needs a new topic',
      hint: 'Experts said these questions need a topic the knowledge does not have: write one (src/knowledge/topics/), or add a phrasing to an existing one.',
      lines: (report.newTopics ?? []).slice(0, shown).map((l) => ({ question: l.question, note: l.answer ? 'marked by the expert who answered it' : 'marked by an expert' })),
      empty: 'No question was marked as needing a new topic.',
    },
  ];
  if (report.rechecked !== undefined) sections.push(recheckedSection(report.rechecked, shown));
  if (report.sourcesChanged !== undefined) sections.push(sourcesChangedSection(report.sourcesChanged, knowledge, shown));
  if (report.verification) {
    const verified = new Map(report.verification.verified.map((v) => [v.topic, dayString(v.at)]));
    sections.push(...verificationSections(knowledge, { today: dayString(now.getTime()), verified }, report.verification.needsChange, shown));
  }
  return {
    kind: 'report',
    title: REPORT_TITLE,
    period: `${day(report.since)} – ${day(now)} (UTC)`,
    figures: [
      { label: 'Questions', value: report.questions.toLocaleString('en-US') },
      { label: 'Answered', value: `${report.answered.toLocaleString('en-US')} (${percent(report.answered, report.questions)})` },
      { label: 'Rated helpful', value: rated === 0 ? 'no ratings' : `${report.feedback.helpful} of ${rated} (${percent(report.feedback.helpful, rated)})` },
      { label: 'Corrections', value: pending > 0 ? `${report.feedback.corrections} (${pending} to review)` : String(report.feedback.corrections) },
    ],
    sections,
    actions: [{ id: 'training-lines', label: LABELS.trainingLines }],
    next: [
      'Read the lines above: each is a phrasing people really used.',
      'Accept the corrections that are right, then run `coexist-advisor report --export-training --out src/knowledge/training/corrections.jsonl`.',
      'Add phrasings or synonyms for the rest (src/knowledge/matching.yml, training/*.jsonl), then `npm run train` and `npx coexist-advisor check-knowledge`.',
      'Deploy: the next report shows whether they are answered now.',
    ],
    summary: `${REPORT_TITLE}: ${report.questions} questions, ${percent(report.answered, report.questions)} answered, ${report.feedback.notHelpful} not helpful, ${report.feedback.corrections} corrections`,
  };
}
