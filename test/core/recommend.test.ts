import { describe, expect, it } from 'vitest';
import { scenarioProblems, type Scenario } from '../../scripts/eval.ts';
import { recommend, validateRequirements, type Knowledge, type Requirements } from '../../src/index.ts';
import { fixtureKnowledge, fixtureText, jsonLines } from '../helpers/fixtures.ts';

// On the frozen fixture knowledge and scenario set; `npm run eval` scores the live knowledge on ../shared/eval.
const kb = fixtureKnowledge();
const req = (input: Record<string, unknown>): Requirements => {
  const v = validateRequirements({ needs: [], ...input });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.requirements;
};
const withPolicy = (change: (k: Knowledge) => void): Knowledge => {
  const copy = structuredClone(kb);
  change(copy);
  return copy;
};

describe('public scenarios', () => {
  const scenarios = jsonLines<Scenario>(fixtureText('scenarios.public.jsonl'));
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_, s) => {
    expect(scenarioProblems(s, kb)).toEqual([]);
  });

  it('a scenario fails on a wrong setup, a missing conflict or unmet need, or invalid requirements', () => {
    const base = { name: 'x', req: { country: 'IN', needs: ['phone-app'] } };
    expect(scenarioProblems({ ...base, expect: 'coexistence' }, kb)).toEqual([]);
    expect(scenarioProblems({ ...base, expect: 'api-only' }, kb)).toEqual(['expected api-only, got coexistence']);
    expect(scenarioProblems({ ...base, expectConflict: true, expectUnmet: true }, kb)).toEqual(['expected a conflict, got none', 'expected an unmet need, got none']);
    expect(scenarioProblems({ ...base, req: { country: 'IN' } }, kb)[0]).toMatch(/requirements are invalid: needs/);
  });
});

describe('recommend', () => {
  it('rules Co-Existence out above its MPS cap, whatever the needs, and says so with the figures', () => {
    const r = recommend(req({ country: 'IN', peakMps: 21, agents: 1, needs: ['phone-app', 'calls', 'group-chats'] }), kb);
    expect(r.setup).toBe('api-only');
    expect(r.reasons[0]).toMatchObject({ kind: 'hard-fact', topic: 'throughput' });
    // 21 is under API-only's default: its maximum and Meta's conditions for it do not bear on this customer.
    expect(r.reasons[0]!.text).toMatch(/21 .*fixed 20.*handles 80 by default/);
    expect(r.reasons[0]!.text).not.toMatch(/1,000/);
    expect(r.conflicts.map((c) => c.need)).toEqual(expect.arrayContaining(['phone-app', 'calls', 'group-chats']));
    expect(r.alternative?.text).toMatch(/two numbers/i);
    expect(r.confidence).toBe('medium');
  });

  it('allows exactly the cap on Co-Existence', () => {
    expect(recommend(req({ country: 'IN', peakMps: 20, needs: ['phone-app'] }), kb).setup).toBe('coexistence');
  });

  it('treats a country outside the offer as a hard fact and says Meta supports it there', () => {
    const r = recommend(req({ country: 'de', needs: ['calls'] }), kb);
    expect(r.setup).toBe('api-only');
    expect(r.ruledOut[0]!.text).toMatch(/only for numbers in India.*Germany \(DE\).*Meta itself supports/);
    expect(r.alternative?.text).toMatch(/second number on the WhatsApp Business App alone/);
  });

  it('follows the offer policy in the data: widening countries and capabilities changes the outcome', () => {
    const wide = withPolicy((k) => {
      k.offerPolicy.coexistence.countries.push('DE');
    });
    expect(recommend(req({ country: 'DE', needs: ['calls'] }), wide).setup).toBe('coexistence');
    const calling = withPolicy((k) => {
      k.offerPolicy.capabilities.callingApi = true;
    });
    const r = recommend(req({ country: 'IN', peakMps: 60, needs: ['calls'] }), calling);
    expect(r.conflicts.some((c) => c.need === 'calls')).toBe(false);
    expect(r.caveats.some((c) => c.need === 'calls')).toBe(false);
    const capped = withPolicy((k) => {
      k.offerPolicy.coexistence.mps = 50;
    });
    expect(recommend(req({ country: 'IN', peakMps: 45, needs: [] }), capped).setup).toBe('coexistence');
  });

  it('lists needs neither setup meets as unmet', () => {
    const r = recommend(req({ country: 'IN', needs: ['chat-backups', 'disappearing-messages', 'calls'] }), kb);
    expect(r.unmet.map((u) => u.need).sort()).toEqual(['chat-backups', 'disappearing-messages']);
    expect(r.setup).toBe('coexistence');
  });

  it('puts caveats about the customer\'s own needs first', () => {
    const r = recommend(req({ country: 'IN', needs: ['linked-devices'] }), kb);
    expect(r.setup).toBe('coexistence');
    expect(r.caveats[0]!.need).toBe('linked-devices');
    expect(r.caveats.some((c) => /13 days/.test(c.text))).toBe(true);
  });

  it('offers an API-only second number when Co-Existence wins but something needs API-only', () => {
    const r = recommend(req({ country: 'IN', agents: 2, needs: ['phone-app', 'calls', 'green-tick'] }), kb);
    expect(r.setup).toBe('coexistence');
    expect(r.conflicts.map((c) => c.need)).toEqual(['green-tick']);
    expect(r.alternative?.text).toMatch(/second, API-only number for these needs: Green tick \(Official Business Account\)\./);
    expect(r.confidence).not.toBe('high');
  });

  it('says low confidence on a near tie and high on a clear case', () => {
    expect(recommend(req({ country: 'IN', needs: [] }), kb).confidence).toBe('low');
    expect(recommend(req({ country: 'IN', agents: 2, needs: ['phone-app', 'calls'] }), kb).confidence).toBe('high');
  });

  it('is deterministic and traces every reason to a topic in the knowledge base', () => {
    const input = req({ customer: 'Acme', country: 'IN', agents: 40, dailyMessages: 80000, needs: ['central-dashboards', 'calls', 'automation'] });
    const a = recommend(input, kb);
    expect(recommend(input, kb)).toEqual(a);
    const topicIds = new Set(kb.topics.map((t) => t.id));
    for (const r of [...a.reasons, ...a.conflicts, ...a.caveats]) expect(topicIds.has(r.topic!)).toBe(true);
    expect(a.reasons.some((r) => /40 agents/.test(r.text))).toBe(true);
    expect(a.reasons.some((r) => /80,000 messages a day/.test(r.text))).toBe(true);
  });

  it('notes when even API-only throughput is not enough', () => {
    const r = recommend(req({ country: 'IN', peakMps: 5000 }), kb);
    expect(r.unmet.some((u) => /5,000.*1,000/.test(u.text))).toBe(true);
  });
});
