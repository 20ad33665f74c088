import { describe, expect, it } from 'vitest';
import { formatReply } from '../../adapters/plain-text.ts';
import { slackMessage } from '../../adapters/slack/blocks/reply.ts';
import { homeView } from '../../adapters/slack/blocks/report.ts';
import { SLACK_LIMITS } from '../../adapters/slack/limits.ts';
import { teamsCard } from '../../adapters/teams/cards/reply.ts';
import {
  MAY_BE_OUT_OF_DATE,
  mayVerify,
  presentReport,
  presentTopic,
  presentTopics,
  presentVerifyReminder,
  route,
  sourceChangeDaysByTopic,
  topicReview,
  withVerification,
  loadKnowledgeFile,
  parseKnowledge,
  type AnswerReply,
  type Knowledge,
  type SourceChange,
  type TopicsReply,
  type VerificationState,
} from '../../src/index.ts';
import { fixtureKnowledge, fixtureText } from '../helpers/fixtures.ts';
import { VERIFIER_SLACK, VERIFIER_TEAMS, knowledgeWith } from '../helpers/verification.ts';

// The verification rules of the core: the date an answer shows is the later of the file's and the stored one; a
// topic is due on the day its interval ends (reminded) and past it the day after (marked "may be out of date").

const base = fixtureKnowledge();
/** The fixture with calls verified 2026-01-01, every 100 days, by two verifiers. */
const kb: Knowledge = {
  ...base,
  topics: base.topics.map((t) => (t.id === 'calls' ? { ...t, lastVerified: '2026-01-01', reviewEveryDays: 100, verifiers: [VERIFIER_SLACK, VERIFIER_TEAMS] } : t)),
};
/** A change of M5 (a page calls cites), seen at `iso`. */
const change = (iso: string): SourceChange => ({ url: base.sources.M5!.url, sourceId: 'M5', changedAt: new Date(iso), kind: 'content', updatedBefore: null, updatedAfter: null });
const state = (today: string, verified: Record<string, string> = {}): VerificationState => ({ today, verified: new Map(Object.entries(verified)) });

describe('the stale rule', () => {
  it('is due on the last day of its interval and stale from the day after (2026-01-01 + 100 days = 2026-04-11)', () => {
    expect(topicReview(kb, 'calls', state('2026-04-10'))).toMatchObject({ dueOn: '2026-04-11', due: false, stale: false, every: 100 });
    expect(topicReview(kb, 'calls', state('2026-04-11'))).toMatchObject({ due: true, stale: false });
    expect(topicReview(kb, 'calls', state('2026-04-12'))).toMatchObject({ due: true, stale: true });
  });

  it("a topic without its own interval uses the file's reviewEveryDays", () => {
    const other = kb.topics.find((t) => t.id === 'group-chats')!;
    const review = topicReview(kb, 'group-chats', state('2026-12-07'))!;
    expect(review.every).toBe(kb.reviewEveryDays);
    const due = new Date(Date.parse(`${other.lastVerified}T00:00:00Z`) + kb.reviewEveryDays * 86_400_000).toISOString().slice(0, 10);
    expect(review.dueOn).toBe(due);
  });

  it('takes the later of the file date and the stored one, either way round', () => {
    expect(topicReview(kb, 'calls', state('2026-06-01', { calls: '2026-05-20' }))).toMatchObject({ lastVerified: '2026-05-20', storedDate: '2026-05-20', fileDate: '2026-01-01', stale: false, dueOn: '2026-08-28' });
    // A stored date older than the file's (the file was updated since) changes nothing.
    expect(topicReview(kb, 'calls', state('2026-06-01', { calls: '2025-12-01' }))).toMatchObject({ lastVerified: '2026-01-01', stale: true });
  });
});

