import type { Requirements } from '../../src/index.ts';
import { CARRIED, EXPERT_QUESTION_ID, RECOMMENDATION_ID, THREAD_TS, TOPIC_ID_SHAPE } from '../carried.ts';
import { SLACK_LIMITS } from './limits.ts';

// What our buttons carry in their `value`, with readable keys, so a click needs no server-side state.

/** A topic's answer: which topic, the question it answered (so it leads with the same setup), details shown. */

export interface TopicValue {
  topic: string;
  question?: string;
  details?: boolean;
  /** Share into this thread (the ts of its parent message) rather than the channel itself. */
  thread?: string;
  /** The second topic of a question that asked two things: answered under the first. */
  also?: string;
}

/** What "Share in channel" shares: an answer, or the comparison. */
export type ShareValue = TopicValue | { comparison: true };

export const QUESTION_IN_VALUE = CARRIED.questionChars;

export function topicValue(v: TopicValue): string {
  return JSON.stringify({ topic: v.topic, ...(v.question ? { question: v.question.slice(0, QUESTION_IN_VALUE) } : {}), ...(v.details ? { details: true } : {}), ...(v.thread ? { thread: v.thread } : {}), ...(v.also ? { also: v.also } : {}) });
}

function parseObject(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function readTopicValue(value: string | undefined): TopicValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.topic !== 'string') return undefined;
  return {
    topic: v.topic,
    ...(typeof v.question === 'string' ? { question: v.question } : {}),
    ...(v.details === true ? { details: true } : {}),
    ...(typeof v.thread === 'string' && THREAD_TS.test(v.thread) ? { thread: v.thread } : {}),
    ...(typeof v.also === 'string' && v.also.length <= TOPIC_MAX ? { also: v.also } : {}),
  };
}

export function readShareValue(value: string | undefined): ShareValue | undefined {
  return parseObject(value)?.comparison === true ? { comparison: true } : readTopicValue(value);
}

// ---- Feedback on an answer, and the corrections after it ------------------------------------------------------
/**
 * What a feedback button carries: the question (its id in the store), the topic answered, the rating, and the
 * question's text (capped): "Not helpful" offers the topics closest to it.
 */
export interface FeedbackValue {
  question: string;
  topic: string;
  rating: 'helpful' | 'not-helpful';
  text?: string;
}

const ID_MAX = CARRIED.idChars;
const TOPIC_MAX = CARRIED.topicChars;

/**
 * Both buttons' values at once: they differ only in the rating, so the question (and its text) is written as JSON
 * once. This runs for every answer, on the ack's path.
 */
export function feedbackValues(question: string, topic: string, text?: string): Record<FeedbackValue['rating'], string> {
  const head = JSON.stringify({ q: question, t: topic, ...(text ? { x: text.slice(0, QUESTION_IN_VALUE) } : {}) }).slice(0, -1);
  return { helpful: `${head},"r":"helpful"}`, 'not-helpful': `${head},"r":"not-helpful"}` };
}

export function readFeedbackValue(value: string | undefined): FeedbackValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.q !== 'string' || typeof v.t !== 'string' || (v.r !== 'helpful' && v.r !== 'not-helpful')) return undefined;
  if (v.q.length > ID_MAX || v.t.length > TOPIC_MAX) return undefined;
  return { question: v.q, topic: v.t, rating: v.r, ...(typeof v.x === 'string' && v.x.trim() ? { text: v.x.slice(0, QUESTION_IN_VALUE) } : {}) };
}

/** A topic offered after "Not helpful": picking it is a correction of the answer to question `question` (its id). */
export interface CorrectionValue {
  question: string;
  /** The topic picked. */
  picked: string;
  /** The topic answered first (null: none). */
  answered: string | null;
  text: string;
  /** The thread the answer shares into (asked with the message shortcut): the ts of its parent message. */
  thread?: string;
}

export const correctionValue = (v: CorrectionValue): string =>
  JSON.stringify({ q: v.question, p: v.picked, a: v.answered, x: v.text.slice(0, QUESTION_IN_VALUE), ...(v.thread ? { th: v.thread } : {}) });

export function readCorrectionValue(value: string | undefined): CorrectionValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.q !== 'string' || typeof v.p !== 'string' || typeof v.x !== 'string' || !(v.a === null || typeof v.a === 'string')) return undefined;
  if (v.q.length > ID_MAX || v.p.length > TOPIC_MAX || (typeof v.a === 'string' && v.a.length > TOPIC_MAX)) return undefined;
  return { question: v.q, picked: v.p, answered: v.a, text: v.x.slice(0, QUESTION_IN_VALUE), ...(typeof v.th === 'string' && THREAD_TS.test(v.th) ? { thread: v.th } : {}) };
}

/** A knowledge owner's verdict on a correction group (the report's Accept / Dismiss). */
export interface ReviewValue {
  question: string;
  picked: string;
  verdict: 'accepted' | 'dismissed';
}

/** A stored question, whole (the group is found by it): it fits a button's 2,000 characters. */
const REVIEW_QUESTION_MAX = CARRIED.storedQuestionChars;

export const reviewValue = (v: ReviewValue): string => JSON.stringify({ q: v.question.slice(0, REVIEW_QUESTION_MAX), p: v.picked, v: v.verdict });

export function readReviewValue(value: string | undefined): ReviewValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.q !== 'string' || typeof v.p !== 'string' || (v.v !== 'accepted' && v.v !== 'dismissed')) return undefined;
  // The picked topic's id is shown back to the owner ("… is no longer a topic"): only an id's shape, as Teams checks it.
  if (v.q.length > REVIEW_QUESTION_MAX || v.p.length > TOPIC_MAX || !TOPIC_ID_SHAPE.test(v.p)) return undefined;
  return { question: v.q, picked: v.p, verdict: v.v };
}

