import countries from '../knowledge/iso-countries.ts';

/** ISO 3166-1 alpha-2 → English short name, from the i18n-iso-countries data set. */
export function countryName(code: string): string {
  return countries.getName(code.toUpperCase(), 'en', { select: 'official' }) ?? code.toUpperCase();
}

export function isCountryCode(code: string): boolean {
  return /^[A-Za-z]{2}$/.test(code) && countries.isValid(code);
}

/** Every country as { code, name }, sorted by name: for forms. */
export function allCountries(): { code: string; name: string }[] {
  return Object.entries(countries.getNames('en', { select: 'official' }))
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/**
 * A pattern that finds a country's name (or a common alias such as "UAE", "UK") in lower-cased text. Two-letter
 * aliases other than "UK" are left out: "in", "it", "no", "us" are words.
 */
export function countryNamePattern(): RegExp {
  const names = new Set<string>();
  for (const list of Object.values(countries.getNames('en', { select: 'all' }))) {
    for (const name of list as string[]) {
      const lower = name.toLowerCase();
      if (lower.length > 2 || lower === 'uk') names.add(lower);
    }
  }
  for (const region of ['europe', 'european union', 'eea', 'africa', 'asia', 'latin america', 'middle east', 'gulf']) names.add(region);
  const escaped = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}])(?:${escaped.join('|')})(?![\\p{L}])`, 'gu');
}
