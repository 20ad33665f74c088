// The tables, as Kysely sees them. One schema for SQLite and PostgreSQL: times are epoch milliseconds in a
// bigint (SQLite stores it as an integer), JSON is text, and ids are made by the application, so neither
// database's own sequences or types leak into the code. PostgreSQL returns bigint as a string through `pg`:
// the PostgreSQL connection parses it back into a number (epoch milliseconds fit a double exactly).

export interface RecommendationsTable {
  id: string;
  created_at: number;
  platform: string;
  user_id: string;
  channel_id: string | null;
  message_ref: string | null;
  message_link: string | null;
  customer: string | null;
  /** Lowercased customer, for case-insensitive search that works the same on both databases. */
  customer_key: string | null;
  setup: string;
  confidence: string;
  summary: string;
  requirements: string;
  detail: string;
  knowledge_version: string;
  /** The Slack team id or Teams tenant id it was made in; null for rows from before 0003 (see src/present/scope.ts). */
  workspace: string | null;
  /** The facts it was made on (src/advisor/recheck.ts Basis) as JSON; null for rows from before 0007. */
  basis: string | null;
}

export interface QuestionsTable {
  id: string;
  created_at: number;
  platform: string;
  user_id: string;
  text: string;
  /** questionKey(text): the report groups on it. */
  text_key: string;
  topic: string | null;
  confidence: number;
}

export interface FeedbackTable {
  id: string;
  created_at: number;
  platform: string;
  user_id: string;
  target: string;
  target_id: string;
  rating: string;
  topic: string | null;
  question: string | null;
  /** When the knowledge owner reviewed a correction (for the training export); null until then. */
  reviewed_at: number | null;
  /** The review of a correction: 'accepted' (it becomes a training line) or 'dismissed'; null until reviewed. */
  review: string | null;
  /** Who reviewed it (a KNOWLEDGE_OWNERS id). */
  reviewed_by: string | null;
}

export interface DedupeKeysTable {
  key: string;
  expires_at: number;
}

/**
 * Where the product can send on its own (0004): `person:<aad id>` (a Teams person's personal conversation),
 * `tenant:<tenant id>` (a Teams tenant's serviceUrl, to create a conversation), `conversation:<id>` (a Teams channel or
 * group chat's serviceUrl and tenant). Keys are lowercased ids.
 */
export interface ConversationRefsTable {
  key: string;
  platform: string;
  /** 'person' | 'tenant' | 'conversation' */
  kind: string;
  service_url: string;
  tenant_id: string | null;
  /** The conversation to post to (a person's personal chat, a channel's conversation id); null for a tenant. */
  conversation_id: string | null;
  /** A person's channel account id (Teams 29:…), for creating a conversation with them. */
  user_id: string | null;
  /** The bot's channel account id as the platform addresses it (Teams 28:…). */
  bot_id: string | null;
  updated_at: number;
}

/** A question sent to the experts' channel (*Ask an expert*), its post, and the first expert reply relayed to the asker. */
export interface ExpertQuestionsTable {
  id: string;
  asked_at: number;
  /** The asker: platform, user id, workspace (Slack team / Teams tenant), and the name the platform gave. */
  platform: string;
  user_id: string;
  workspace: string | null;
  asker_name: string | null;
  question: string;
  /** The topic the advisor answered with (null: none), and the closest topics offered to the experts (JSON array). */
  answered_topic: string | null;
  topics: string;
  /** 'pending' (recorded, not posted yet), 'posted', or 'failed' (`error` says why). */
  status: string;
  error: string | null;
  /** Where it was posted: the channel (Slack channel id, Teams channel conversation id) and the post (Slack ts, Teams activity id). */
  post_channel: string | null;
  post_ref: string | null;
  /** The first expert reply: set once (the update that sets it is what relays it, on one replica). */
  answered_at: number | null;
  answered_by: string | null;
  answer: string | null;
  /** Why the relay to the asker failed, when it did. */
  relay_error: string | null;
  /** An expert said the question needs a new topic (the report's `new-topics`). */
  new_topic_at: number | null;
  new_topic_by: string | null;
}

/** One recheck of the stored recommendations per knowledge version (0007): whoever inserts the row runs it. */
export interface RecheckRunsTable {
  knowledge_version: string;
  started_at: number;
  finished_at: number | null;
  checked: number | null;
  changed: number | null;
  noted: number | null;
  failed: number | null;
}

/** A note posted in a recommendation's thread, once per recommendation and knowledge version (0007). */
export interface RecheckNotesTable {
  recommendation_id: string;
  knowledge_version: string;
  created_at: number;
  /** 'sending' (claimed), 'sent', or 'failed'. */
  outcome: string;
  /** The posted note (Slack ts, Teams activity id). */
  message_ref: string | null;
  error: string | null;
  /**
   * What the note told the thread (JSON: the recommendation as remade under that knowledge, and its basis): the next
   * recheck compares today's verdict with it, not with the recommendation as first posted, so a thread hears of a
   * change once (null: a note claimed without it).
   */
  noted: string | null;
}

/** A cited page's last fetch (source watch). */
export interface SourcePagesTable {
  url: string;
  /** Its id in sources.yml when last checked. */
  source_id: string | null;
  etag: string | null;
  last_modified: string | null;
  /** SHA-256 of the page's text, whitespace collapsed; null until a fetch succeeded. */
  content_hash: string | null;
  /** The page's "Updated" date as found on it; null: none found. */
  updated_date: string | null;
  checked_at: number;
  /** When a change was last seen (null: never, only the baseline). */
  changed_at: number | null;
  /** The last failed fetch and why (cleared by a successful one). */
  failed_at: number | null;
  last_error: string | null;
}

/** A change of a cited page, as seen (one row per change; the topics citing it fall due). */
export interface SourceChangesTable {
  url: string;
  changed_at: number;
  source_id: string | null;
  /** 'updated-date', 'content' or 'both'. */
  kind: string;
  updated_before: string | null;
  updated_after: string | null;
}

/** A verifier's verdict on a topic (0005): kept as history, never updated. */
export interface VerificationsTable {
  id: string;
  topic: string;
  /** 'verified' (Still correct) or 'needs-change'. */
  verdict: string;
  /** The verifier's Slack user id or Teams AAD object id. */
  verified_by: string;
  platform: string;
  verified_at: number;
  /** knowledgeVersion() of the knowledge the reminder showed. */
  knowledge_version: string;
}

/** A topic's reminder for one due day, claimed by the replica that sends it (0005). */
export interface VerificationRemindersTable {
  topic: string;
  /** YYYY-MM-DD: the day the topic fell due. */
  due_on: string;
  claimed_at: number;
}

export interface Database {
  recommendations: RecommendationsTable;
  questions: QuestionsTable;
  feedback: FeedbackTable;
  dedupe_keys: DedupeKeysTable;
  conversation_refs: ConversationRefsTable;
  expert_questions: ExpertQuestionsTable;
  recheck_runs: RecheckRunsTable;
  recheck_notes: RecheckNotesTable;
  source_pages: SourcePagesTable;
  source_changes: SourceChangesTable;
  verifications: VerificationsTable;
  verification_reminders: VerificationRemindersTable;
}

