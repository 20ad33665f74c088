import { Parser } from 'htmlparser2';
import { CardFactory, type MessagingExtensionAttachment, type MessagingExtensionActionResponse, type MessagingExtensionResponse } from 'botbuilder';
import type { AnswerReply } from '../../../src/index.ts';
import { TEAMS_LIMITS } from '../limits.ts';
import { truncate } from '../markdown.ts';
import { answerCard } from './answer.ts';
import { card, text, type Card } from './common.ts';

// The message extension's answers (commands in app-package/manifest.json): search results to insert into a message
// (composeExtension/query) and the dialog of the action on messages (composeExtension/fetchTask, submitAction).

export const EXTENSION_COMMANDS = { search: 'searchAnswers', askAbout: 'askAdvisor' } as const;

/** Results Teams shows at most in one list; it pages with queryOptions.skip / count. */
export const MAX_RESULTS = 25;

/**
 * One search result: the answer card to insert, and the preview Teams lists (a thumbnail card: the topic's title
 * and the one-line summary, both our own words). The inserted card has no Submit buttons: Teams would send their
 * clicks to the bot as an invoke from a message it never saw.
 */
export function searchResult(reply: AnswerReply): MessagingExtensionAttachment {
  return {
    ...CardFactory.adaptiveCard(answerCard(reply, undefined, { submits: false })),
    preview: CardFactory.thumbnailCard(reply.title, truncate(reply.summary.replace(/\s+/g, ' '), 180)),
  };
}

export function searchResponse(attachments: MessagingExtensionAttachment[]): MessagingExtensionResponse {
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
}

/** A dialog (task module) showing one card. */
export function dialogResponse(c: Card, title: string): MessagingExtensionActionResponse {
  return { task: { type: 'continue', value: { title, card: CardFactory.adaptiveCard(c), width: 'large', height: 'large' } } };
}

/** A dialog with a short message of ours. */
export function dialogMessage(message: string): MessagingExtensionActionResponse {
  return dialogResponse(card([text(message)], [], message), 'Co-Existence Advisor');
}

/** Elements whose end starts a new line of text, as Teams shows them. `br` is void: its "end" is the tag itself. */
const LINE_ENDS = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre']);

/**
 * The text of a selected message (messagePayload.body): Teams sends HTML for most messages. Tags become spaces or
 * line breaks, entities their characters, @mentions and links their text; the result is user text to be escaped
 * when drawn. Read by htmlparser2's tokenizer, one pass over at most TEAMS_LIMITS.maxHtmlChars characters: hostile
 * markup (250 KB of unclosed tags) costs milliseconds, where regular expressions backtracked for seconds.
 */
export function messageText(body: { content?: unknown; contentType?: unknown } | undefined): string {
  const content = typeof body?.content === 'string' ? body.content : '';
  if (body?.contentType !== 'html') return content.trim();
  return htmlToText(content);
}

/** HTML as the text a person reads (see messageText). */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  const parser = new Parser(
    {
      ontext: (text) => parts.push(text),
      onclosetag: (name) => {
        if (LINE_ENDS.has(name)) parts.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.end(html.slice(0, TEAMS_LIMITS.maxHtmlChars));
  // Spaces (no-break spaces and tabs too: \s has them) collapse, each line is trimmed, and empty lines go: line by line, no backtracking.
  return parts
    .join('')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}
