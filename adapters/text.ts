// Text handling both platform faces share.

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts to at most `max` UTF-16 units without splitting a character (emoji, accents), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}
