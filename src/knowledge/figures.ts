import countries from './iso-countries.ts';
import type { OfferPolicy } from './schema.ts';

// Figures are written once, in policy.yml, and quoted everywhere else as {{placeholders}}: change 20 to 25 there
// and every answer, caveat and recommendation says 25. A figure retyped by hand is refused by check-knowledge.

export const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

const number = (n: number) => n.toLocaleString('en-US');

/** "a; b; and c" */
export function conditionList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join('; ')}; and ${items.at(-1)}`;
}

/** "India", "India and Germany", "India, Germany and Brazil". */
function countryList(codes: readonly string[]): string {
  const names = codes.map((c) => countries.getName(c, 'en', { select: 'official' }) ?? c);
  if (names.length === 0) return 'no country yet';
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Every placeholder a text may use, with how it reads. `undefined`: the policy does not state it. */
export const FIGURES: Record<string, (policy: OfferPolicy) => string | undefined> = {
  'coexistence.countries': (p) => countryList(p.coexistence.countries),
  'coexistence.mps': (p) => number(p.coexistence.mps),
  'apiOnly.defaultMps': (p) => number(p.apiOnly.defaultMps),
  'apiOnly.maxMps': (p) => number(p.apiOnly.maxMps),
  'apiOnly.maxMpsConditions': (p) => (p.apiOnly.maxMpsConditions?.length ? conditionList(p.apiOnly.maxMpsConditions) : undefined),
};

/** The MPS figures of a policy, by placeholder name: for telling a retyped or contradicting figure apart. */
export function mpsFigures(policy: OfferPolicy): Record<string, number> {
  return { 'coexistence.mps': policy.coexistence.mps, 'apiOnly.defaultMps': policy.apiOnly.defaultMps, 'apiOnly.maxMps': policy.apiOnly.maxMps };
}

/** How a note names each MPS figure of the policy. */
export const FIGURE_NAMES: Record<string, string> = {
  'coexistence.mps': "Co-Existence's fixed MPS",
  'apiOnly.defaultMps': "API-only's default MPS",
  'apiOnly.maxMps': "API-only's maximum MPS",
};

/**
 * What the help article says about a figure, against the policy now: "The article's 20 for Co-Existence's fixed MPS is
 * right." or "… is outdated: it is 25 now.". `current`: whether the article's figure is the policy's.
 */
export function articleFigureNotes(figures: Partial<Record<string, number>> | undefined, policy: OfferPolicy): { current: boolean; text: string }[] {
  const now = mpsFigures(policy);
  return Object.entries(figures ?? {}).flatMap(([name, says]): { current: boolean; text: string }[] => {
    const value = now[name];
    if (says === undefined || value === undefined) return [];
    const what = `The article's ${number(says)} for ${FIGURE_NAMES[name] ?? name}`;
    return says === value ? [{ current: true, text: `${what} is right.` }] : [{ current: false, text: `${what} is outdated: it is ${number(value)} now.` }];
  });
}

/** A number written next to a throughput unit: "20 MPS", "1,000 messages per second", "80 messages a second". */
export const LITERAL_MPS = /(?<![\w{.])(\d[\d,]*(?:\.\d+)?)(?:\s*[–-]\s*(\d[\d,]*))?\s*(?:MPS\b|messages? (?:per|a) second|msg\/s)/gi;

export function fillFigures(text: string, policy: OfferPolicy): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => FIGURES[name]?.(policy) ?? whole);
}