describe('answers and the topic list', () => {
  it('an answer past its interval says it may be out of date (in the reply and its text); verified since, it shows the stored date and no mark', () => {
    const stale = route('can customers call us?', kb, { verification: state('2026-06-01') }) as AnswerReply;
    expect(stale.kind).toBe('answer');
    expect(stale.topic).toBe('calls');
    expect(stale.lastVerified).toBe('2026-01-01');
    expect(stale.stale).toContain(MAY_BE_OUT_OF_DATE);
    expect(stale.stale).toContain('due 2026-04-11');
    expect(formatReply(stale)).toContain(MAY_BE_OUT_OF_DATE);

    const fresh = route('can customers call us?', kb, { verification: state('2026-06-01', { calls: '2026-05-31' }) }) as AnswerReply;
    expect(fresh.stale).toBeUndefined();
    expect(fresh.lastVerified).toBe('2026-05-31');
    expect(formatReply(fresh)).toContain('Last verified 2026-05-31');
    expect(formatReply(fresh)).not.toContain(MAY_BE_OUT_OF_DATE);
  });

  it('without a state, replies are exactly as before (the same object)', () => {
    const reply = presentTopic(kb, 'calls')!;
    expect(withVerification(reply, kb, undefined)).toBe(reply);
  });

  it('the topic list marks only the stale topics', () => {
    const topics = withVerification(presentTopics(kb), kb, state('2026-06-01')) as TopicsReply;
    const marked = topics.rows.filter((r) => r.stale).map((r) => r.topic);
    expect(marked).toContain('calls');
    // The others were verified 2026-09-11 (fixture): not due by 2026-06-01.
    expect(marked).toEqual(['calls']);
    expect(formatReply(topics)).toMatch(/calls .*may be out of date/);
  });
});

describe('the reminder', () => {
  it("shows the topic's facts for both setups, its sources and dates, with Still correct and Needs a change carrying topic and version", () => {
    const review = topicReview(kb, 'calls', state('2026-04-11'))!;
    const reply = presentVerifyReminder(kb, review, '2026-09-11.abcd1234')!;
    const calls = presentTopic(kb, 'calls')!;
    expect(reply.title).toBe(`Please check: ${calls.title}`);
    expect(reply.sides.map((s) => s.details)).toEqual(calls.sides.map((s) => s.details));
    expect(reply.sources).toEqual(calls.sources);
    expect(reply.dates).toBe('Last verified 2026-01-01 · due since 2026-04-11');
    expect(reply.actions.map((a) => [a.id, a.label])).toEqual([
      ['verify', 'Still correct'],
      ['needs-change', 'Needs a change'],
    ]);
    expect(reply.actions.map((a) => ('payload' in a ? a.payload : undefined))).toEqual([
      { topic: 'calls', version: '2026-09-11.abcd1234' },
      { topic: 'calls', version: '2026-09-11.abcd1234' },
    ]);
  });

  it('may be answered by a listed verifier (any case) or an owner, by nobody else', () => {
    const review = topicReview(kb, 'calls', state('2026-04-11'))!;
    expect(mayVerify(review, VERIFIER_SLACK.toLowerCase(), false)).toBe(true);
    expect(mayVerify(review, VERIFIER_TEAMS.toUpperCase(), false)).toBe(true);
    expect(mayVerify(review, 'U0SOMEONE', false)).toBe(false);
    expect(mayVerify(review, undefined, false)).toBe(false);
    expect(mayVerify(review, 'U0SOMEONE', true)).toBe(true);
  });
});

