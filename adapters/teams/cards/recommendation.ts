import {
  CONFIDENCE_WORD,
  SETUP_TITLE,
  compare,
  countryName,
  type Knowledge,
  type Recommendation,
  type Source,
} from '../../../src/index.ts';
import { userText } from '../markdown.ts';
import { comparisonTable } from './comparison.ts';
import { SUBMIT, bulletList, card, heading, sourceLinks, subheading, submit, subtle, text, type Card, type Element } from './common.ts';

// The recommendation card. Its "Edit requirements" action carries the requirements themselves (notes included),
// so the form comes back prefilled without any storage.

export function recommendationCard(rec: Recommendation, knowledge: Knowledge, options: { requestedBy?: string } = {}): Card {
  const q = rec.requirements;
  const facts = [
    { title: 'Country', value: `${countryName(q.country)} (${q.country})` },
    ...(q.agents !== undefined ? [{ title: 'Agents', value: String(q.agents) }] : []),
    ...(q.dailyMessages !== undefined ? [{ title: 'Messages/day', value: q.dailyMessages.toLocaleString('en-US') }] : []),
    ...(q.peakMps !== undefined ? [{ title: 'Peak MPS', value: String(q.peakMps) }] : []),
    ...(q.needs.length ? [{ title: 'Needs', value: q.needs.map((id) => knowledge.needs.find((n) => n.id === id)?.label ?? id).join(', ') }] : []),
    ...(options.requestedBy ? [{ title: 'Requested by', value: userText(options.requestedBy, 100) }] : []),
  ];
  const body: Element[] = [
    heading(`${rec.setup === 'coexistence' ? '📱' : '⚙️'} ${SETUP_TITLE[rec.setup]}${q.customer ? ` for ${userText(q.customer, 80)}` : ''}`),
    text(`**${CONFIDENCE_WORD[rec.confidence]}**`, { spacing: 'Small', color: rec.confidence === 'low' ? 'Warning' : 'Default' }),
    { type: 'FactSet', facts },
    subheading('Why'),
    text(bulletList(rec.reasons.map((r) => r.text))),
  ];
  if (rec.conflicts.length) body.push(subheading('⚠️ Conflicts: asked for, not given by this setup', { color: 'Attention' }), text(bulletList(rec.conflicts.map((c) => c.text))));
  if (rec.unmet.length) body.push(subheading('⛔ Not met by either setup', { color: 'Attention' }), text(bulletList(rec.unmet.map((u) => u.text))));
  if (rec.alternative) body.push(subheading('💡 Alternative'), text(rec.alternative.text));
  if (rec.caveats.length) body.push(subheading('What changes on switching'), text(bulletList(rec.caveats.map((c) => c.text))));
  const rows = compare(knowledge).rows.filter((r) => rec.relevantTopics.includes(r.id));
  rows.sort((a, b) => rec.relevantTopics.indexOf(a.id) - rec.relevantTopics.indexOf(b.id));
  if (rows.length) body.push(subheading('How the setups compare here'), comparisonTable(rows));
  if (q.notes) body.push(subheading('Notes'), text(userText(q.notes, 2000)));
  const sources = new Map<string, Source>();
  for (const r of rows) for (const s of r.sources) sources.set(s.url, s);
  body.push(subtle(`Sources: ${sourceLinks([...sources.values()].slice(0, 8))}`));
  const verified = rows.map((r) => r.lastVerified).sort()[0];
  if (verified) body.push(subtle(`Last verified ${verified}`));
  return card(
    body,
    [submit('Edit requirements', { action: SUBMIT.edit, requirements: q }), submit('Full comparison', { action: SUBMIT.compare })],
    `${SETUP_TITLE[rec.setup]} recommended (${rec.confidence} confidence)`,
  );
}
