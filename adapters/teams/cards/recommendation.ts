import type { RecommendationReply } from '../../../src/index.ts';
import { userText } from '../markdown.ts';
import { comparisonTable } from './comparison.ts';
import { madeBy } from './history.ts';
import { bulletList, card, heading, sourceLinks, subheading, subtle, text, type Card, type Element } from './common.ts';
import { cardActions } from './reply-actions.ts';

// The recommendation card. Its "Edit requirements" action carries the requirements themselves (notes included),
// so the form comes back prefilled without any storage. Opened from the history it says which one it is (`made`).

export function recommendationCard(reply: RecommendationReply, options: { requestedBy?: string; viewer?: string } = {}): Card {
  const facts = [
    ...reply.facts.map((f) => ({ title: f.label, value: f.value })),
    ...(reply.needs.length ? [{ title: 'Needs', value: reply.needs.join(', ') }] : []),
    ...(options.requestedBy ? [{ title: 'Requested by', value: userText(options.requestedBy, 100) }] : []),
  ];
  const body: Element[] = [
    heading(`${reply.icon} ${reply.setupTitle}${reply.customer ? ` for ${userText(reply.customer, 80)}` : ''}`),
    text(`**${reply.confidence.text}**`, { spacing: 'Small', color: reply.confidence.level === 'low' ? 'Warning' : 'Default' }),
    ...(reply.made
      ? [subtle(`Ref ${reply.made.id} · made ${reply.made.when} by ${madeBy(reply.made.by, options.viewer)} · the comparison and sources as known today`)]
      : []),
    { type: 'FactSet', facts },
  ];
  for (const s of reply.sections) {
    body.push(subheading(`${s.icon ? `${s.icon} ` : ''}${s.title}`, s.attention ? { color: 'Attention' } : {}));
    body.push(text(s.id === 'alternative' ? s.items.join('\n\n') : bulletList(s.items)));
  }
  if (reply.rows.length) body.push(subheading(reply.rowsTitle), comparisonTable(reply.rows));
  if (reply.notes) body.push(subheading('Notes'), text(userText(reply.notes, 2000)));
  body.push(subtle(`Sources: ${sourceLinks(reply.sources)}`));
  if (reply.lastVerified) body.push(subtle(`Last verified ${reply.lastVerified}`));
  if (reply.stale) body.push(text(reply.stale, { color: 'Warning', size: 'Small', spacing: 'Small' }));
  return card(
    body,
    cardActions(reply.actions),
    reply.summary,
  );
}
