import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEED_IDS, REQUIREMENT_FIELDS, answer, recommend, validateRequirements } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

const kb = fixtureKnowledge();
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
        for (const alt of r.alternatives) expect(ids.has(alt) && alt !== r.topic, `alternative ${alt}`).toBe(true);
        if (r.topic === null) expect(r.answer.examples.length).toBeGreaterThan(0);
        else {
          expect(r.answer.id).toBe(r.topic);
          expect(r.answer.sources.length).toBeGreaterThan(0);
        }
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

  it('validateRequirements() on arbitrary JSON: accepted input round-trips; refused input gets errors that name a field', () => {
    const fields = new Set<string>(REQUIREMENT_FIELDS);
    const check = (input: unknown) => {
      const r = validateRequirements(input);
      if (r.ok) {
        // What it accepted is well-formed, and validating it again changes nothing.
        expect(Object.keys(r.requirements).every((k) => fields.has(k))).toBe(true);
        expect(r.requirements.country).toMatch(/^[A-Z]{2}$/);
        expect(r.requirements.needs.every((n) => (NEED_IDS as readonly string[]).includes(n))).toBe(true);
        expect(new Set(r.requirements.needs).size).toBe(r.requirements.needs.length);
        expect(validateRequirements(r.requirements)).toEqual(r);
        return r;
      }
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) {
        expect(e.message.trim().length, JSON.stringify(e)).toBeGreaterThan(5);
        if (e.field === null) expect(e.path).toBe('(requirements)');
        else {
          expect(fields.has(e.field)).toBe(true);
          expect(e.path === e.field || e.path.startsWith(`${e.field}[`) || e.path.startsWith(`${e.field}.`), e.path).toBe(true);
        }
      }
      return r;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, obj) => {
        const anything = check(value);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) expect(anything.ok).toBe(false);
        const input = { country: 'IN', needs: [], ...obj };
        const r = check(input);
        const unknown = Object.keys(input).filter((k) => !fields.has(k));
        if (unknown.length > 0) {
          // Every unknown key is refused, by name, on the object as a whole.
          expect(r.ok).toBe(false);
          if (!r.ok) for (const k of unknown) expect(r.errors.find((e) => e.field === null)?.message).toContain(`"${k}"`);
        }
        // A field that fails alone is named: put one wrong value in an otherwise valid object.
        for (const [k, v] of Object.entries(obj)) {
          if (!fields.has(k)) continue;
          const alone = validateRequirements({ country: 'IN', needs: [], [k]: v });
          if (!alone.ok) expect(alone.errors.map((e) => e.field)).toContain(k);
        }
      }),
      { numRuns: 300 },
    );
  });
});
