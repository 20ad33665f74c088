import type { SetupId, Status } from '../knowledge/ids.ts';
import type { Confidence } from './recommend.ts';

// Words and symbols every surface shares, so Slack, Teams and the terminal say the same thing.

export const STATUS_ICON: Record<Status, string> = { yes: '✅', no: '❌', partial: '⚠️', unconfirmed: '❔' };
export const STATUS_WORD: Record<Status, string> = { yes: 'Yes', no: 'No', partial: 'Partly', unconfirmed: 'Not confirmed' };

export const SETUP_TITLE: Record<SetupId, string> = {
  coexistence: 'WhatsApp Co-Existence',
  'api-only': 'WhatsApp Business API only',
};

export const CONFIDENCE_WORD: Record<Confidence, string> = {
  high: 'High confidence',
  medium: 'Medium confidence',
  low: 'Low confidence: ask the customer more before deciding',
};

export const VERDICT_WORD = {
  outdated: 'outdated',
  incomplete: 'incomplete',
  unverified: 'not confirmed by Meta',
  contradicted: 'contradicted by Meta',
} as const;

export const PRODUCT_NAME = 'Co-Existence vs API advisor';
