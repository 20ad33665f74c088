import { describe, expect, it } from 'vitest';
import { LOW_CONFIDENCE, answer, builtInKnowledge } from '../../src/index.ts';
import { jsonLines, sharedText } from '../helpers/shared.ts';
import { readFileSync } from 'node:fs';

const kb = builtInKnowledge();
interface Question {
  q: string;
  topics: (string | null)[];
}

function accuracy(questions: Question[]) {
  const misses = questions.filter((q) => !q.topics.includes(answer(q.q, kb).topic));
  return { rate: 1 - misses.length / questions.length, misses: misses.map((m) => `${m.q} → ${answer(m.q, kb).topic}`) };
}

describe('answer: matching free text to a topic', () => {
  it('gets at least 95% top-1 on the public question set', () => {
    const { rate, misses } = accuracy(jsonLines<Question>(sharedText('eval/questions.public.jsonl')));
    expect(misses).toEqual([]); // listed for the reader when something regresses
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps at least 95% on our own question batches (typos, Hinglish, paragraphs, keywords, off-topic); no longer blind, see README', () => {
    const extra = jsonLines<Question>(readFileSync(new URL('../fixtures/questions.extra.jsonl', import.meta.url), 'utf8'));
    const { rate, misses } = accuracy(extra);
    expect(rate, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('never gives a topic to off-topic questions', () => {
    for (const q of ['What is the capital of Peru?', 'order pizza', 'qwertyuiop', 'how do I change my email signature', '', '   ', '???', 'hello', 'thanks!']) {
      const r = answer(q, kb);
      expect(r.topic, q).toBeNull();
      if (r.topic === null) expect(r.answer.examples.length).toBeGreaterThan(0);
    }
  });

  it('answers for both setups with sources and the verification date', () => {
    const r = answer('can we do video calls on api?', kb);
    expect(r.topic).toBe('calls');
    if (r.topic === null) return;
    expect(r.answer.coexistence.status).toBe('yes');
    expect(r.answer.apiOnly.status).toBe('no');
    expect(r.answer.sources[0]!.url).toMatch(/^https:/);
    expect(r.answer.lastVerified).toMatch(/^\d{4}-/);
    expect(r.confidence).toBeGreaterThanOrEqual(LOW_CONFIDENCE);
  });

  it('reads abbreviations and mixed Hindi-English through the synonyms in the data', () => {
    expect(answer('mps kitna hai', kb).topic).toBe('throughput');
    expect(answer('grp', kb).topic).toBe('group-chats');
    expect(answer('coex pe purane msgs aayenge?', kb).topic).toBe('history-sync');
  });

  it('gives a lower confidence and alternatives when a question spans topics', () => {
    const r = answer('calls and groups and status on the api', kb);
    expect(r.topic).not.toBeNull();
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThan(answer('video call', kb).confidence);
  });

  it('copes with very long input', () => {
    const r = answer('group chat '.repeat(5000), kb);
    expect(r.topic).toBe('group-chats');
  });
});
