import type { HistoryEntry, HistoryReply } from '../../../src/index.ts';
import { escapeMarkdown, userText } from '../markdown.ts';
import { TEAMS_LIMITS } from '../limits.ts';
import { card, heading, subtle, text, type Card, type Element } from './common.ts';
import { cardActions } from './reply-actions.ts';

// `history [customer]`: recent recommendations, newest first, each with Open (in full, from the store) and Edit
// (the form, prefilled with what it was made from). Sent only in a personal chat (see bot.ts); which entries it lists
// is src/present/scope.ts's rule.

/** Who made it: names are not kept, so "you" for the viewer and the platform otherwise. */
export function madeBy(by: HistoryEntry['by'], viewer: string | undefined): string {
  if (viewer && by.userId === viewer) return 'you';
  return by.platform === 'slack' ? 'someone in Slack' : by.platform === 'teams' ? 'someone in Teams' : escapeMarkdown(by.platform);
}

const safeLink = (url: string | undefined): string | undefined => (url && /^https:\/\/[^\s()<>[\]]+$/.test(url) ? url : undefined);

function entryElement(entry: HistoryEntry, viewer: string | undefined, byId: boolean): Element {
  const link = safeLink(entry.link);
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      text(`${entry.icon} **${entry.setupTitle}**${entry.customer ? ` for ${userText(entry.customer, 200)}` : ''}`),
      subtle(`${entry.confidence.text} · ${entry.when} · by ${madeBy(entry.by, viewer)} · ref ${entry.id}${link ? ` · [View message](${link})` : ''}`),
      { type: 'ActionSet', spacing: 'Small', actions: cardActions(entry.actions, { byId }) },
    ],
  };
}

const bytes = (c: Card) => Buffer.byteLength(JSON.stringify(c));

export function historyCard(reply: HistoryReply, viewer?: string): Card {
  // Whose entries these are, in the core's words (src/present/scope.ts; product wording, not user text).
  const whose = reply.whose ? `${reply.whose} ` : '';
  const draw = (byId: ReadonlySet<string>) => {
    const body: Element[] = [heading(userText(reply.title, 200))];
    if (!reply.entries) body.push(text(reply.unavailable ?? 'The history is not available here.'));
    else if (reply.entries.length === 0) body.push(text(reply.empty), subtle(`${whose}Make one with **recommend**.`));
    else {
      body.push(...reply.entries.map((e) => entryElement(e, viewer, byId.has(e.id))));
      body.push(subtle(`${whose}Newest first. Filter by customer: **history Acme**.`));
    }
    return card(body, [], reply.summary);
  };
  // Requirements with long notes are large: past the budget, the largest entries' Edit carries the id instead.
  const byId = new Set<string>();
  let drawn = draw(byId);
  const largest = [...(reply.entries ?? [])].sort((a, b) => JSON.stringify(b.requirements ?? {}).length - JSON.stringify(a.requirements ?? {}).length);
  for (const entry of largest) {
    if (bytes(drawn) <= TEAMS_LIMITS.cardBudgetBytes) break;
    byId.add(entry.id);
    drawn = draw(byId);
  }
  return drawn;
}