/** A verifier's reminder button: the topic and the knowledge version the reminder showed. */
export interface VerifyValue {
  topic: string;
  version: string;
}

/** A knowledge version is short ("2026-11-25.3f9a2c1d"); anything longer or stranger is not one of ours. */
const KNOWLEDGE_VERSION = /^[\w.-]{1,40}$/;

export const verifyValue = (v: VerifyValue): string => JSON.stringify({ t: v.topic, k: v.version });

export function readVerifyValue(value: string | undefined): VerifyValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.t !== 'string' || typeof v.k !== 'string') return undefined;
  if (v.t.length > TOPIC_MAX || !TOPIC_ID_SHAPE.test(v.t) || !KNOWLEDGE_VERSION.test(v.k)) return undefined;
  return { topic: v.t, version: v.k };
}

/** A recommendation's shareable id, as its history buttons carry it. */
export function readRecommendationId(value: string | undefined): string | undefined {
  return value && RECOMMENDATION_ID.test(value) ? value : undefined;
}

// ---- A recheck note's "Open the updated recommendation" --------------------------------------------------------
/**
 * The recommendation's id and its requirements without their notes (a verdict does not depend on them): a customer
 * name of at most 80 characters and a list of need ids fit a button's 2,000 characters.
 */
export const openUpdatedValue = (id: string, requirements: Requirements): string => {
  const { notes: _notes, ...rest } = requirements;
  return JSON.stringify({ id, requirements: rest });
};

/** The id and the requirements as the button carried them: still to be validated (validateRequirements). */
export function readOpenUpdatedValue(value: string | undefined): { id: string; requirements: unknown } | undefined {
  const v = parseObject(value);
  if (!v || typeof v.id !== 'string' || !RECOMMENDATION_ID.test(v.id) || !v.requirements || typeof v.requirements !== 'object') return undefined;
  return { id: v.id, requirements: v.requirements };
}

// ---- "Edit requirements" ------------------------------------------------------------------------------------
// A recommendation carries its own requirements. A button value holds 2,000 characters and notes alone may be
// 2,000, so the value is one JSON line (requirements without notes, the channel) followed by the notes as typed
// (no JSON escaping to grow them). When that does not fit, the notes continue in the value of the message's
// other button ("Full comparison"), which needs no value of its own: `"notesContinue": true` says so.

export interface EditValue {
  requirements: Record<string, unknown>;
  channel?: string;
}

export function editValues(requirements: Requirements, channel?: string): { edit: string; notesRest?: string } {
  const { notes = '', ...rest } = requirements;
  const head = { requirements: rest, ...(channel ? { channel } : {}) };
  const whole = `${JSON.stringify(head)}\n${notes}`;
  if (whole.length <= SLACK_LIMITS.buttonValue) return { edit: whole };
  const line = JSON.stringify({ ...head, notesContinue: true });
  let cut = SLACK_LIMITS.buttonValue - line.length - 1;
  // Never split a surrogate pair between the two values.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(notes.charAt(cut - 1))) cut--;
  return { edit: `${line}\n${notes.slice(0, cut)}`, notesRest: notes.slice(cut) };
}

/** The requirements (notes included) from an Edit value, plus the rest of the notes when they continued. */
export function readEditValue(value: string | undefined, notesRest: () => string | undefined): (EditValue & { notes?: string }) | undefined {
  if (!value) return undefined;
  const newline = value.indexOf('\n');
  const head = parseObject(newline === -1 ? value : value.slice(0, newline));
  if (!head || !head.requirements || typeof head.requirements !== 'object' || Array.isArray(head.requirements)) return undefined;
  let notes = newline === -1 ? '' : value.slice(newline + 1);
  if (head.notesContinue === true) notes += notesRest() ?? '';
  return {
    requirements: head.requirements as Record<string, unknown>,
    ...(typeof head.channel === 'string' ? { channel: head.channel } : {}),
    ...(notes ? { notes } : {}),
  };
}

/** *Ask an expert*: the question as typed (whole, as the store keeps it) and the topic answered (null: none). */
export interface AskExpertValue {
  question: string;
  answered: string | null;
}

const ASKED_MAX = CARRIED.storedQuestionChars;

export const askExpertValue = (v: AskExpertValue): string => JSON.stringify({ x: v.question.slice(0, ASKED_MAX), a: v.answered });

export function readAskExpertValue(value: string | undefined): AskExpertValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.x !== 'string' || !v.x.trim() || !(v.a === null || (typeof v.a === 'string' && TOPIC_ID_SHAPE.test(v.a) && v.a.length <= TOPIC_MAX))) return undefined;
  return { question: v.x.slice(0, ASKED_MAX), answered: v.a };
}

/** On an expert's relayed answer: the expert question (its id) and, for *Save as a phrasing of…*, the topic. */
export interface ExpertTopicValue {
  expertQuestion: string;
  topic?: string;
}

export const expertTopicValue = (v: ExpertTopicValue): string => JSON.stringify({ e: v.expertQuestion, ...(v.topic ? { t: v.topic } : {}) });

export function readExpertTopicValue(value: string | undefined): ExpertTopicValue | undefined {
  const v = parseObject(value);
  if (!v || typeof v.e !== 'string' || !EXPERT_QUESTION_ID.test(v.e)) return undefined;
  if (v.t !== undefined && (typeof v.t !== 'string' || v.t.length > TOPIC_MAX || !TOPIC_ID_SHAPE.test(v.t))) return undefined;
  return { expertQuestion: v.e, ...(typeof v.t === 'string' ? { topic: v.t } : {}) };
}
