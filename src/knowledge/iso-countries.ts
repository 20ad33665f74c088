import { createRequire } from 'node:module';

// The ISO 3166-1 data set (i18n-iso-countries) with its English names only. The package's default entry registers
// all 78 of its languages (724 KB of JSON), about 8 MB of resident memory and 30 ms at start for names the product
// never shows; its own documentation registers a locale by hand this way (the browser build). Every use in the core
// imports it from here, so the names are registered once.

const require = createRequire(import.meta.url);
const countries = require('i18n-iso-countries/index.js') as typeof import('i18n-iso-countries');
countries.registerLocale(require('i18n-iso-countries/langs/en.json') as import('i18n-iso-countries').LocaleData);

export default countries;
