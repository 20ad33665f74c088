// Every Slack platform limit the app relies on, in one place. Renderers clamp to these; tests check every
// message and view the app produces against them (test/slack/limits-check.ts).
// Reference: Block Kit docs (blocks, composition objects, block elements, views) and chat.postMessage.
import { MAX_SCOPE_CONVERSATIONS } from '../../src/present/scope.ts';

export const SLACK_LIMITS = {
  /** The HTTP ack must reach Slack within 3 seconds. */
  ackMs: 3000,
  /** trigger_id is valid for 3 seconds: views.open must happen before then. */
  triggerIdMs: 3000,

  blocksPerMessage: 50,
  blocksPerView: 100,
  /** chat.postMessage `text`; Slack truncates beyond 40,000 and advises far less for notifications. */
  messageText: 4000,

  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  /** A context_actions block (feedback buttons): elements, and each feedback button's accessibility label. */
  contextActionsElements: 5,
  accessibilityLabel: 75,
  blockId: 255,
  actionId: 255,

  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  optionsPerSelect: 100,
  optionGroups: 100,
  checkboxOptions: 10,

  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMax: 3000,

  /**
   * Our cap on a request body at /slack/events, refused (413) before it is read when declared larger. Measured: the
   * largest request the app gets on purpose, the recommendation modal submitted with every field at its maximum
   * (notes of 2,000 characters carried twice, in the view and in its state), is 54 KB in ASCII and 84 KB in
   * Devanagari or emoji once JSON-escaped and form-encoded; a DM of Slack's 40,000-character maximum is 80 KB in
   * ASCII and 240 KB in Devanagari (text and rich-text block). 256 KB holds all of these.
   */
  maxRequestBytes: 256 * 1024,
  /**
   * An unsigned request is refused before its body is read, except a form of at most this many declared bytes:
   * Slack's `ssl_check=1&token=…`, which Bolt answers without a signature (and refuses anything else unsigned).
   */
  maxUnsignedBytes: 256,

  /** The table block: one per message. */
  tableRows: 100,
  tableCells: 20,
  tablesPerMessage: 1,
} as const;

/** How we call Slack's Web API: bounded, so a slow or failing Slack never holds work (or a shutdown) for long. */
export const SLACK_WEB_API = {
  /** Per-call timeout. */
  timeoutMs: 5000,
  /** Retries after a network error or a 5xx, with backoff. */
  retries: 2,
  minRetryDelayMs: 250,
  maxRetryDelayMs: 1000,
  /** A rate limit (HTTP 429 or `ratelimited`) is waited out once, at most this long. */
  maxRateLimitWaitMs: 3000,
} as const;

export type SlackWebApiPolicy = { -readonly [K in keyof typeof SLACK_WEB_API]: number };

/**
 * Which channels a user is in (users.conversations with `user=`), for who sees which history (src/present/scope.ts):
 * asked when a history or an entry is opened, kept for a short while, within a deadline.
 */
const MEMBERSHIPS_PAGE = 200;

export const SLACK_MEMBERSHIPS = {
  /** Channels per page (Slack allows up to 1,000; fewer may come back). */
  pageSize: MEMBERSHIPS_PAGE,
  /** Pages read at most: the channels the history rule looks at (MAX_SCOPE_CONVERSATIONS, 2,000), no more. */
  maxPages: Math.ceil(MAX_SCOPE_CONVERSATIONS / MEMBERSHIPS_PAGE),
  /** The whole look-up, every page, must finish within this; past it the list is the user's own only, and says so. */
  deadlineMs: 2500,
  /** How long an answer is reused for the same user and workspace. */
  cacheMs: 60_000,
  /** Users whose answer is kept at most (the oldest is dropped first). */
  cacheEntries: 2000,
} as const;
