import type { HistoryEntry, HistoryReply } from '../../../src/index.ts';
import { escapeMarkdown, userText } from '../markdown.ts';
import { card, heading, subtle, text, type Card, type Element } from './common.ts';

// `history [customer]`: recent recommendations, newest first. Sent only in a personal chat (see bot.ts).

/** Who made it: names are not kept, so "you" for the viewer and the platform otherwise. */
function by(entry: HistoryEntry, viewer: string | undefined): string {
  if (viewer && entry.by.userId === viewer) return 'you';
  return entry.by.platform === 'slack' ? 'someone in Slack' : entry.by.platform === 'teams' ? 'someone in Teams' : escapeMarkdown(entry.by.platform);
}

const safeLink = (url: string | undefined): string | undefined => (url && /^https:\/\/[^\s()<>[\]]+$/.test(url) ? url : undefined);

function entryElement(entry: HistoryEntry, viewer: string | undefined): Element {
  const link = safeLink(entry.link);
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      text(`${entry.icon} **${entry.setupTitle}**${entry.customer ? ` for ${userText(entry.customer, 200)}` : ''}`),
      subtle(`${entry.confidence.text} · ${entry.when} · by ${by(entry, viewer)} · ref ${entry.id}${link ? ` · [View message](${link})` : ''}`),
    ],
  };
}

export function historyCard(reply: HistoryReply, viewer?: string): Card {
  const body: Element[] = [heading(userText(reply.title, 200))];
  if (!reply.entries) body.push(text(reply.unavailable ?? 'The history is not available here.'));
  else if (reply.entries.length === 0) body.push(text(reply.empty), subtle('Make one with **recommend**.'));
  else {
    body.push(...reply.entries.map((e) => entryElement(e, viewer)));
    body.push(subtle('Newest first. Filter by customer: **history Acme**.'));
  }
  return card(body, [], reply.summary);
}
