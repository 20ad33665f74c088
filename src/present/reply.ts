import type { Source } from '../knowledge/schema.ts';
import type { SetupId, Status, TopicId } from '../knowledge/ids.ts';
import type { Confidence } from '../advisor/recommend.ts';
import type { Requirements } from '../advisor/requirements.ts';
import type { ReplyAction } from './actions.ts';

// A reply, complete and platform-neutral: every decision about what to say (which setup leads, which rows and
// sources a recommendation shows, when to ask "Which do you mean?", the words of each line) is made once, here.
// Renderers (adapters/slack/blocks, adapters/teams/cards, adapters/plain-text.ts) only draw a Reply: they never
// call back into the advisor. Texts are our own words unless marked as user text (to escape per platform).

export interface TopicLink {
  topic: TopicId;
  title: string;
}

/** What a table cell or a setup heading shows: a status (✅ Yes), or words where a status would mean nothing. */
export type Cell = { kind: 'status'; status: Status; icon: string; text: string } | { kind: 'words'; text: string };

/** One row of a comparison: a topic, with what each setup gets, in SETUP_ORDER. */
export interface Row {
  topic: TopicId;
  title: string;
  /** Why the row deserves a second look, in words ("help article outdated"); shown beside the title. */
  note?: string;
  /** The title with its note: "Voice & video calls (help article outdated)". */
  label: string;
  /** Past its review interval: "may be out of date" (src/present/verification.ts), shown beside the title. */
  stale?: string;
  cells: Record<SetupId, Cell>;
}

export interface SetupSide {
  setup: SetupId;
  name: string;
  /** Absent for topics where a yes/no means nothing (pricing, who each setup suits). */
  status?: Extract<Cell, { kind: 'status' }>;
  answer: string;
  details: string;
}

export interface ArticleWarning {
  /** "The help article is outdated here." */
  lead: string;
  claim: string;
  correction: string;
}

export interface AnswerReply {
  kind: 'answer';
  topic: TopicId;
  title: string;
  /** The question as typed (user text), when there was one. */
  question?: string;
  /** Both setups, the one the question asked about first. */
  sides: SetupSide[];
  warning?: ArticleWarning;
  sources: Source[];
  /** The later of the topic file's lastVerified and its newest stored verification. */
  lastVerified: string;
  /** Past its review interval: one line saying it may be out of date (src/present/verification.ts). */
  stale?: string;
  /**
   * A best guess that could not be put as a question ("Which do you mean?" needs another topic to offer): one line
   * saying so, with the match score.
   */
  unsure?: string;
  /** The question asked a second thing: that topic's answer too, under its heading ("You also asked about …"). */
  also?: { heading: string; answer: AnswerReply };
  /** How sure the matcher was (0–1), when the topic was matched from a question (not chosen by a button). */
  confidence?: number;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  /** One line: notification, fallback and summary text. */
  summary: string;
}

