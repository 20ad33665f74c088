import { truncate } from '../text.ts';
import { SLACK_LIMITS } from './limits.ts';

export { truncate };

// User text and long text in Slack. Escaping makes `<!channel>`, `<@U123>` and links inert in mrkdwn; truncation
// degrades over-long content with "…" instead of failing with invalid_blocks.


/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * User text for a mrkdwn field: escaped, then cut to `max` without breaking an entity such as `&amp;`.
 * Formatting characters (* _ ~ `) stay visible as typed because we never place user text next to our own
 * formatting markers; mentions and links cannot form once `<` and `>` are escaped.
 */
export function userMrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const cut = truncate(escaped, max);
  // Drop a partial entity left at the cut ("&am…").
  return cut.replace(/&[a-z]{0,3}…$/, '…');
}

/** Plain text is shown as typed by Slack (no mentions, no formatting): only length matters. */
export function plain(text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } {
  return { type: 'plain_text', text: truncate(text.trim() === '' ? '-' : text, max), emoji: true };
}

export function mrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/**
 * The words of a Slack message as a person reads them, for asking about them: mentions of people and of the app
 * removed, `<!channel>` / `<!here>` as `@channel` / `@here` (inert once drawn: we escape what we show), links as their
 * label or address, and the entities Slack escapes decoded. Empty when the message has no words (a file, an image).
 */
export function messageWords(text: string | undefined): string {
  if (!text) return '';
  return text
    .replace(/<@[A-Z0-9_]+(?:\|[^>]*)?>/g, ' ')
    .replace(/<#[A-Z0-9_]+\|([^>]*)>/g, '#$1')
    .replace(/<#[A-Z0-9_]+>/g, ' ')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, label: string | undefined) => label ?? ' ')
    .replace(/<!([a-z]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<([^>|]+)\|([^>]*)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
