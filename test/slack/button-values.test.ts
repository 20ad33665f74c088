import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../adapters/slack/limits.ts';
import { QUESTION_IN_VALUE, editValues, feedbackValues, readEditValue, readFeedbackValue, readRecommendationId as slack, readReviewValue, readTopicValue, reviewValue, topicValue } from '../../adapters/slack/values.ts';
import { readRecommendationId as teams } from '../../adapters/teams/submits.ts';
import { newRecommendationId } from '../../adapters/store/records.ts';
import { NEED_IDS, validateRequirements, type Requirements } from '../../src/index.ts';

// What Slack buttons carry: readable keys, within Slack's 2,000-character value, nothing the user typed lost.

const requirements = (notes?: string): Requirements => {
  const v = validateRequirements({ customer: 'Ω'.repeat(80), country: 'IN', agents: 12, dailyMessages: 123456, peakMps: 19.5, needs: [...NEED_IDS], ...(notes ? { notes } : {}) });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.requirements;
};

describe('Edit requirements', () => {
  const worst = ['"'.repeat(2000), '\\\n'.repeat(1000), '😀'.repeat(1000), `${'x'.repeat(1000)}${'😀'.repeat(500)}`, 'short notes'];
  it.each(worst.map((n) => [n.slice(0, 12), n]))('notes like %j: every value fits, and reading them back gives everything typed', (_, notes) => {
    const q = requirements(notes);
    const values = editValues(q, 'C_DEALS');
    expect(values.edit.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    expect((values.notesRest ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    const back = readEditValue(values.edit, () => values.notesRest);
    const { notes: _typed, ...withoutNotes } = q;
    expect(back).toEqual({ requirements: withoutNotes, channel: 'C_DEALS', notes });
    expect(JSON.parse(values.edit.split('\n')[0]!)).toHaveProperty('requirements.country', 'IN');
  });

  it('a value that is not ours is refused, not trusted', () => {
    expect(readEditValue('{"r":{"country":"IN"}}', () => undefined)).toBeUndefined();
    expect(readEditValue('not json', () => undefined)).toBeUndefined();
  });
});

describe('topic buttons', () => {
  it('carry readable keys and a question cut to a sane length', () => {
    const v = topicValue({ topic: 'calls', question: 'q'.repeat(5000), details: true });
    expect(JSON.parse(v)).toEqual({ topic: 'calls', question: 'q'.repeat(300), details: true });
    expect(readTopicValue(v)).toEqual({ topic: 'calls', question: 'q'.repeat(300), details: true });
    expect(readTopicValue('{"t":"calls"}')).toBeUndefined();
  });
});

describe('feedback buttons', () => {
  it('both values read back as what was drawn, the question text capped, quotes and emoji intact', () => {
    const text = `He said "ok" 👍 \\ ${'x'.repeat(400)}`;
    const values = feedbackValues('01JQ0000ABCDEFG', 'calls', text);
    for (const rating of ['helpful', 'not-helpful'] as const) {
      expect(readFeedbackValue(values[rating])).toEqual({ question: '01JQ0000ABCDEFG', topic: 'calls', rating, text: text.slice(0, QUESTION_IN_VALUE) });
      expect(values[rating].length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    }
    expect(readFeedbackValue(feedbackValues('Q1', 'calls').helpful)).toEqual({ question: 'Q1', topic: 'calls', rating: 'helpful' });
  });
});

describe('a recommendation id in a button', () => {
  it('reads the same on Slack and Teams: what one accepts the other does, and what one refuses the other does', () => {
    const made = newRecommendationId();
    for (const id of [made, '7K2M', '7K2M9QXA7K2M9QXA', '7K2', '7K2M9QXA7K2M9QXA7', '7k2m9qxa', '7K2M 9QXA', '', 'A'.repeat(64)]) {
      expect(teams(id), id).toBe(slack(id));
    }
    expect(slack(made)).toBe(made);
    expect(slack('A'.repeat(17))).toBeUndefined(); // Teams took up to 64 characters, Slack 16
  });
});

describe('a correction review (Accept / Dismiss)', () => {
  it('reads back what it carries; a picked topic that is not shaped like an id (markup, a mention) is an old or forged button', () => {
    const value = reviewValue({ question: 'kya calls chalenge <!channel>?', picked: 'calls', verdict: 'accepted' });
    expect(readReviewValue(value)).toEqual({ question: 'kya calls chalenge <!channel>?', picked: 'calls', verdict: 'accepted' });
    for (const picked of ['<!channel>', '*bold*', 'Calls', '']) {
      expect(readReviewValue(JSON.stringify({ q: 'x', p: picked, v: 'dismissed' })), picked).toBeUndefined();
    }
  });
});
