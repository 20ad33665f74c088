import { describe, expect, it } from 'vitest';
import { NEED_IDS, requirementsFromForm, validateRequirements } from '../../src/index.ts';

describe('requirementsSchema', () => {
  it('accepts the SPEC fields, normalises the country and removes duplicate needs', () => {
    const r = validateRequirements({ customer: '  Acme  ', country: 'in', agents: 3, dailyMessages: 0, peakMps: 12.5, needs: ['calls', 'calls', 'phone-app'], notes: 'hi' });
    expect(r).toEqual({ ok: true, requirements: { customer: 'Acme', country: 'IN', agents: 3, dailyMessages: 0, peakMps: 12.5, needs: ['calls', 'phone-app'], notes: 'hi' } });
  });

  it('accepts an empty needs list and no optional fields', () => {
    expect(validateRequirements({ country: 'DE', needs: [] })).toEqual({ ok: true, requirements: { country: 'DE', needs: [] } });
  });

  it('reports every problem at once, each on its field, in plain words', () => {
    const r = validateRequirements({ country: 'Germany', agents: 2.5, dailyMessages: -1, peakMps: '12', needs: ['calls', 'fax'], notes: 'x'.repeat(2001), customer: 'c'.repeat(81), budget: 1, region: 'EU' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byField = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byField.country).toMatch(/"Germany" is not a country code.*IN for India/);
    expect(byField.agents).toMatch(/whole number/);
    expect(byField.dailyMessages).toMatch(/cannot be negative/);
    expect(byField.peakMps).toMatch(/must be a number/);
    expect(byField['needs[1]']).toMatch(/"fax" is not a need\. Allowed: phone-app, calls/);
    expect(byField.notes).toMatch(/2000 characters/);
    expect(byField.customer).toMatch(/80 characters/);
    expect(byField['(requirements)']).toMatch(/Unknown fields "budget", "region"\. Allowed fields: customer, country/);
    expect(r.errors.find((e) => e.path === '(requirements)')?.field).toBeNull();
    expect(r.errors.find((e) => e.path === 'needs[1]')?.field).toBe('needs');
  });

  it('requires country and needs, and accepts exactly the 80 / 2000 character limits', () => {
    const missing = validateRequirements({});
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.map((e) => e.field).sort()).toEqual(['country', 'needs']);
    expect(validateRequirements({ country: 'IN', needs: [], customer: 'c'.repeat(80), notes: 'n'.repeat(2000) }).ok).toBe(true);
  });

  it('drops control characters from the customer and notes (tabs and line breaks stay): they would bloat every message quoting them', () => {
    const r = validateRequirements({ country: 'IN', needs: [], customer: 'Acme\u0007 Foods\u001b', notes: 'line 1\n\tline 2\u0000\u0085' });
    expect(r.ok && r.requirements).toMatchObject({ customer: 'Acme  Foods', notes: 'line 1\n\tline 2  ' });
    const blank = validateRequirements({ country: 'IN', needs: [], customer: '\u0001\u0002', notes: '\u0000'.repeat(2000) });
    expect(blank.ok && blank.requirements).toEqual({ country: 'IN', needs: [] });
  });

  it('rejects values that are not objects without throwing', () => {
    for (const v of [null, undefined, 42, 'IN', [], true]) {
      const r = validateRequirements(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]!.message).toMatch(/Requirements must be an object|required/);
    }
  });

  it('knows every need id of the SPEC', () => {
    expect(validateRequirements({ country: 'IN', needs: [...NEED_IDS] }).ok).toBe(true);
  });
});

describe('a form read into requirements', () => {
  it('a forged number field that cannot even be turned into text is a field error, not a crash', () => {
    // Found by the Slack modal property test (test/hostile/entry-points.test.ts): String() of this throws.
    const forged = { toString: {} } as unknown as string;
    const input = requirementsFromForm({ customer: 'Acme', country: 'IN', agents: forged, dailyMessages: forged, peakMps: forged }, ['calls']);
    const result = validateRequirements(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field).sort()).toEqual(['agents', 'dailyMessages', 'peakMps']);
  });
});
