import { describe, expect, it } from 'vitest';
import {
  EXPERT_SAYS,
  LOW_CONFIDENCE,
  actionReply,
  expertRelayed,
  offersExpert,
  presentExpertAnswer,
  presentExpertQuestion,
  presentTopic,
  route,
  withAskExpert,
  type AnswerReply,
  type Reply,
} from '../../src/index.ts';
import { EXPERT } from '../../src/matching/thresholds.ts';
import { loadConfig } from '../../adapters/config.ts';
import { CARRIED } from '../../adapters/carried.ts';
import { expertAnswerMessage } from '../../adapters/slack/blocks/experts.ts';
import { expertAnswerCard } from '../../adapters/teams/cards/experts.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { fixtureKnowledge, vagueQuestion } from '../helpers/fixtures.ts';

// *Ask an expert* in the core: which replies offer it (declined, asked back, unsure, after Not helpful), only when the
// platform has an experts' channel, and what the experts' post and the expert-side buttons carry.

const kb = fixtureKnowledge();
const asks = (reply: Reply) => reply.kind !== 'history' && 'actions' in reply && reply.actions.some((a) => a.id === 'ask-expert');
const OFF_TOPIC = 'what is the refund policy for our hosting invoices?';

describe('Ask an expert: where it is offered', () => {
  it('"low" is the line under which an answer is already a best guess', () => {
    expect(EXPERT.offerUnder).toBe(LOW_CONFIDENCE);
  });

  it('a declined question offers it when the platform has an experts channel, and not otherwise', () => {
    expect(route(OFF_TOPIC, kb).kind).toBe('off-topic');
    expect(asks(route(OFF_TOPIC, kb))).toBe(false);
    const offered = route(OFF_TOPIC, kb, { askExpert: true });
    expect(asks(offered)).toBe(true);
    expect(offered.kind === 'off-topic' && offered.actions.at(-1)).toEqual({ id: 'ask-expert', label: 'Ask an expert', payload: { question: OFF_TOPIC, answered: null } });
    // The same question again without an experts channel (the other platform): no button from the shared reply.
    expect(asks(route(OFF_TOPIC, kb))).toBe(false);
  });

  it('"Which do you mean?" offers it, carrying the best guess', () => {
    const question = vagueQuestion((q) => route(q, kb).kind === 'clarify');
    const reply = route(question, kb, { askExpert: true });
    expect(reply.kind).toBe('clarify');
    const ask = reply.kind === 'clarify' ? reply.actions.find((a) => a.id === 'ask-expert') : undefined;
    expect(ask).toMatchObject({ payload: { question, answered: reply.kind === 'clarify' ? reply.topic : null } });
  });

  it('an answer offers it only under the line; a sure answer and a topic picked by a button do not', () => {
    const calls = presentTopic(kb, 'calls', 'can we take calls?')!;
    const unsure: AnswerReply = { ...calls, confidence: EXPERT.offerUnder - 0.01 };
    const sure: AnswerReply = { ...calls, confidence: EXPERT.offerUnder };
    expect(offersExpert(unsure)).toBe(true);
    expect(offersExpert(sure)).toBe(false);
    expect(offersExpert(calls)).toBe(false);
    expect(withAskExpert(unsure).actions.at(-1)).toMatchObject({ id: 'ask-expert', payload: { question: 'can we take calls?', answered: 'calls' } });
    expect(withAskExpert(sure)).toBe(sure);
  });

  it('after Not helpful, the closest topics come with Ask an expert when the platform has a channel', () => {
    const click = { id: 'feedback', payload: { question: 'Q1', topic: 'calls', rating: 'not-helpful', text: 'can we take calls?' } } as const;
    expect(asks(actionReply(kb, click)!)).toBe(false);
    const offered = actionReply(kb, click, { askExpert: true })!;
    expect(offered.kind).toBe('not-helpful');
    expect(asks(offered)).toBe(true);
  });
});

