import type { TopicId } from '../knowledge/ids.ts';
import { LOW_CONFIDENCE, type AnswerResult } from '../advisor/answer.ts';
import { CLARIFY } from '../matching/thresholds.ts';

export { CLARIFY };

/**
 * The topics to offer with "Which do you mean?" instead of answering, best guess first; undefined when the question
 * is answered. Asked when a topic was matched but unsurely (under LOW_CONFIDENCE) or with a close runner-up (under
 * CLARIFY.closeConfidence), and there is at least one alternative to offer. A question that asks two things (`also`:
 * each part was read surely on its own) is answered, both topics, even though the whole message reads as unsure.
 */
export function clarifyTopics(result: AnswerResult): TopicId[] | undefined {
  if (result.topic === null || result.also || result.alternatives.length === 0) return undefined;
  const unsure = result.confidence < LOW_CONFIDENCE;
  const close = result.confidence < CLARIFY.closeConfidence;
  if (!unsure && !close) return undefined;
  return [result.topic, ...result.alternatives.filter((t) => t !== result.topic)].slice(0, CLARIFY.maxTopics);
}
