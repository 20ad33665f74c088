import { describe, expect, it } from 'vitest';
import { FeedbackTally, TrainingTally, type FeedbackRow } from '../../adapters/store/report-lines.ts';

// The report's feedback figures and correction groups, counted from plain rows: no database.

const row = (r: Partial<FeedbackRow>): FeedbackRow => ({ rating: 'helpful', picked: null, ownQuestion: null, storedQuestion: null, answered: null, review: null, ...r });
const tally = (rows: FeedbackRow[]) => {
  const t = new FeedbackTally();
  for (const r of rows) t.add(r);
  return t.result();
};

describe('the report, counted from feedback rows', () => {
  it('counts helpful, not helpful and corrections, and groups by question (any case, spacing, trailing punctuation) and topic', () => {
    const r = tally([
      row({ rating: 'helpful' }),
      row({ rating: 'not-helpful', storedQuestion: 'Calls?', answered: 'calls' }),
      row({ rating: 'not-helpful', storedQuestion: 'calls', answered: 'calls' }),
      row({ rating: 'not-helpful', storedQuestion: 'calls', answered: 'group-chats' }),
      row({ rating: 'correction', ownQuestion: 'whatsapp web', answered: null, picked: 'linked-devices' }),
      row({ rating: 'correction', storedQuestion: 'WhatsApp  web!', ownQuestion: 'ignored when stored', answered: null, picked: 'linked-devices' }),
    ]);
    expect(r.feedback).toEqual({ helpful: 1, notHelpful: 3, corrections: 2 });
    expect(r.notHelpful).toEqual([
      { question: 'calls', topic: 'calls', count: 2 },
      { question: 'calls', topic: 'group-chats', count: 1 },
    ]);
    expect(r.corrections).toEqual([{ question: 'WhatsApp  web!', answered: null, picked: 'linked-devices', count: 2, review: 'pending' }]);
  });

  it("a group is pending while any of it is, else accepted if any of it was, else dismissed", () => {
    const group = (reviews: (string | null)[]) => tally(reviews.map((review) => row({ rating: 'correction', ownQuestion: 'q', picked: 'calls', review })));
    expect(group(['accepted', null]).corrections[0]!.review).toBe('pending');
    expect(group(['accepted', 'dismissed']).corrections[0]!.review).toBe('accepted');
    expect(group(['dismissed', 'dismissed']).corrections[0]!.review).toBe('dismissed');
  });

  it('shows the 20 most frequent groups, most first, ties by question; counts all the rest', () => {
    const rows = Array.from({ length: 30 }, (_, i) => Array.from({ length: i + 1 }, () => row({ rating: 'not-helpful', ownQuestion: `question ${String(i).padStart(2, '0')}`, answered: 'calls' }))).flat();
    const r = tally(rows);
    expect(r.feedback.notHelpful).toBe((30 * 31) / 2);
    expect(r.notHelpful).toHaveLength(20);
    expect(r.notHelpful[0]).toEqual({ question: 'question 29', topic: 'calls', count: 30 });
    expect(r.notHelpful.at(-1)).toEqual({ question: 'question 10', topic: 'calls', count: 11 });
  });

  it('has no cap on rows: 50,000 are all counted', () => {
    const t = new FeedbackTally();
    for (let i = 0; i < 50_000; i++) t.add(row({ rating: i % 2 ? 'helpful' : 'correction', ownQuestion: 'q', picked: 'calls' }));
    const r = t.result();
    expect(r.feedback).toEqual({ helpful: 25_000, notHelpful: 0, corrections: 25_000 });
    expect(r.corrections[0]!.count).toBe(25_000);
  });

  it('training lines: one per question with every topic picked, in the newest spelling, oldest question first', () => {
    const t = new TrainingTally();
    t.add({ question: 'whatsapp   web', picked: 'linked-devices', at: 1 });
    t.add({ question: 'calls?', picked: 'calls', at: 2 });
    t.add({ question: 'WhatsApp Web', picked: 'number-usage', at: 3 });
    t.add({ question: '   ', picked: 'calls', at: 4 });
    expect(t.result()).toEqual([
      { q: 'WhatsApp Web', topics: ['linked-devices', 'number-usage'] },
      { q: 'calls?', topics: ['calls'] },
    ]);
  });
});
