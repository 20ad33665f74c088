import countries from 'i18n-iso-countries';

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
