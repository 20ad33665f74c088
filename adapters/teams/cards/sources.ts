import type { SourceChangesReply } from '../../../src/index.ts';
import { TEAMS_LIMITS } from '../limits.ts';
import { escapeMarkdown } from '../markdown.ts';
import { card, heading, subtle, text, type Card, type Element } from './common.ts';

// Cited pages that changed (the source watch's proactive message to a verifier): each page as a link, what changed,
// and the topics now due. Source titles come from sources.yml: escaped like any text we did not write here. The card
// stays within its byte budget by listing fewer pages (the owner's report lists them all).

function pageElements(c: SourceChangesReply['changes'][number]): Element[] {
  const title = escapeMarkdown(c.title).replace(/\n+/g, ' ');
  const url = c.url.replace(/[()\s]/g, encodeURIComponent);
  return [
    text(`**[${title}](${url})**`, { spacing: 'Medium' }),
    text(escapeMarkdown(c.what), { spacing: 'Small' }),
    ...(c.topics.length > 0 ? [subtle(`Due for verification: ${escapeMarkdown(c.topics.join(', '))}`)] : []),
  ];
}

export function sourceChangesCard(reply: SourceChangesReply): Card {
  const draw = (shown: number) =>
    card(
      [
        heading(`🔎 ${reply.title}`),
        text(reply.intro),
        ...reply.changes.slice(0, shown).flatMap(pageElements),
        ...(reply.changes.length > shown ? [subtle(`…and ${reply.changes.length - shown} more: see the knowledge owner's report.`)] : []),
        text(reply.next.map((step, i) => `${i + 1}. ${step}`).join('\n'), { spacing: 'Medium' }),
      ],
      [],
      reply.summary,
    );
  let drawn = draw(reply.changes.length);
  for (let shown = reply.changes.length - 1; shown >= 1 && Buffer.byteLength(JSON.stringify(drawn)) > TEAMS_LIMITS.cardBudgetBytes; shown--) drawn = draw(shown);
  return drawn;
}
