import { CardFactory, type MessagingExtensionAttachment, type MessagingExtensionActionResponse, type MessagingExtensionResponse } from 'botbuilder';
import type { AnswerReply } from '../../../src/index.ts';
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

/**
 * The text of a selected message (messagePayload.body): Teams sends HTML for most messages. Tags become spaces or
 * line breaks, entities their characters, @mentions their names; the result is user text to be escaped when drawn.
 */
export function messageText(body: { content?: unknown; contentType?: unknown } | undefined): string {
  const content = typeof body?.content === 'string' ? body.content : '';
  if (body?.contentType !== 'html') return content.trim();
  return content
    .replace(/<(br|\/p|\/div|\/li)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp|#39);/gi, (_, e: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
      if (named[e.toLowerCase()] !== undefined) return named[e.toLowerCase()]!;
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