export interface NoTopicReply {
  kind: 'off-topic';
  message: string;
  /** How to ask a person instead: "Not something I cover? " and EXPERT_HINT (or a neutral default). Operator text. */
  hint: string;
  question: string;
  /** The matcher's best score (0–1), below what answers. */
  confidence: number;
  /** Topics the question might be about; when empty, examples instead. */
  topics: TopicLink[];
  examples: string[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/** A topic offered with "Which do you mean?": its title, and its question in one line. */
export interface ClarifyTopic extends TopicLink {
  /** "Can the business make and take WhatsApp voice and video calls on the number?" */
  asks: string;
}

/**
 * The match was unsure or two topics were close: "Which do you mean?" and the topics, best guess first, instead of an
 * answer. Picking one shows its answer and is recorded as a correction ("asked X, picked topic Y").
 */
export interface ClarifyReply {
  kind: 'clarify';
  /** "Which do you mean?" */
  message: string;
  /** The question as typed (user text). */
  question: string;
  /** The matcher's best guess, and how sure it was: what the question is recorded with. */
  topic: TopicId;
  confidence: number;
  topics: ClarifyTopic[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export interface GreetingReply {
  kind: 'greeting';
  title: string;
  text: string;
  examples: string[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export interface CommandLine {
  /** "recommend [customer]" */
  usage: string;
  what: string;
}

export interface HelpReply {
  kind: 'help';
  title: string;
  intro: string;
  examples: string[];
  commands: CommandLine[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export interface TopicsReply {
  kind: 'topics';
  rows: Row[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export interface ComparisonReply {
  kind: 'comparison';
  title: string;
  /** What the status icons mean. */
  legend: string;
  rows: Row[];
  sources: Source[];
  /** The oldest lastVerified among the rows. */
  lastVerified: string;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export interface FormReply {
  kind: 'form';
  /** A customer name typed after "recommend" (user text). */
  customer?: string;
  /** What the form opens filled with (Edit requirements). */
  requirements?: Requirements;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/** One past recommendation, as the history lists it. */
export interface HistoryEntry {
  /** The short shareable id ("7K2M9QXA"). */
  id: string;
  /** User text. */
  customer?: string;
  setup: SetupId;
  icon: string;
  setupTitle: string;
  confidence: { level: Confidence; text: string };
  /** Who made it: a platform's user id (Slack user id, Teams AAD object id); names are not kept. */
  by: { platform: string; userId: string };
  /** When, in UTC: "2026-11-25 14:03 UTC". */
  when: string;
  /** A link to the posted message, when the platform gave one. */
  link?: string;
  /** What it was made from: "Edit" starts a new recommendation from these. */
  requirements?: Requirements;
  /** Open and Edit (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
}

/**
 * `history [customer]`: recent recommendations, newest first. From the router, `entries` is absent (the surface
 * looks them up in the store and presents them with presentHistory); `unavailable` says why there are none to show.
 */
export interface HistoryReply {
  kind: 'history';
  /** The customer filter as typed (user text). */
  customer?: string;
  entries?: HistoryEntry[];
  /** Set when the history cannot be read (no store, or it did not answer). */
  unavailable?: string;
  /** Whose entries these are ("Yours and those made in channels you are in."): see src/present/scope.ts. */
  whose?: string;
  title: string;
  /** Shown when there are no entries. */
  empty: string;
  summary: string;
}

export interface RecommendationSection {
  id: 'why' | 'conflicts' | 'unmet' | 'alternative' | 'caveats';
  title: string;
  /** Shown before the title where the platform has room for it. */
  icon?: string;
  /** Drawn as a warning (attention colour) where the platform can. */
  attention?: boolean;
  items: string[];
}

export interface RecommendationReply {
  kind: 'recommendation';
  /** Set when topics it rests on are past their review interval: one line naming them (src/present/verification.ts). */
  stale?: string;
  setup: SetupId;
  icon: string;
  setupTitle: string;
  /** User text. */
  customer?: string;
  confidence: { level: Confidence; text: string };
  /** What the customer told us, as label/value pairs ("Country", "India (IN)"), in a fixed order. */
  facts: { label: string; value: string }[];
  /** The needs' labels, as written in the knowledge. */
  needs: string[];
  sections: RecommendationSection[];
  /** The comparison rows that matter for this customer, most relevant first. */
  rows: Row[];
  rowsTitle: string;
  sources: Source[];
  lastVerified?: string;
  /** User text. */
  notes?: string;
  /** What the form was filled with: carried by "Edit requirements". */
  requirements: Requirements;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  /** A recommendation opened from the history: its shareable id, when it was made and by whom. */
  made?: { id: string; when: string; by: { platform: string; userId: string } };
  summary: string;
}

/**
 * After "Not helpful": the topics the question is closest to. Picking one shows its answer and is recorded as a
 * correction ("asked X, picked topic Y"), a labelled phrasing for the matcher's training set.
 */
export interface NotHelpfulReply {
  kind: 'not-helpful';
  /** The question as typed (user text). */
  question: string;
  /** The topic that was answered (null: none was). */
  answered: TopicId | null;
  message: string;
  topics: TopicLink[];
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export type ReviewState = 'pending' | 'accepted' | 'dismissed';

/** One line of the knowledge owner's report: a question (user text), how often, and what it was answered with. */
export interface ReportLine {
  question: string;
  /** How often it was asked (or marked); absent on lines that are not counted (a topic due, a recommendation). */
  count?: number;
  /** Our words: "answered with Voice & video calls". */
  note?: string;
  /**
   * On correction lines: the topic picked, whether the knowledge owner has reviewed it, and whether it can still be
   * accepted (`known`: the topic is in today's knowledge; a removed topic's correction can only be dismissed).
   */
  correction?: { answered: TopicId | null; picked: TopicId; pickedTitle: string; review: ReviewState; known: boolean };
  /** On a correction waiting for review: Accept and Dismiss (src/present/actions.ts). */
  actions?: ReplyAction[];
}

export interface ReportSection {
  id: 'unanswered' | 'low-confidence' | 'not-helpful' | 'corrections' | 'rechecked' | 'expert-questions' | 'new-topics' | 'sources-changed' | 'stale' | 'needs-change';
  title: string;
  /** One line saying what the section is for. */
  hint: string;
  lines: ReportLine[];
  /** Shown when there are no lines. */
  empty: string;
}

/** The knowledge owner's weekly report: how the answers did, and what to teach the matcher next. */
export interface ReportReply {
  kind: 'report';
  title: string;
  /** "18 Nov – 25 Nov 2026 (UTC)". */
  period: string;
  figures: { label: string; value: string }[];
  sections: ReportSection[];
  /** What to do with it: the workflow, in one line per step. */
  next: string[];
  /** Set when the report cannot be shown: not an owner, or no store. */
  unavailable?: string;
  /** The accepted corrections as training lines. */
  actions: ReplyAction[];
  summary: string;
}

/** A verdict as a recheck note shows it: the setup and the confidence. */
export interface NoteVerdict {
  setup: SetupId;
  icon: string;
  setupTitle: string;
  confidence: { level: Confidence; text: string };
}

/**
 * A note posted in a recommendation's thread when the knowledge changed its verdict (src/advisor/recheck.ts): what
 * changed in the facts, the verdict then and now, and Open the updated recommendation.
 */
export interface RecheckNoteReply {
  kind: 'recheck-note';
  title: string;
  /** The recommendation's shareable id. */
  id: string;
  /** User text. */
  customer?: string;
  /** When it was made, in UTC: "2026-11-25 14:03 UTC". */
  made: string;
  /** What changed in the facts it rests on, one sentence each. */
  facts: string[];
  factsTitle: string;
  before: NoteVerdict;
  after: NoteVerdict;
  /** What changed in the verdict, one sentence each. */
  verdict: string[];
  /** Open the updated recommendation (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/**
 * Pages cited in sources.yml that changed (source watch, src/present/sources.ts), sent to the verifiers of the
 * topics citing them: each page, what changed, and the topics now due for verification.
 */
export interface SourceChangesReply {
  kind: 'source-changes';
  title: string;
  intro: string;
  changes: {
    /** The source's title in sources.yml (the knowledge's words, escaped like any text we did not write here). */
    title: string;
    url: string;
    /** "Seen 28 Nov 2026: its text changed." */
    what: string;
    /** Titles of the topics citing it. */
    topics: string[];
  }[];
  next: string[];
  actions: ReplyAction[];
  summary: string;
}

/** A verifier's reminder (src/present/verification.ts): a topic's facts and sources, with Still correct and Needs a change. */
export interface VerifyReminderReply {
  kind: 'verify-reminder';
  topic: TopicId;
  /** "Please check: Voice & video calls" */
  title: string;
  /** Why they get it and what to do, in one paragraph. */
  intro: string;
  /** Both setups, with their longer explanations: what is to be checked. */
  sides: SetupSide[];
  sources: Source[];
  /** "Last verified 2026-01-02 · due since 2026-05-02" */
  dates: string;
  /** Still correct, Needs a change (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

export type Reply =
  | AnswerReply
  | NoTopicReply
  | ClarifyReply
  | GreetingReply
  | HelpReply
  | TopicsReply
  | ComparisonReply
  | FormReply
  | RecommendationReply
  | HistoryReply
  | NotHelpfulReply
  | ReportReply
  | RecheckNoteReply
  | ExpertQuestionReply
  | ExpertAnswerReply
  | ExpertNoticeReply
  | SourceChangesReply
  | VerifyReminderReply;

/** Someone on either side of an expert question: a platform's user id, and the name the platform gave (user text). */
export interface ExpertPerson {
  platform: 'slack' | 'teams';
  userId: string;
  name?: string;
}

/**
 * *Ask an expert*: the question as the experts' channel sees it (src/present/experts.ts). The experts answer in its
 * thread; the first reply goes to the asker privately.
 */
export interface ExpertQuestionReply {
  kind: 'expert-question';
  title: string;
  /** The question as typed (user text). */
  question: string;
  /** Who asked: Slack draws a mention of the user id, Teams the name. */
  asker: ExpertPerson;
  /** "Asked in Slack" / "Asked in Microsoft Teams", with the time. */
  asked: string;
  /** What the advisor made of it: "I answered with Voice & video calls, unsure (match 42%)." */
  advisor: string;
  topicsTitle: string;
  /** The closest topics, best first (may be empty). */
  topics: TopicLink[];
  /** How to answer: "Reply in this thread: …". */
  hint: string;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/** An expert's reply, relayed privately to the person who asked. */
export interface ExpertAnswerReply {
  kind: 'expert-answer';
  title: string;
  /** The question as typed (user text). */
  question: string;
  /** The expert's reply as written (user text), capped. */
  answer: string;
  /** Who answered: Slack draws a mention of the user id, Teams the name. */
  by: ExpertPerson;
  /** "Answered in the experts' channel, 2026-12-07 10:42 UTC." */
  answered: string;
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/**
 * What became of an expert question, said to whoever needs to know: the asker (sent, or why not, with their
 * question echoed so nothing they typed is lost), or the expert (relayed; saved as a phrasing; marked for a new topic).
 */
export interface ExpertNoticeReply {
  kind: 'expert-notice';
  /** `done`: it worked; `problem`: it did not, and the message says what happens to the question. */
  tone: 'done' | 'problem';
  message: string;
  /** The question concerned (user text), echoed. */
  question?: string;
  /** The experts' channel it went to: Slack draws a link to the channel (`<#C…>`). */
  channel?: { platform: 'slack' | 'teams'; channelId: string };
  /** What the person can do with it, in order (src/present/actions.ts): renderers draw these and no others. */
  actions: ReplyAction[];
  summary: string;
}

/** What the requirements form offers, the same on every surface: countries (ours first), needs by group, the cap. */
export interface RequirementsForm {
  /** Countries where we offer Co-Existence, by name, then every other country by name. */
  offeredCountries: { code: string; name: string }[];
  otherCountries: { code: string; name: string }[];
  needGroups: { group: string; needs: { id: string; label: string }[] }[];
  /** Co-Existence's fixed messages per second: a peak above it rules Co-Existence out. */
  coexistenceMps: number;
  /** One line under the title. */
  intro: string;
  peakHint: string;
}
