import { describe, expect, it } from 'vitest';
import { newFeedbackId, newQuestionId, newRecommendationId, normaliseRecommendationId } from '../../adapters/store/records.ts';

// Ids made by the store's records: short, unambiguous when read aloud, and (for questions and feedback) in the
// order they were made, so the database appends to its indexes instead of scattering inserts over them.

describe('record ids', () => {
  it('question and feedback ids sort in the order of their times, whatever the random part', () => {
    const times = [0, 1, 31, 32, 1_000, Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 25) + 1, Date.UTC(2099, 0, 1)];
    const ids = times.map((t) => newQuestionId(t));
    expect([...ids].sort()).toEqual(ids);
    expect(newFeedbackId(times[5]).slice(0, 9)).toBe(ids[5]!.slice(0, 9));
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it('are unique in bulk, across refills of the random pool', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => newQuestionId()));
    expect(ids.size).toBe(20_000);
    // Even 3,000 in one millisecond (no process makes that many): 35 random bits make a clash a 1-in-7,600 event.
    const now = Date.now();
    expect(new Set(Array.from({ length: 3_000 }, () => newQuestionId(now))).size).toBe(3_000);
    const recs = new Set(Array.from({ length: 20_000 }, () => newRecommendationId()));
    expect(recs.size).toBe(20_000);
    for (const id of [...recs].slice(0, 100)) expect(normaliseRecommendationId(` #${id.toLowerCase()} `)).toBe(id);
  });
});
