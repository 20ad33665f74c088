// Every Teams / Adaptive Card limit the app relies on, in one place. Renderers stay inside these; tests check
// every card the bot sends against them and against the Adaptive Card schema of CARD_VERSION.

import { CARRIED, DAY_MS, REMEMBERED } from '../carried.ts';
import { HOUR_MS } from '../../src/time.ts';

export const TEAMS_LIMITS = {
  /** Teams renders Adaptive Cards up to 1.5. */
  cardVersion: '1.5',
  /** A Teams message (activity with its cards) must stay under about 28 KB. */
  maxMessageBytes: 28 * 1024,
  /**
   * Our cap on an incoming /api/messages body, refused (413) before it is read when declared larger. A Teams message
   * is limited to about 28 KB; its activity carries it twice (text, and the HTML attachment), at most doubled by
   * JSON escaping, with entities and channelData around it: about 120 KB at the very most. The form's submit is
   * smaller (notes of 2,000 characters). 256 KB leaves twice that.
   */
  maxRequestBytes: 256 * 1024,
  /**
   * HTML read as text (a formatted message, a selected message): at most this many characters are parsed. Teams'
   * own messages stay under maxMessageBytes, and a question is cut to MAX_QUESTION_CHARS after; this bounds a forged one.
   */
  maxHtmlChars: 64 * 1024,
  /** Nesting deeper than this in an incoming activity is refused (400). */
  maxJsonDepth: 32,
  /** Rows in one Table element we send. */
  tableRows: 40,
  /** Characters of a TextBlock we fill with user text. */
  userTextChars: 2000,
  /** Our byte budget for a card whose size depends on stored data (history, report): under maxMessageBytes with room for the activity around it. */
  cardBudgetBytes: 24 * 1024,
} as const;

/**
 * What our Action.Submit buttons carry and what we accept back (cards/submits.ts). A submit is data a client sent:
 * anything longer or of another shape is an old or a forged card.
 */
export const SUBMIT_LIMITS = {
  idChars: CARRIED.idChars,
  topicChars: CARRIED.topicChars,
  questionChars: CARRIED.questionChars,
  /** A question in the report's Accept / Dismiss: a stored question, whole (the group is found by it). */
  reviewQuestionChars: CARRIED.storedQuestionChars,
  shownQuestionChars: CARRIED.shownQuestionChars,
} as const;

/**
 * How we call the Bot Connector (the activity's serviceUrl): every call bounded, so a connector that never
 * answers costs one turn a few seconds, not minutes, and never holds a shutdown.
 * - A call that gets no answer within `timeoutMs` is abandoned (not retried: the connector may have taken it).
 * - A 5xx or a dropped connection is retried `retries` times, waiting `retryDelayMs` doubling up to `maxRetryDelayMs`.
 */
export const TEAMS_CONNECTOR = {
  timeoutMs: 5000,
  retries: 2,
  retryDelayMs: 400,
  maxRetryDelayMs: 2000,
  /** The connector rate-limits (429) without telling us for how long: wait this long once, then try again. */
  rateLimitWaitMs: 1000,
  /** Turns running at once; one more is refused at once with 503 rather than queued behind a slow connector. */
  turnsInFlight: 64,
} as const;

export type TeamsConnectorPolicy = { -readonly [K in keyof typeof TEAMS_CONNECTOR]: number };

/**
 * How long a Teams form submit is remembered (claimed in the store, across replicas), so it posts once:
 * - `redeliveryMs`: the activity's id. Teams redelivers an activity it thinks went unanswered, with the same id.
 * - `doubleClickMs`: the person, conversation, form message and the values submitted. A double click on a form that
 *   could not be replaced sends two activities with the same content within a second or two. Other values, a new
 *   form, another person, or the same values again after this long are a deliberate second recommendation.
 */
export const TEAMS_DEDUPE = {
  redeliveryMs: REMEMBERED.teamsRedeliveryMs,
  doubleClickMs: REMEMBERED.teamsDoubleClickMs,
} as const;

/**
 * How tokens are checked against Bot Framework's sign-in metadata (sign-in.ts): bounded, so an unreachable sign-in
 * service costs each request nothing (503 at once), not a turn slot for 15 s.
 */
export const TEAMS_SIGN_IN = {
  /** Fetching the OpenID metadata and its signing keys, both together, is abandoned after this long. */
  metadataTimeoutMs: 3000,
  /** After a failed fetch, requests that need keys we do not have get 503 at once; the next fetch is tried after this long. */
  retryAfterFailureMs: 10_000,
  /** Keys are fetched again after this long (the SDK's default: 24 hours). */
  refreshMs: DAY_MS,
  /** A token signed with a key id we do not know fetches the keys again at most this often (the SDK's: 1 hour). */
  unknownKeyRefreshMs: HOUR_MS,
} as const;

export type TeamsSignInPolicy = { -readonly [K in keyof typeof TEAMS_SIGN_IN]: number } & {
  /** Where to fetch the channel metadata instead of Bot Framework's (tests: a fake on 127.0.0.1). */
  openIdMetadataUrl?: string;
  /** Where to fetch the emulator and skill metadata instead of Microsoft's. */
  emulatorOpenIdMetadataUrl?: string;
};