describe("the owner's report", () => {
  const usage = { questions: 0, answered: 0, unanswered: [], lowConfidence: [], feedback: { helpful: 0, notHelpful: 0, corrections: 0 }, notHelpful: [], corrections: [] };
  it('lists the stale topics and the Needs a change marks made since the last verification', () => {
    const now = new Date('2026-06-01T10:00:00Z');
    const report = presentReport(
      {
        ...usage,
        since: new Date('2026-05-25T00:00:00Z'),
        verification: {
          verified: [{ topic: 'group-chats', at: Date.parse('2026-05-01T12:00:00Z') }],
          needsChange: [
            { topic: 'calls', platform: 'slack', userId: VERIFIER_SLACK, at: new Date('2026-05-30T09:00:00Z') },
            // Before group-chats' latest verification: fixed since, not listed.
            { topic: 'group-chats', platform: 'teams', userId: VERIFIER_TEAMS, at: new Date('2025-12-30T09:00:00Z') },
          ],
        },
      },
      kb,
      now,
    );
    const stale = report.sections.find((s) => s.id === 'stale')!;
    expect(stale.lines.map((l) => l.question)).toEqual([presentTopic(kb, 'calls')!.title]);
    expect(stale.lines[0]!.note).toContain('due since 2026-04-11');
    expect(stale.lines[0]!.note).toContain(VERIFIER_SLACK);
    const marks = report.sections.find((s) => s.id === 'needs-change')!;
    expect(marks.lines).toEqual([{ question: presentTopic(kb, 'calls')!.title, count: 1, note: `marked Needs a change on 2026-05-30 by ${VERIFIER_SLACK} (slack)` }]);
  });

  it('with many corrections waiting, the Slack report keeps every section and its steps within 50 blocks', () => {
    const corrections = Array.from({ length: 30 }, (_, i) => ({ question: `how do I ask thing ${i}?`, answered: null, picked: 'calls', count: 1, review: 'pending' as const }));
    // Every section the store can fill, as the pushed report has them.
    const report = presentReport({ ...usage, corrections, expertQuestions: [], newTopics: [], rechecked: [], sourcesChanged: [], since: new Date('2026-05-25T00:00:00Z'), verification: { verified: [], needsChange: [] } }, kb, new Date('2026-06-01T10:00:00Z'));
    const { blocks } = slackMessage(report, 'dm');
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    const drawn = JSON.stringify(blocks);
    // Before, the message clamp cut its end: "What to do with it" and the last sections were left out.
    expect(drawn).not.toContain('Some content was left out');
    expect(drawn).toContain('What to do with it');
    for (const s of report.sections) expect(drawn, s.id).toContain(s.title.replace('&', '&amp;'));
    // App Home has 100 blocks, less what comes before the report: more corrections fit there, and still every section.
    const home = homeView([], { kind: 'history', title: 'History', entries: [], actions: [], summary: '' } as never, report);
    expect(home.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerView);
    expect(JSON.stringify(home.blocks)).toContain('What to do with it');
  });

  it('a due topic is drawn without a count (it was not asked anything), a question with one', () => {
    const report = presentReport({ ...usage, unanswered: [{ question: 'who sells sim cards?', count: 2 }], since: new Date('2026-05-25T00:00:00Z'), verification: { verified: [], needsChange: [] } }, kb, new Date('2026-06-01T10:00:00Z'));
    const title = presentTopic(kb, 'calls')!.title;
    const slack = JSON.stringify(slackMessage(report, 'dm'));
    const teams = JSON.stringify(teamsCard(report, kb));
    for (const drawn of [slack, teams]) {
      expect(drawn).toContain('2×');
      expect(drawn).toContain('video calls”');
      expect(drawn).not.toContain('1×');
    }
  });
});