describe('Ask an expert: the experts post and the expert side', () => {
  const at = new Date(Date.UTC(2026, 11, 7, 9, 30));
  it('the post says who asked, where and when, what the advisor made of it and the closest topics, with Needs a new topic', () => {
    const post = presentExpertQuestion(kb, { id: '01ABCDEFGHJKMNPQ', question: 'can we bill refunds?', asker: { platform: 'teams', userId: 'aad-1', name: 'Ann' }, answered: 'pricing', topics: [{ topic: 'pricing', title: 'Pricing' }], at });
    expect(post).toMatchObject({
      kind: 'expert-question',
      question: 'can we bill refunds?',
      asked: 'Asked in Microsoft Teams, 2026-12-07 09:30 UTC',
      advisor: expect.stringMatching(/^The advisor was unsure; it answered with /),
      topics: [{ topic: 'pricing', title: 'Pricing' }],
      actions: [{ id: 'new-topic', label: 'Needs a new topic', payload: { expertQuestion: '01ABCDEFGHJKMNPQ' } }],
    });
  });

  it('after a relay the expert gets Save as a phrasing of… per topic, then Needs a new topic', () => {
    const relayed = expertRelayed('01ABCDEFGHJKMNPQ', 'q', [{ topic: 'calls', title: 'Voice & video calls' }, { topic: 'pricing', title: 'Pricing' }]);
    expect(relayed.message).toBe(EXPERT_SAYS.relayed);
    expect(relayed.actions.map((a) => a.label)).toEqual(['Save as a phrasing of: Voice & video calls', 'Save as a phrasing of: Pricing', 'Needs a new topic']);
  });
});

describe('Ask an expert: configuration', () => {
  it('EXPERTS_CHANNEL and TEAMS_EXPERTS_CHANNEL are channel ids, each named when wrong', () => {
    expect(loadConfig({ EXPERTS_CHANNEL: 'C0123456789', TEAMS_EXPERTS_CHANNEL: '19:abcDEF123_-x@thread.tacv2' })).toMatchObject({ ok: true, config: { experts: { slack: 'C0123456789', teams: '19:abcDEF123_-x@thread.tacv2' } } });
    expect(loadConfig({})).toMatchObject({ ok: true, config: { experts: {} } });
    const wrong = loadConfig({ EXPERTS_CHANNEL: '#whatsapp-experts', TEAMS_EXPERTS_CHANNEL: 'General' });
    expect(wrong.ok === false && wrong.problems).toEqual([expect.stringMatching(/^EXPERTS_CHANNEL must be a Slack channel id/), expect.stringMatching(/^TEAMS_EXPERTS_CHANNEL must be a Teams channel id/)]);
  });
});

describe('a long expert answer, relayed', () => {
  it('is cut at CARRIED.expertAnswerChars on both platforms, escaped, and within each platform\'s limits', () => {
    const answer = `<!channel> ${'Refunds go to billing. '.repeat(600)}`; // about 13,800 characters
    const reply = presentExpertAnswer({ question: 'refunds?', answer, by: { platform: 'slack', userId: 'U0EXPERT' }, at: new Date('2026-12-07T12:00:00Z') });
    const slack = expertAnswerMessage(reply);
    expect(slackLimitViolations({ blocks: slack.blocks, text: slack.text })).toEqual([]);
    for (const t of mrkdwnStrings(slack.blocks)) expect(t).not.toContain('<!channel>');
    const shown = mrkdwnStrings(slack.blocks).find((t) => t.includes('Refunds go to billing'))!;
    expect(shown.length).toBeLessThanOrEqual(CARRIED.expertAnswerChars);
    expect(shown.endsWith('…')).toBe(true);
    const card = expertAnswerCard(reply);
    expect(cardProblems(card)).toEqual([]);
    const body = textBlocks(card).find((t) => t.includes('Refunds go to billing'))!;
    // Counted as the asker reads it: without the markdown escapes the card adds.
    const read = body.replace(/\\(.)/g, '$1');
    expect(read.length).toBeLessThanOrEqual(CARRIED.expertAnswerChars);
    expect(read.length).toBeGreaterThan(CARRIED.expertAnswerChars - 100);
  });
});
