import type { NoteVerdict, RecheckNoteReply } from '../../../src/index.ts';
import { userText } from '../markdown.ts';
import { bulletList, card, heading, subheading, subtle, text, type Card } from './common.ts';
import { cardActions } from './reply-actions.ts';

// A note in a recommendation's conversation: the knowledge changed its verdict (src/present/recheck.ts). What
// changed in the facts, the verdict then and now, and Open the updated recommendation. The customer's name is user
// text; the rest is the knowledge's and ours.

const verdictFact = (title: string, v: NoteVerdict) => ({ title, value: `${v.icon} ${v.setupTitle} · ${v.confidence.text}` });

export function recheckNoteCard(reply: RecheckNoteReply): Card {
  return card(
    [
      heading(`🔄 ${reply.title}`),
      subtle(`Recommendation ${reply.id}${reply.customer ? ` for ${userText(reply.customer, 80)}` : ''}, made ${reply.made}`),
      subheading(reply.factsTitle),
      text(bulletList(reply.facts)),
      { type: 'FactSet', facts: [verdictFact('Then', reply.before), verdictFact('Now', reply.after)] },
      ...(reply.verdict.length > 0 ? [text(bulletList(reply.verdict), { spacing: 'Small' })] : []),
    ],
    cardActions(reply.actions),
    reply.summary,
  );
}
