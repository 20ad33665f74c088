import type { AdvisorCommand, Reply } from '../src/index.ts';

// What a request was about and how it ended, for coexist_requests_total: the faces report it (host/metrics.ts counts
// it). A leaf, so the faces can name a kind without importing the host.

/** What a request was about, for coexist_requests_total (the listeners report it). */
export type RequestKind = 'question' | 'recommendation' | 'form' | 'feedback' | 'history' | 'report' | 'help' | 'compare' | 'topics' | 'share' | 'expert' | 'verify' | 'other';
export type RequestOutcome = 'ok' | 'error' | 'refused' | 'duplicate' | 'overload';

/** The request kind of a reply the router drew (what the person asked for), for every face. */
export const REPLY_REQUEST_KIND: Record<Reply['kind'], RequestKind> = {
  answer: 'question',
  'off-topic': 'question',
  clarify: 'question',
  greeting: 'question',
  help: 'help',
  topics: 'topics',
  comparison: 'compare',
  form: 'form',
  recommendation: 'recommendation',
  history: 'history',
  'not-helpful': 'feedback',
  report: 'report',
  'recheck-note': 'recommendation',
  'expert-question': 'expert',
  'expert-answer': 'expert',
  'expert-notice': 'expert',
  // Never routed: sent by the source watch (a Notifier message), not asked for.
  'source-changes': 'other',
  'verify-reminder': 'verify',
};

/** The request kind of a command as typed (parseCommand), when the face knows it before the reply is drawn. */
export const COMMAND_REQUEST_KIND: Record<AdvisorCommand['kind'], RequestKind> = {
  question: 'question',
  greeting: 'question',
  help: 'help',
  topics: 'topics',
  compare: 'compare',
  recommend: 'form',
  history: 'history',
  report: 'report',
};
