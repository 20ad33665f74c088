import { findTopic, type Click, type Knowledge, type TopicId } from '../../src/index.ts';
import { CARRIED, EXPERT_QUESTION_ID, RECOMMENDATION_ID, TOPIC_ID_SHAPE } from '../carried.ts';
import { SUBMIT_LIMITS } from './limits.ts';

// What the learning loop's Action.Submit buttons send back (activity.value in a chat, action.data in a dialog), read
// and checked. A submit is data a client sent: a value of another type, too long, or naming a topic the knowledge
// does not have is an old (or forged) card, and the reader answers undefined. Texts are capped, never trusted.

/** Cut to `max` UTF-16 units without leaving half a surrogate pair; no ellipsis (the text is data, not display). */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, cut);
}

const id = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= SUBMIT_LIMITS.idChars ? v : undefined);
const knownTopic = (knowledge: Knowledge, v: unknown): TopicId | undefined =>
  typeof v === 'string' && v.length <= SUBMIT_LIMITS.topicChars && findTopic(knowledge, v) ? v : undefined;
const questionText = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? capText(v, SUBMIT_LIMITS.questionChars) : undefined);

/** Helpful / Not helpful on an answer: the question's id, and (cards drawn since the learning loop) its text and topic. */
export interface FeedbackSubmit {
  question: string;
  rating: 'helpful' | 'not-helpful';
  /** Absent on cards drawn before the buttons carried them: then there is nothing to offer, only thanks. */
  asked?: { text: string; topic: TopicId };
}

export function readFeedback(value: Record<string, unknown>, knowledge: Knowledge): FeedbackSubmit | undefined {
  const question = id(value.question);
  const rating = value.rating === 'helpful' || value.rating === 'not-helpful' ? value.rating : undefined;
  if (!question || !rating) return undefined;
  if (value.text === undefined && value.topic === undefined) return { question, rating };
  const text = questionText(value.text);
  const topic = knownTopic(knowledge, value.topic);
  return text && topic ? { question, rating, asked: { text, topic } } : undefined;
}

/** A topic picked after Not helpful: a correction of the answer to question `question` (its id). */
export interface CorrectionSubmit {
  question: string;
  picked: TopicId;
  text: string;
}

export function readCorrection(value: Record<string, unknown>, knowledge: Knowledge): CorrectionSubmit | undefined {
  const question = id(value.question);
  const picked = knownTopic(knowledge, value.topic);
  const text = questionText(value.text);
  return question && picked && text ? { question, picked, text } : undefined;
}

/** A recommendation's shareable id, as the history's Open (and an oversized Edit) carries it. */
export function readRecommendationId(v: unknown): string | undefined {
  return typeof v === 'string' && RECOMMENDATION_ID.test(v) ? v : undefined;
}

/** A knowledge owner's verdict on a correction group (the report's Accept / Dismiss). */
export interface ReviewSubmit {
  question: string;
  picked: TopicId;
  verdict: 'accepted' | 'dismissed';
}

/**
 * Any topic id of the right shape: a correction to a topic removed from the knowledge since must still be
 * dismissable (the bot refuses to accept it: it would become a training line for a topic that is gone).
 */
export function readReview(value: Record<string, unknown>): ReviewSubmit | undefined {
  const verdict = value.verdict === 'accepted' || value.verdict === 'dismissed' ? value.verdict : undefined;
  const question = typeof value.question === 'string' && value.question.trim() && value.question.length <= SUBMIT_LIMITS.reviewQuestionChars ? value.question : undefined;
  const picked = typeof value.picked === 'string' && value.picked.length <= SUBMIT_LIMITS.topicChars && TOPIC_ID_SHAPE.test(value.picked) ? value.picked : undefined;
  return verdict && question && picked ? { question, picked, verdict } : undefined;
}

/** A topic button's data as the core's click (the topic is checked when its answer is made: actionReply). */
export function readTopicClick(value: Record<string, unknown>): Extract<Click, { id: 'topic' }> | undefined {
  if (typeof value.topic !== 'string' || value.topic.length > SUBMIT_LIMITS.topicChars) return undefined;
  return { id: 'topic', payload: { topic: value.topic as TopicId, ...(typeof value.question === 'string' ? { question: value.question } : {}) } };
}

/** A correction as the core's click. A card's data does not carry the topic first answered: the store has it. */
export const correctionClick = (c: CorrectionSubmit): Extract<Click, { id: 'correct' }> => ({ id: 'correct', payload: { question: c.question, picked: c.picked, answered: null, text: c.text } });

/** Feedback as the core's click: only a card whose buttons say what was asked can offer the closest topics. */
export const feedbackClick = (f: FeedbackSubmit): Extract<Click, { id: 'feedback' }> | undefined =>
  f.asked ? { id: 'feedback', payload: { question: f.question, topic: f.asked.topic, rating: f.rating, text: f.asked.text } } : undefined;

/** *Ask an expert*: the question whole (as the store keeps it) and the topic answered, when it is still a topic. */
export function readAskExpert(value: Record<string, unknown>, knowledge: Knowledge): { question: string; answered: TopicId | null } | undefined {
  const question = typeof value.text === 'string' && value.text.trim() ? capText(value.text, CARRIED.storedQuestionChars) : undefined;
  if (!question) return undefined;
  return { question, answered: knownTopic(knowledge, value.topic) ?? null };
}

/** On an expert's relayed answer: the expert question's id and, for Save as a phrasing of…, the topic (checked later). */
export function readExpertClick(value: Record<string, unknown>): { expertQuestion: string; topic?: string } | undefined {
  if (typeof value.expertQuestion !== 'string' || !EXPERT_QUESTION_ID.test(value.expertQuestion)) return undefined;
  if (value.topic !== undefined && (typeof value.topic !== 'string' || value.topic.length > SUBMIT_LIMITS.topicChars || !TOPIC_ID_SHAPE.test(value.topic))) return undefined;
  return { expertQuestion: value.expertQuestion, ...(typeof value.topic === 'string' ? { topic: value.topic } : {}) };
}

/** A reminder's Still correct / Needs a change: the topic (an id's shape) and the knowledge version the card showed. */
export function readVerify(value: Record<string, unknown>): { topic: string; version: string } | undefined {
  const topic = typeof value.topic === 'string' && value.topic.length <= SUBMIT_LIMITS.topicChars && TOPIC_ID_SHAPE.test(value.topic) ? value.topic : undefined;
  const version = typeof value.version === 'string' && /^[\w.-]{1,40}$/.test(value.version) ? value.version : undefined;
  return topic && version ? { topic, version } : undefined;
}