describe('check-knowledge: verifiers and intervals are data it validates', () => {
  const withTopic = (patch: string): ReturnType<typeof parseKnowledge> => {
    const text = fixtureText('knowledge.yml').replace('\n  - id: calls\n    title:', `\n  - id: calls\n    ${patch}\n    title:`);
    return parseKnowledge(text);
  };

  it('accepts Slack user ids and Teams AAD object ids, and an interval in range', () => {
    const result = withTopic(`verifiers: [${VERIFIER_SLACK}, ${VERIFIER_TEAMS}]\n    reviewEveryDays: 90`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.knowledge.topics.find((t) => t.id === 'calls')).toMatchObject({ verifiers: [VERIFIER_SLACK, VERIFIER_TEAMS], reviewEveryDays: 90 });
  });

  it('refuses an id of neither shape, a repeated verifier and an interval out of range, each named', () => {
    const bad = withTopic(`verifiers: [asha@example.com, ${VERIFIER_SLACK}, ${VERIFIER_SLACK}]\n    reviewEveryDays: 3`);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const text = bad.problems.join('\n');
    expect(text).toMatch(/verifiers\[0\]: a verifier is a Slack user id .* or a Teams AAD object id/);
    expect(text).toMatch(/verifiers\[2\]: verifier "U0VERIFY1" is listed twice/);
    expect(text).toMatch(/reviewEveryDays: review at most every 730 days and at least every 7/);
    expect(text).toMatch(/topic calls/);
  });

  it('warns, naming them, about topics with no verifier (the built-in data names none yet)', () => {
    const fixture = loadKnowledgeFile('test/fixtures/knowledge.yml');
    expect(fixture.ok).toBe(true);
    if (!fixture.ok) return;
    const warning = fixture.warnings.find((w) => w.includes('no verifier'));
    expect(warning).toBeDefined();
    expect(warning).toContain('calls');
    const some = withTopic(`verifiers: [${VERIFIER_SLACK}]`);
    if (!some.ok) throw new Error(some.problems.join('\n'));
    const named = some.warnings.find((w) => w.includes('no verifier'))!;
    expect(named).not.toMatch(/\bcalls\b/);
    expect(named).toContain('group-chats');
  });

  it('a knowledge file written by the tests helper round-trips (the suites below use it)', () => {
    const { file, cleanup } = knowledgeWith({ calls: { verifiers: [VERIFIER_SLACK], lastVerified: '2026-01-01' } });
    try {
      const loaded = loadKnowledgeFile(file);
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      expect(loaded.knowledge.topics.find((t) => t.id === 'calls')).toMatchObject({ verifiers: [VERIFIER_SLACK], lastVerified: '2026-01-01' });
    } finally {
      cleanup();
    }
  });
});

describe('a cited page that changed (the source watch)', () => {
  it('makes the topic due on the day it changed, asks its verifiers why, and does not mark answers out of date', () => {
    const changed = (day: string): VerificationState => ({ today: '2026-02-01', verified: new Map(), sourceChanged: new Map([['calls', [day]]]) });
    const review = topicReview(kb, 'calls', changed('2026-01-20'))!;
    expect(review).toMatchObject({ due: true, stale: false, dueOn: '2026-01-20', sourceChangedOn: '2026-01-20' });
    expect(presentVerifyReminder(kb, review, 'v1')!.intro).toContain('A page it cites changed on 2026-01-20');
    // A change before (or on) the day it was last verified was seen by that verification.
    expect(topicReview(kb, 'calls', changed('2026-01-01'))).toMatchObject({ due: false, dueOn: '2026-04-11' });
    expect(topicReview(kb, 'calls', { ...changed('2026-01-20'), verified: new Map([['calls', '2026-01-25']]) })).toMatchObject({ due: false, dueOn: '2026-05-05' });
  });

  it('a page that keeps changing does not move the due day: the first change after the last verification counts', () => {
    const changedOn = (days: string[], verified?: string): VerificationState => ({
      today: '2026-02-01',
      verified: new Map(verified ? [['calls', verified]] : []),
      sourceChanged: new Map([['calls', days]]),
    });
    // Any order; the days before (or on) the last verification were seen by it.
    expect(topicReview(kb, 'calls', changedOn(['2026-01-25', '2026-01-10', '2025-12-30', '2026-01-20']))).toMatchObject({ due: true, dueOn: '2026-01-10', sourceChangedOn: '2026-01-10' });
    // A change every day after that: still due since 2026-01-10 (one reminder for that due day, not one a day).
    const daily = Array.from({ length: 22 }, (_, i) => `2026-01-${String(10 + i).padStart(2, '0')}`);
    expect(topicReview(kb, 'calls', changedOn(daily))).toMatchObject({ dueOn: '2026-01-10', sourceChangedOn: '2026-01-10' });
    // Verified on the 12th: the next change after it makes it due.
    expect(topicReview(kb, 'calls', changedOn(['2026-01-25', '2026-01-10', '2026-01-20'], '2026-01-12'))).toMatchObject({ due: true, dueOn: '2026-01-20', sourceChangedOn: '2026-01-20' });
    expect(sourceChangeDaysByTopic(kb, [change('2026-01-20T10:00:00Z'), change('2026-01-10T09:00:00Z'), change('2026-01-20T23:00:00Z')]).get('calls')).toEqual(['2026-01-10', '2026-01-20']);
  });
});
