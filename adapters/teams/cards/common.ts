import type { Source } from '../../../src/index.ts';
import { TEAMS_LIMITS } from '../limits.ts';

// Small pure builders for Adaptive Cards (schema version TEAMS_LIMITS.cardVersion).

export type Element = Record<string, unknown>;
export type Card = { type: 'AdaptiveCard'; version: string; body: Element[]; actions?: Element[]; [key: string]: unknown };

/** What Action.Submit buttons send back in activity.value. */
export const SUBMIT = {
  compare: 'compare',
  topic: 'topic',
  help: 'help',
  openForm: 'recommend.open',
  submitForm: 'recommend.submit',
  edit: 'recommend.edit',
  feedback: 'feedback',
  /** A topic picked after Not helpful: its answer, recorded as a correction. */
  correct: 'correct',
  /** A history entry, in full. */
  openRecommendation: 'openRecommendation',
  /** The report's Accept / Dismiss on a correction (knowledge owners only). */
  reviewCorrection: 'reviewCorrection',
  /** A recheck note's: the recommendation made again under today's knowledge. */
  openUpdated: 'openUpdatedRecommendation',
  /** *Ask an expert*; and, on an expert's relayed answer, *Save as a phrasing of…* and *Needs a new topic*. */
  askExpert: 'askExpert',
  savePhrasing: 'savePhrasing',
  newTopic: 'newTopic',
  /** A verifier's reminder: Still correct / Needs a change (a topic's verifiers and the knowledge owners only). */
  verify: 'verifyTopic',
  needsChange: 'topicNeedsChange',
} as const;

export function card(body: Element[], actions: Element[] = [], fallbackText?: string): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: TEAMS_LIMITS.cardVersion,
    body,
    ...(actions.length ? { actions } : {}),
    ...(fallbackText ? { fallbackText } : {}),
    msteams: { width: 'Full' },
  };
}

export const text = (t: string, extra: Element = {}): Element => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
export const heading = (t: string): Element => text(t, { weight: 'Bolder', size: 'Large', style: 'heading' });
export const subheading = (t: string, extra: Element = {}): Element => text(t, { weight: 'Bolder', spacing: 'Medium', ...extra });
export const subtle = (t: string): Element => text(t, { isSubtle: true, size: 'Small', spacing: 'Small' });
export const submit = (title: string, data: Record<string, unknown>, style?: 'positive' | 'destructive'): Element => ({
  type: 'Action.Submit',
  title,
  data,
  ...(style ? { style } : {}),
});

/** Markdown list of our own sentences (not user text). */
export const bulletList = (items: readonly string[]): string => items.map((i) => `- ${i}`).join('\n');

export const sourceLinks = (sources: readonly Source[]): string => sources.map((s) => `[${s.title.replace(/[[\]]/g, '')}](${s.url})`).join(' · ');
