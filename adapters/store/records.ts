import { randomFillSync } from 'node:crypto';
import { CARRIED, REMEMBERED } from '../carried.ts';
import type { Basis, Confidence, Recommendation, Reply, Requirements, SetupId, TopicId } from '../../src/index.ts';

// What the store records, as the listeners hand it over: questions, recommendations, feedback. Plain data; the
// ids are made here, synchronously, so a listener can put them into a message (a "Ref" line, a button's value)
// before anything is written.

export type Platform = 'slack' | 'teams' | 'cli';

/** Questions are kept to this length: enough to read what was asked, not a place to keep pasted documents. */
export const MAX_STORED_QUESTION_CHARS = CARRIED.storedQuestionChars;
/** Both apps claim a correction in the store this long (../carried.ts). */
export const CORRECTION_REPEAT_MS = REMEMBERED.correctionMs;
/** Ids from platforms (user, channel, message reference) are capped: they are short, anything longer is noise. */
export const MAX_REF_CHARS = 255;

export interface QuestionRecord {
  /** From newQuestionId(); feedback on the answer refers to it. */
  id: string;
  platform: Platform;
  userId: string;
  /** What was asked, as typed; stored capped at MAX_STORED_QUESTION_CHARS. */
  text: string;
  /** The topic answered, or null when the question was not understood. */
  topic: TopicId | null;
  confidence: number;
  /** Epoch milliseconds; default: when it was handed to the recorder. */
  at?: number;
}

export interface RecommendationRecord {
  /** From newRecommendationId(): short and shareable ("ask for 7K2M9QXA"). */
  id: string;
  platform: Platform;
  userId: string;
  /**
   * The Slack workspace (team id) or Teams tenant it was made in: who may see it depends on it (src/present/scope.ts).
   * Null or absent: visible only to `userId`.
   */
  workspace?: string | null;
  /** Where the recommendation was posted, when it was posted. */
  channelId?: string | null;
  /** The posted message: a Slack message ts, a Teams activity id. */
  messageRef?: string | null;
  /** A link to the posted message, when the platform gives one. */
  messageLink?: string | null;
  recommendation: Recommendation;
  /** knowledgeVersion(knowledge) of the knowledge it was made under. */
  knowledgeVersion: string;
  /** basisOf(requirements, knowledge): the facts it was made on, which a recheck compares with today's. */
  basis?: Basis | null;
  at?: number;
}

export type FeedbackTarget = 'answer' | 'recommendation';
export type Rating = 'helpful' | 'not-helpful' | 'correction';

export interface FeedbackRecord {
  id?: string;
  platform: Platform;
  userId: string;
  /** What the feedback is about: an answer (a question id) or a recommendation (its id). */
  target: FeedbackTarget;
  targetId: string;
  /**
   * `correction`: after "not helpful", the user picked the topic that answers the question ("asked X, picked
   * topic Y"); `topic` is Y. A correction is a labelled phrasing for the matcher's training set.
   */
  rating: Rating;
  topic?: TopicId | null;
  /** The question's text, when the listener has it: the report falls back to it if the question was not stored. */
  question?: string | null;
  at?: number;
}

/** A recommendation as read back: what history, export and the App Home show. */
export interface StoredRecommendation {
  id: string;
  createdAt: Date;
  platform: Platform;
  userId: string;
  /** The Slack team id or Teams tenant id it was made in; null when recorded before that was kept. */
  workspace: string | null;
  channelId: string | null;
  messageRef: string | null;
  messageLink: string | null;
  customer: string | null;
  setup: SetupId;
  confidence: Confidence;
  summary: string;
  requirements: Requirements;
  knowledgeVersion: string;
  /** The whole recommendation as it was shown. */
  recommendation: Recommendation;
  /** The facts it was made on (src/advisor/recheck.ts); null when recorded before they were kept (migration 0007). */
  basis: Basis | null;
}

export interface StoredQuestion {
  id: string;
  createdAt: Date;
  platform: Platform;
  userId: string;
  question: string;
  topic: TopicId | null;
  confidence: number;
}

// Crockford's base32: no I, L, O or U, so an id read aloud or retyped survives. Its characters are in ASCII order,
// so ids made of it sort like the numbers they encode.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random bytes drawn 4 KB at a time: each call into the system's generator costs 5-7 µs here whatever its size, and
 * every question asked needs an id (bench/RESULTS.md, "The store's cost").
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomId(length: number): string {
  if (poolAt + length > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[pool[poolAt++]! & 31];
  return id;
}

/** Milliseconds since 1970 in 9 base-32 characters (enough until the year 36812), most significant first. */
function timePart(ms: number): string {
  let out = '';
  for (let i = 0; i < 9; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 8 characters (40 random bits): short enough to say in a call, unique enough for years of recommendations. */
export const newRecommendationId = (): string => randomId(8);
/**
 * Questions and feedback: the time, then 35 random bits (two ids made in the same millisecond collide once in 34
 * billion). Time-ordered ids keep the primary-key index appended to at
 * its end; random ones scatter every insert over the whole index, which costs more as the table grows (SQLite: 16 µs
 * a row at 20,000 rows, 37 µs at 200,000; time-ordered: 6-10 µs flat, bench/store-writes.ts).
 */
export const newQuestionId = (now = Date.now()): string => timePart(now) + randomId(7);
export const newFeedbackId = (now = Date.now()): string => timePart(now) + randomId(7);

/** A recommendation id as a person may type it: any case, with stray spaces or a leading '#'. */
export function normaliseRecommendationId(text: string): string {
  return text.trim().replace(/^#/, '').toUpperCase();
}

export function cap(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/**
 * The grouping key of a question in the report: case, spacing and trailing punctuation do not make a new question
 * ("Calls?" and "calls" are one line with count 2).
 */
export function questionKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s?!.,;:]+$/u, '')
    .slice(0, MAX_STORED_QUESTION_CHARS);
}

/**
 * The question a reply answered, as the store records it: undefined for replies that answer no typed question (help,
 * a greeting, the comparison, a form, a topic chosen by a button). The text is capped here, at hand-over.
 */
export function questionRecord(reply: Reply, platform: Platform, userId: string): QuestionRecord | undefined {
  if (reply.kind === 'answer' && reply.question !== undefined && reply.confidence !== undefined) {
    return { id: newQuestionId(), platform, userId, text: cap(reply.question, MAX_STORED_QUESTION_CHARS), topic: reply.topic, confidence: reply.confidence };
  }
  // "Which do you mean?": recorded with the matcher's best guess; a pick is a correction of it.
  if (reply.kind === 'clarify') {
    return { id: newQuestionId(), platform, userId, text: cap(reply.question, MAX_STORED_QUESTION_CHARS), topic: reply.topic, confidence: reply.confidence };
  }
  if (reply.kind === 'off-topic' && reply.question) {
    return { id: newQuestionId(), platform, userId, text: cap(reply.question, MAX_STORED_QUESTION_CHARS), topic: null, confidence: reply.confidence };
  }
  return undefined;
}
