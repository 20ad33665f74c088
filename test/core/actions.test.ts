import { describe, expect, it } from 'vitest';
import { LABELS, ON_ACTION, REPLY_ACTION_IDS, actionReply, asRecorded, presentNotHelpful, presentTopic, recommendationWithReply, route, validateRequirements, type AnswerReply, type ReplyAction } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// What a person can do with a reply, and what each click shows: decided once in the core for every surface.

const kb = fixtureKnowledge();
const labels = (actions: readonly ReplyAction[]) => actions.map((a) => a.label);

describe('the actions a reply carries', () => {
  it('an answer offers Share, More details and Compare, and More details shows the answer with Less', () => {
    const answer = presentTopic(kb, 'calls', 'can customers call us?')!;
    expect(labels(answer.actions)).toEqual([LABELS.shareInChannel, LABELS.moreDetails, LABELS.compare]);
    const details = answer.actions.find((a) => a.id === 'details')!;
    const shown = actionReply(kb, details as Extract<ReplyAction, { id: 'details' }>) as AnswerReply;
    expect(shown.kind).toBe('answer');
    expect(shown.question).toBe('can customers call us?');
    expect(labels(shown.actions)).toEqual([LABELS.shareInChannel, LABELS.lessDetails, LABELS.compare]);
    expect(shown.actions.find((a) => a.id === 'share')).toMatchObject({ payload: { details: true } });
  });

  it('a declined question offers the topics it came near, then Recommend and Compare', () => {
    const reply = route('What is the capital of Peru?', kb);
    expect(reply.kind).toBe('off-topic');
    if (reply.kind !== 'off-topic') return;
    expect(labels(reply.actions)).toEqual([...reply.topics.map((t) => t.title), LABELS.recommend, LABELS.compare]);
  });

  it('a topic picked from a recorded question is a correction of what was answered; without a record it only shows the topic', () => {
    const offer = presentNotHelpful(kb, 'can customers call us?', 'calls');
    expect(offer.actions.every((a) => a.id === 'topic')).toBe(true);
    expect(asRecorded(offer, undefined)).toBe(offer);
    const recorded = asRecorded(offer, 'Q7');
    expect(labels(recorded.actions)).toEqual(labels(offer.actions));
    const pick = recorded.actions[0]!;
    expect(pick).toMatchObject({ id: 'correct', payload: { question: 'Q7', answered: 'calls', text: 'can customers call us?' } });
    if (pick.id !== 'correct') return;
    const shown = actionReply(kb, pick) as AnswerReply;
    expect(shown.topic).toBe(pick.payload.picked);
    expect(shown.question).toBe('can customers call us?');
  });

  it('every action id has a handler; a button naming a topic the knowledge no longer has shows nothing', () => {
    expect(Object.keys(ON_ACTION).sort()).toEqual([...REPLY_ACTION_IDS].sort());
    expect(actionReply(kb, { id: 'topic', payload: { topic: 'retired-topic' as never } })).toBeUndefined();
    expect(actionReply(kb, { id: 'compare', payload: undefined })?.kind).toBe('comparison');
    expect(actionReply(kb, { id: 'recommend', payload: undefined })?.kind).toBe('form');
  });

  it('a recommendation offers Edit requirements, which opens the form filled with what it was made from, and the full comparison', () => {
    const valid = validateRequirements({ customer: 'Acme', country: 'IN', agents: 3, dailyMessages: 100, peakMps: 1, needs: ['calls'] });
    if (!valid.ok) throw new Error('sample requirements');
    const { reply } = recommendationWithReply(valid.requirements, kb);
    expect(labels(reply.actions)).toEqual([LABELS.editRequirements, LABELS.fullComparison]);
    const edit = reply.actions[0]!;
    if (edit.id !== 'edit') throw new Error('edit first');
    expect(actionReply(kb, edit)).toMatchObject({ kind: 'form', customer: 'Acme', requirements: valid.requirements });
  });
});
