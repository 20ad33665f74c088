import { randomBytes } from 'node:crypto';
import type { Confidence, Recommendation, Reply, Requirements, SetupId, TopicId } from '../../src/index.ts';

// What the store records, as the listeners hand it over: questions, recommendations, feedback. Plain data; the
// ids are made here, synchronously, so a listener can put them into a message (a "Ref" line, a button's value)
// before anything is written.

export type Platform = 'slack' | 'teams' | 'cli';

/** Questions are kept to this length: enough to read what was asked, not a place to keep pasted documents. */
export const MAX_STORED_QUESTION_CHARS = 500;
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
  /** Where the recommendation was posted, when it was posted. */
  channelId?: string | null;
  /** The posted message: a Slack message ts, a Teams activity id. */
  messageRef?: string | null;
  /** A link to the posted message, when the platform gives one. */
  messageLink?: string | null;
  recommendation: Recommendation;
  /** knowledgeVersion(knowledge) of the knowledge it was made under. */
  knowledgeVersion: string;
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

// Crockford's base32: no I, L, O or U, so an id read aloud or retyped survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomId(length: number): string {
  const bytes = randomBytes(length);
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[bytes[i]! & 31];
  return id;
}

/** 8 characters (40 random bits): short enough to say in a call, unique enough for years of recommendations. */
export const newRecommendationId = (): string => randomId(8);
export const newQuestionId = (): string => randomId(12);
export const newFeedbackId = (): string => randomId(12);

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
  if (reply.kind === 'off-topic' && reply.question) {
    return { id: newQuestionId(), platform, userId, text: cap(reply.question, MAX_STORED_QUESTION_CHARS), topic: null, confidence: reply.confidence };
  }
  return undefined;
}
