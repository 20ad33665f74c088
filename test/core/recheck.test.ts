import { describe, expect, it } from 'vitest';
import { basisOf, builtInKnowledge, NO_FACT_NAMED, recheck, recommend, validateRequirements, type Knowledge, type Requirements } from '../../src/index.ts';
import { mps25 } from '../helpers/knowledge-copy.ts';

const today = builtInKnowledge();
const { knowledge: raised } = mps25();
const req = (input: Record<string, unknown>): Requirements => {
  const v = validateRequirements({ needs: [], ...input });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.requirements;
};
/** A recommendation as the store keeps it: as shown, with the basis it was made on. */
const made = (r: Requirements, kb: Knowledge = today) => ({ recommendation: recommend(r, kb), basis: basisOf(r, kb) });

describe('recheck', () => {
  it('a 22 MPS customer who wants the phone app flips to Co-Existence when its MPS goes from 20 to 25, and says why', () => {
    const r = req({ customer: 'Acme', country: 'IN', peakMps: 22, agents: 2, needs: ['phone-app'] });
    const then = made(r);
    expect(then.recommendation.setup).toBe('api-only');
    const c = recheck(then, raised);
    expect(c.before).toEqual({ setup: 'api-only', confidence: then.recommendation.confidence });
    expect(c.after.setup).toBe('coexistence');
    expect(c.changed).toContain('setup');
    expect(c.facts).toEqual(['Co-Existence throughput is now 25 messages per second (was 20).']);
    expect(c.verdict[0]).toBe('Recommended setup: now Co-Existence (was API only).');
    expect(c.recommendation).toEqual(recommend(r, raised));
  });

  it('customers the figure does not decide for are unchanged: under 20, above 25, and no peak given', () => {
    for (const input of [
      { country: 'IN', peakMps: 10, needs: ['phone-app'] },
      { country: 'IN', peakMps: 30, needs: ['phone-app', 'crm-integration'] },
      { country: 'IN', needs: ['bulk-campaigns', 'automation'] },
      { country: 'DE', peakMps: 22, needs: ['phone-app'] },
    ]) {
      const c = recheck(made(req(input)), raised);
      expect(c.changed, JSON.stringify(input)).toEqual([]);
      expect(c.facts).toEqual([]);
      expect(c.verdict).toEqual([]);
    }
  });

  it('the same knowledge changes nothing', () => {
    const c = recheck(made(req({ country: 'IN', peakMps: 22, needs: ['phone-app', 'calls'] })), today);
    expect(c.changed).toEqual([]);
  });

  it('a new country in the offer flips a German customer, said as the country', () => {
    const widened = structuredClone(today);
    widened.offerPolicy.coexistence.countries = ['IN', 'DE'];
    const c = recheck(made(req({ customer: 'Kraut GmbH', country: 'DE', agents: 1, needs: ['phone-app'] })), widened);
    expect(c.changed).toContain('setup');
    expect(c.facts).toEqual(['We now offer Co-Existence for numbers in Germany (DE); we offer it in India, Germany.']);
  });

  it('Calls offered on API-only: a conflict goes away, and the need says what changed per setup', () => {
    const r = req({ country: 'IN', peakMps: 40, needs: ['calls'] });
    const then = made(r);
    const offered = structuredClone(today);
    offered.offerPolicy.capabilities.callingApi = true;
    const c = recheck(then, offered);
    expect(then.recommendation.conflicts.map((f) => f.need)).toContain('calls');
    expect(c.recommendation.conflicts.map((f) => f.need)).not.toContain('calls');
    expect(c.changed).toContain('conflicts');
    expect(c.facts[0]).toBe('We now offer WhatsApp calls on API-only numbers (the Calling API).');
    expect(c.facts.some((f) => /on API only: now .* \(was No\)\./.test(f))).toBe(true);
  });

  it('without a basis (stored before it was kept), the hard fact that no longer applies is quoted', () => {
    const r = req({ country: 'IN', peakMps: 22, needs: ['phone-app'] });
    const c = recheck({ recommendation: recommend(r, today) }, raised);
    expect(c.changed).toContain('setup');
    expect(c.facts).toHaveLength(1);
    expect(c.facts[0]).toMatch(/^No longer rules out Co-Existence: Peak of 22 messages per second is above Co-Existence's fixed 20;/);
  });

  it('a verdict changed by weights alone says so rather than naming a fact', () => {
    const r = req({ country: 'IN', agents: 1, needs: ['phone-app', 'bulk-campaigns'] });
    const then = made(r);
    const reweighed = structuredClone(today);
    const need = reweighed.needs.find((n) => n.id === 'bulk-campaigns')!;
    need.weight = need.weight === 5 ? 1 : 5;
    const phone = reweighed.needs.find((n) => n.id === 'phone-app')!;
    phone.weight = need.weight === 5 ? 1 : 5;
    const c = recheck(then, reweighed);
    if (c.changed.length === 0) throw new Error('premise: the weights change should move this verdict');
    expect(c.facts).toEqual([NO_FACT_NAMED]);
  });
});
