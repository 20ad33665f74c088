import type { UsageReport } from '../../src/index.ts';
import { questionKey } from './records.ts';

// The report's feedback figures and the correction groups, counted from feedback rows: pure, no database, so it is
// tested with plain rows. The store streams every row of the period through it, page by page (store-queries.ts):
// memory grows with the number of groups, not of rows, and nothing is left uncounted.

/** Lines per section the store keeps (the apps show fewer; the CLI's --json shows these). */
export const REPORT_LINES = 20;

/** One feedback row as the report reads it, oldest first. */
export interface FeedbackRow {
  rating: string;
  /** The topic picked (a correction). */
  picked: string | null;
  /** The question the feedback carried itself. */
  ownQuestion: string | null;
  /** The stored question it is about (the answer's question), when there is one. */
  storedQuestion: string | null;
  /** The topic that was answered. */
  answered: string | null;
  review: string | null;
}

type Review = UsageReport['corrections'][number]['review'];

/** The question a feedback row is about: the stored question, else its own text. */
export const questionOf = (row: Pick<FeedbackRow, 'storedQuestion' | 'ownQuestion'>): string => row.storedQuestion ?? row.ownQuestion ?? '';

/** Most counted first, then by question; at most `lines`. */
export const topLines = <T extends { count: number; question: string }>(lines: Iterable<T>, max = REPORT_LINES): T[] =>
  [...lines].sort((a, b) => b.count - a.count || a.question.localeCompare(b.question)).slice(0, max);

export class FeedbackTally {
  private readonly totals = { helpful: 0, notHelpful: 0, corrections: 0 };
  private readonly notHelpful = new Map<string, { question: string; topic: string | null; count: number }>();
  private readonly corrections = new Map<string, { question: string; answered: string | null; picked: string; count: number; pending: number; accepted: number }>();

  /** Counts one row. Rows come oldest first: a group shows its newest spelling. */
  add(row: FeedbackRow): void {
    const question = questionOf(row);
    if (row.rating === 'helpful') this.totals.helpful++;
    else if (row.rating === 'not-helpful') {
      this.totals.notHelpful++;
      const key = `${questionKey(question)}\u0000${row.answered ?? ''}`;
      const line = this.notHelpful.get(key) ?? { question, topic: row.answered, count: 0 };
      line.question = question;
      line.count++;
      this.notHelpful.set(key, line);
    } else if (row.rating === 'correction' && row.picked) {
      this.totals.corrections++;
      const key = `${questionKey(question)}\u0000${row.answered ?? ''}\u0000${row.picked}`;
      const line = this.corrections.get(key) ?? { question, answered: row.answered, picked: row.picked, count: 0, pending: 0, accepted: 0 };
      line.question = question;
      line.count++;
      if (row.review === 'accepted') line.accepted++;
      else if (row.review !== 'dismissed') line.pending++;
      this.corrections.set(key, line);
    }
  }

  /** The figures: totals, and the most frequent not-helpful and correction groups. */
  result(): Pick<UsageReport, 'feedback' | 'notHelpful' | 'corrections'> {
    return {
      feedback: { ...this.totals },
      notHelpful: topLines(this.notHelpful.values()).map((l) => ({ ...l })),
      // A group is to review while any of it is; otherwise accepted if any of it was.
      corrections: topLines(this.corrections.values()).map(({ pending, accepted, ...line }) => ({ ...line, review: (pending > 0 ? 'pending' : accepted > 0 ? 'accepted' : 'dismissed') as Review })),
    };
  }
}

/** Accepted corrections as training lines: one per question (any spelling; the newest kept), with every topic picked. */
export class TrainingTally {
  private readonly lines = new Map<string, { q: string; topics: Set<string>; at: number }>();

  /** Counts one accepted correction. Rows come oldest first. */
  add(row: { question: string; picked: string | null; at: number }): void {
    const question = row.question.replace(/\s+/g, ' ').trim();
    if (!question || !row.picked) return;
    const key = questionKey(question);
    const line = this.lines.get(key) ?? { q: question, topics: new Set<string>(), at: row.at };
    line.q = question; // the newest spelling
    line.topics.add(row.picked);
    this.lines.set(key, line);
  }

  result(): { q: string; topics: string[] }[] {
    return [...this.lines.values()].sort((a, b) => a.at - b.at).map((l) => ({ q: l.q, topics: [...l.topics].sort() }));
  }
}
