// Stable identifiers from the SPEC. Tests, scripts and users depend on these exact strings.

/** The SPEC's topics: every one must be in the knowledge. A knowledge owner may add more, as data (topics/<id>.yml). */
export const TOPIC_IDS = [
  'number-usage',
  'calls',
  'one-to-one-chats',
  'automation',
  'group-chats',
  'broadcast-lists',
  'status-updates',
  'disappearing-messages',
  'backups',
  'history-sync',
  'linked-devices',
  'service-window',
  'message-revoke',
  'throughput',
  'availability',
  'best-suited',
  'pricing',
  'eligibility',
  'disconnection',
  'verification',
  'templates',
  'migration',
] as const;
export type SpecTopicId = (typeof TOPIC_IDS)[number];
/** A topic id: one of the SPEC's, or one added as a topic file (lower-case words joined by "-"). */
export type TopicId = SpecTopicId | (string & {});

export const NEED_IDS = [
  'phone-app',
  'calls',
  'group-chats',
  'status-updates',
  'keep-history',
  'linked-devices',
  'new-broadcast-lists',
  'bulk-campaigns',
  'automation',
  'crm-integration',
  'central-dashboards',
  'international',
  'disappearing-messages',
  'chat-backups',
  'message-revoke',
  'green-tick',
] as const;
/**
 * Needs added after the SPEC (issue 20), for questions customers ask that the SPEC's needs did not name. A knowledge
 * file may leave them out; the SPEC's must all be there.
 */
export const ADDED_NEED_IDS = ['ai-chatbot', 'catalog-payments', 'multiple-numbers'] as const;
/** Every need id a requirement may name: the SPEC's, then the added ones. */
export const ALL_NEED_IDS = [...NEED_IDS, ...ADDED_NEED_IDS] as const;
export type NeedId = (typeof ALL_NEED_IDS)[number];

/** The two setups. `coexistence`/`apiOnly` are the data keys; `coexistence`/`api-only` the output ids. */
export const SETUP_IDS = ['coexistence', 'api-only'] as const;
export type SetupId = (typeof SETUP_IDS)[number];
export type SetupKey = 'coexistence' | 'apiOnly';
export const setupKey = (setup: SetupId): SetupKey => (setup === 'coexistence' ? 'coexistence' : 'apiOnly');
export const SETUP_NAMES: Record<SetupId, string> = {
  coexistence: 'Co-Existence',
  'api-only': 'API only',
};

/**
 * Whether a setup gives what a topic asks. `unconfirmed` (an addition to the SPEC's three): no source settles it
 * either way (one provider says so, Meta says nothing). It is drawn as neither yes nor no, and a recommendation
 * shows it as a caveat, never as a conflict or an unmet need.
 */
export const STATUSES = ['yes', 'no', 'partial', 'unconfirmed'] as const;
export type Status = (typeof STATUSES)[number];
