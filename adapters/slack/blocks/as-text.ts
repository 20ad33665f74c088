import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn } from '../text.ts';
import { clampBlocks, section, type Block } from './common.ts';

// The text version of a message: what we post when Slack will not take our blocks (invalid_blocks, msg_too_long),
// and what we log when a delivery is degraded. Derived from the blocks themselves, so it carries everything they
// show (header, every section, context, table rows) and cannot drift from them; only buttons are left out.
// mrkdwn texts were escaped by the renderers and are kept as they are; plain texts (customer names, notes) are
// escaped here, so user text never forms a mention or a link.

type TextObject = { type?: unknown; text?: unknown };

function textOf(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const t = value as TextObject;
  if (typeof t.text !== 'string') return '';
  return t.type === 'mrkdwn' ? t.text : escapeMrkdwn(t.text);
}

/** Text in rich_text elements (escaped: it is shown as typed in the original). */
function richText(value: unknown): string {
  if (Array.isArray(value)) return value.map(richText).join('');
  if (!value || typeof value !== 'object') return '';
  const o = value as Record<string, unknown>;
  if (o.type === 'text' && typeof o.text === 'string') return escapeMrkdwn(o.text);
  if (o.type === 'link' && typeof o.url === 'string') return escapeMrkdwn(typeof o.text === 'string' ? `${o.text} (${o.url})` : o.url);
  return Array.isArray(o.elements) ? richText(o.elements) : '';
}

function cellText(cell: unknown): string {
  if (!cell || typeof cell !== 'object') return '';
  const c = cell as Record<string, unknown>;
  return c.type === 'rich_text' ? richText(c.elements) : textOf(c);
}

/** Every text a message's blocks show, as one mrkdwn string: blocks separated by a blank line, buttons left out. */
export function messageAsMrkdwn(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'header':
        parts.push(textOf(b.text));
        break;
      case 'section': {
        const lines = [textOf(b.text), ...(Array.isArray(b.fields) ? b.fields.map(textOf) : [])].filter(Boolean);
        if (lines.length > 0) parts.push(lines.join('\n'));
        break;
      }
      case 'context': {
        const texts = (Array.isArray(b.elements) ? b.elements : []).map(textOf).filter(Boolean);
        if (texts.length > 0) parts.push(texts.join('  ·  '));
        break;
      }
      case 'table':
        if (Array.isArray(b.rows)) parts.push(b.rows.map((row) => (Array.isArray(row) ? row.map(cellText).join(' | ') : '')).join('\n'));
        break;
      case 'rich_text': {
        const text = richText(b.elements);
        if (text) parts.push(text);
        break;
      }
      // actions (buttons), divider, image, input: nothing to read.
    }
  }
  return parts.join('\n\n');
}

/**
 * Where to cut `text` at or before `max` so that no entity (`&amp;`) and no link or mention (`<…>`) is split:
 * at the last line break or space in the final stretch when there is one, else right at `max`, moved back
 * before any entity or link it would split.
 */
function cutAt(text: string, max: number): number {
  let cut = max;
  const space = Math.max(text.lastIndexOf('\n', max), text.lastIndexOf(' ', max));
  if (space > max - 200 && space > 0) cut = space;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && cut - amp < 6 && text.indexOf(';', amp) >= cut) cut = amp;
  const open = text.lastIndexOf('<', cut - 1);
  if (open > 0 && text.lastIndexOf('>', cut - 1) < open) cut = open;
  return cut > 0 ? cut : max;
}

/** Splits mrkdwn into pieces of at most `max` characters, at line breaks where it can. */
export function splitMrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    // Prefer the last blank line or line break that keeps the piece at least half full.
    let cut = rest.lastIndexOf('\n\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = cutAt(rest, max);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The text version as sections (mrkdwn), within Slack's section and block limits. */
export function textSections(text: string, maxBlocks: number = SLACK_LIMITS.blocksPerMessage): Block[] {
  const pieces = splitMrkdwn(text);
  return clampBlocks(
    (pieces.length > 0 ? pieces : ['(empty)']).map((piece) => section(piece)),
    maxBlocks,
  );
}
