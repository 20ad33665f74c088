import { createHash } from 'node:crypto';
import { Parser } from 'htmlparser2';

// What the source watch compares from one fetch of a page to the next: its text as a person reads it (HTML to text
// with htmlparser2, as the Teams face reads a selected message, but leaving out scripts, styles and other markup
// nobody reads, whose nonces and build ids change on every request), whitespace collapsed, hashed; and its
// "Updated" date, from the usual places, kept small:
//   1. <meta property="article:modified_time"> (also og:updated_time, name=last-modified / dcterms.modified)
//   2. "dateModified" in JSON-LD, or itemprop="dateModified" (meta content or <time datetime>)
//   3. a <time datetime> right after the word "updated"
//   4. "Updated: 28 November 2026" (or "Last updated on Nov 28, 2026", "Updated 2026-11-28") in the text

export interface PageFingerprint {
  /** The page's text, each line's whitespace collapsed, empty lines dropped. */
  text: string;
  /** SHA-256 of `text` (hex). */
  contentHash: string;
  /** The page's "Updated" date as found (trimmed), or null. */
  updatedDate: string | null;
}

/** Elements whose content is not read by a person. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'canvas']);
/** Elements whose end starts a new line of text. */
const LINE_ENDS = new Set(['br', 'p', 'div', 'li', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'section', 'article', 'header', 'footer', 'title', 'dd', 'dt']);
const META_MODIFIED = new Set(['article:modified_time', 'og:updated_time', 'last-modified', 'dcterms.modified', 'datemodified']);

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATE = `(\\d{4}-\\d{2}-\\d{2}|\\d{1,2}\\s+${MONTH},?\\s+\\d{4}|${MONTH}\\s+\\d{1,2},?\\s+\\d{4})`;
const UPDATED_IN_TEXT = new RegExp(`\\b(?:last\\s+)?updated(?:\\s+on)?\\s*[:\\-–]?\\s*${DATE}`, 'i');
const JSON_LD_MODIFIED = /"dateModified"\s*:\s*"([^"]{4,100})"/;

const date = (value: string | undefined): string | undefined => {
  const v = value?.trim();
  return v ? v.slice(0, 100) : undefined;
};

export function collapse(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** The fingerprint of an HTML page. */
export function htmlFingerprint(html: string): PageFingerprint {
  const parts: string[] = [];
  let skipping = 0;
  let inJsonLd = false;
  let jsonLd = '';
  let recent = '';
  const found: { meta?: string; modified?: string; timeAfterUpdated?: string } = {};
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? attrs.itemprop ?? '').toLowerCase();
          if (META_MODIFIED.has(key)) {
            if (key === 'datemodified') found.modified ??= date(attrs.content);
            else found.meta ??= date(attrs.content);
          }
        }
        if (name === 'time' && attrs.datetime) {
          if ((attrs.itemprop ?? '').toLowerCase() === 'datemodified') found.modified ??= date(attrs.datetime);
          else if (/updated\W*$/i.test(recent)) found.timeAfterUpdated ??= date(attrs.datetime);
        }
        if (name === 'script' && /ld\+json/i.test(attrs.type ?? '')) inJsonLd = true;
        if (SKIPPED.has(name)) skipping++;
      },
      ontext(text) {
        if (inJsonLd) jsonLd += text;
        if (skipping > 0) return;
        // A line break in the markup is a space on the page; lines come from the elements (LINE_ENDS).
        text = text.replace(/\s+/g, ' ');
        parts.push(text);
        recent = (recent + text).slice(-80);
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        if (name === 'script') inJsonLd = false;
        if (LINE_ENDS.has(name)) parts.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const text = collapse(parts.join(''));
  const updatedDate = found.meta ?? date(JSON_LD_MODIFIED.exec(jsonLd)?.[1]) ?? found.modified ?? found.timeAfterUpdated ?? date(UPDATED_IN_TEXT.exec(text)?.[1]) ?? null;
  return { text, contentHash: hash(text), updatedDate };
}

const hash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The fingerprint of a fetched page: HTML read as above, plain text collapsed, anything else hashed as bytes. */
export function pageFingerprint(body: Buffer, contentType: string): PageFingerprint {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1];
  const decode = (): string => {
    try {
      return new TextDecoder(charset ?? 'utf-8').decode(body);
    } catch {
      return new TextDecoder('utf-8').decode(body);
    }
  };
  if (type === '' || type === 'text/html' || type === 'application/xhtml+xml') return htmlFingerprint(decode());
  if (type.startsWith('text/')) {
    const text = collapse(decode());
    return { text, contentHash: hash(text), updatedDate: date(UPDATED_IN_TEXT.exec(text)?.[1]) ?? null };
  }
  return { text: '', contentHash: createHash('sha256').update(body).digest('hex'), updatedDate: null };
}
