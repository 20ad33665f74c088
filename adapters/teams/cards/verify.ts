import type { VerifyReminderReply } from '../../../src/index.ts';
import { card, heading, sourceLinks, subtle, text, type Card, type Element } from './common.ts';
import { cardActions } from './reply-actions.ts';

// A verifier's reminder (a proactive message): the topic's facts for both setups with their explanations, its
// sources and dates, and Still correct / Needs a change.

export function verifyReminderCard(reply: VerifyReminderReply): Card {
  const body: Element[] = [heading(reply.title), text(reply.intro)];
  for (const side of reply.sides) {
    body.push({
      type: 'Container',
      spacing: 'Medium',
      items: [text(`**${side.name}**${side.status ? `  ${side.status.text}` : ''}`), text(side.answer, { spacing: 'Small' }), text(side.details, { isSubtle: true, spacing: 'Small' })],
    });
  }
  body.push(subtle(`Sources: ${sourceLinks(reply.sources)}`), subtle(reply.dates));
  return card(body, cardActions(reply.actions), reply.summary);
}
