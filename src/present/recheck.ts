import type { Knowledge } from '../knowledge/schema.ts';
import { recommend, type Recommendation } from '../advisor/recommend.ts';
import type { Recheck, Verdict } from '../advisor/recheck.ts';
import type { Requirements } from '../advisor/requirements.ts';
import { CONFIDENCE_WORD, SETUP_TITLE } from '../advisor/wording.ts';
import { recheckNoteActions } from './actions.ts';
import { presentRecommendation } from './present.ts';
import type { NoteVerdict, RecheckNoteReply, RecommendationReply } from './reply.ts';

// A posted recommendation whose verdict the knowledge changed: the note posted in its thread, and what its
// "Open the updated recommendation" shows.

const verdictOf = (v: Verdict): NoteVerdict => ({
  setup: v.setup,
  icon: v.setup === 'coexistence' ? '📱' : '⚙️',
  setupTitle: SETUP_TITLE[v.setup],
  confidence: { level: v.confidence, text: CONFIDENCE_WORD[v.confidence] },
});

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The note for a stored recommendation (its id, customer, when) and its recheck. */
export function presentRecheckNote(stored: { id: string; customer: string | null; createdAt: Date; recommendation: Recommendation }, result: Recheck): RecheckNoteReply {
  const who = stored.customer ? ` for ${stored.customer}` : '';
  const same = result.before.setup === result.after.setup;
  const title = same ? 'This recommendation has changed: the facts behind it did' : `The recommended setup has changed: now ${SETUP_TITLE[result.after.setup]}`;
  return {
    kind: 'recheck-note',
    title,
    id: stored.id,
    ...(stored.customer ? { customer: stored.customer } : {}),
    made: utc(stored.createdAt),
    facts: result.facts,
    factsTitle: 'What changed in the facts',
    before: verdictOf(result.before),
    after: verdictOf(result.after),
    verdict: result.verdict,
    actions: recheckNoteActions(stored.id, stored.recommendation.requirements),
    summary: `Recommendation ${stored.id}${who} has changed: ${SETUP_TITLE[result.after.setup]}, ${result.after.confidence} confidence (was ${SETUP_TITLE[result.before.setup]}, ${result.before.confidence}). ${result.facts[0] ?? ''}`.trim(),
  };
}

/** "Open the updated recommendation": made again from its requirements under today's knowledge, with Edit requirements. */
export function presentUpdatedRecommendation(requirements: Requirements, knowledge: Knowledge): RecommendationReply {
  return presentRecommendation(recommend(requirements, knowledge), knowledge);
}
