import { truncate } from '../text.ts';

// User text in Teams. Adaptive Card TextBlocks render a markdown subset; a backslash before ASCII punctuation
// shows the character literally, so typed `*bold*`, `[links](…)`, `# headings` or `<at>mentions</at>` stay text.
// Mentions only exist with msteams entities, which we never build from user text.

/** Escapes every character Teams markdown could read as formatting, a link or markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>~|=&]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\n\n');
}

/** User text for a TextBlock: escaped and cut to a sane length. */
export function userText(text: string, max: number): string {
  return escapeMarkdown(truncate(text, max));
}

export { truncate };
