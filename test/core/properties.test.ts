import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEED_IDS, answer, builtInKnowledge, recommend, validateRequirements } from '../../src/index.ts';

const kb = builtInKnowledge();
const cap = kb.offerPolicy.coexistence.mps;
const offered = kb.offerPolicy.coexistence.countries;

const requirements = fc.record(
  {
    customer: fc.string({ maxLength: 80 }),
    country: fc.constantFrom('IN', 'in', 'DE', 'US', 'NG', 'BR', 'ae'),
    agents: fc.nat({ max: 10_000 }),
    dailyMessages: fc.nat({ max: 10_000_000 }),
    peakMps: fc.double({ min: 0, max: 5000, noNaN: true }),
    needs: fc.uniqueArray(fc.constantFrom(...NEED_IDS)),
    notes: fc.string({ maxLength: 2000 }),
  },
  { requiredKeys: ['country', 'needs'] },
);

describe('properties', () => {
  it('answer() never throws and returns a known topic or null, on any string', () => {
    const ids = new Set<string | null>([null, ...kb.topics.map((t) => t.id)]);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.lorem({ maxCount: 30 })), (q) => {
        const r = answer(q, kb);
        expect(ids.has(r.topic)).toBe(true);
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it('recommend() never throws on valid requirements and always respects the hard facts', () => {
    fc.assert(
      fc.property(requirements, (input) => {
        const v = validateRequirements(input);
        expect(v.ok).toBe(true);
        if (!v.ok) return;
        const r = recommend(v.requirements, kb);
        const q = v.requirements;
        if ((q.peakMps ?? 0) > cap || !offered.includes(q.country)) expect(r.setup).toBe('api-only');
        expect(['high', 'medium', 'low']).toContain(r.confidence);
        expect(r.reasons.length).toBeGreaterThan(0);
        if (r.conflicts.some((c) => c.need)) expect(r.alternative).toBeDefined();
        expect(recommend(q, kb)).toEqual(r);
      }),
      { numRuns: 400 },
    );
  });

  it('validateRequirements() never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, obj) => {
        expect(typeof validateRequirements(value).ok).toBe('boolean');
        expect(typeof validateRequirements({ country: 'IN', needs: [], ...obj }).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
