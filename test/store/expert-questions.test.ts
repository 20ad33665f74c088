import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newExpertQuestionId, type ExpertQuestionRecord } from '../../adapters/store/expert-questions.ts';
import { presentReport } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { postgresTestStore, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// *Ask an expert* in the store, on SQLite and PostgreSQL: a question recorded, its post, the first reply taken once
// (by whichever of two connections, the two replicas, gets there first), and what the owners' report lists.

const kb = fixtureKnowledge();
const NOW = Date.UTC(2026, 11, 7, 10, 0, 0);

const asked = (question: string, extra: Partial<ExpertQuestionRecord> = {}): ExpertQuestionRecord => ({
  id: newExpertQuestionId(NOW),
  platform: 'slack',
  userId: 'U0ASKER',
  workspace: 'T1',
  askerName: 'asker',
  question,
  answeredTopic: null,
  topics: ['calls', 'group-chats'],
  at: NOW,
  ...extra,
});

function contract(kind: string, make: () => Promise<TestStore>) {
  describe(`expert questions on ${kind}`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => t?.cleanup());

    it('finds a posted question by its channel and post, and takes its first reply once across two replicas', async () => {
      const q = asked('can the owner keep the phone app when <!channel> is on the api?');
      await t.store.experts.add(q);
      await t.store.experts.posted(q.id, { channelId: 'C0EXPERTS', ref: '1700000000.000100' });
      const found = await t.store.experts.byPost('C0EXPERTS', '1700000000.000100');
      expect(found).toMatchObject({ id: q.id, question: q.question, status: 'posted', topics: ['calls', 'group-chats'], userId: 'U0ASKER', workspace: 'T1', answeredAt: null });
      expect(await t.store.experts.byPost('C0EXPERTS', '1700000000.999999')).toBeUndefined();

      // Two replicas (two connections) receive the same reply, and a second expert replies: one wins, once.
      const other = await t.reopen();
      const results = await Promise.all([
        t.store.experts.answer(q.id, { by: 'U0EXPERT', text: 'Yes: Co-Existence keeps the app.', at: NOW + 60_000 }),
        other.experts.answer(q.id, { by: 'U0EXPERT', text: 'Yes: Co-Existence keeps the app.', at: NOW + 60_000 }),
        other.experts.answer(q.id, { by: 'U0LATER', text: 'A later reply', at: NOW + 120_000 }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const answered = await t.store.experts.byId(q.id);
      expect(answered?.answeredAt).not.toBeNull();
      expect(answered?.answer === 'A later reply' ? answered.answeredBy : answered?.answer).toBe(answered?.answer === 'A later reply' ? 'U0LATER' : 'Yes: Co-Existence keeps the app.');
      expect(await t.store.experts.answer(q.id, { by: 'U0THIRD', text: 'too late', at: NOW + 180_000 })).toBe(false);
    });

    it('the report lists questions waiting for an expert and those that could not be posted, not the answered ones', async () => {
      const waiting = asked('does the api support disappearing messages?', { at: NOW + 1000, id: newExpertQuestionId(NOW + 1000) });
      const failed = asked('can we migrate a number from another BSP?', { at: NOW + 2000, id: newExpertQuestionId(NOW + 2000) });
      const answered = asked('is there a limit on templates?', { at: NOW + 3000, id: newExpertQuestionId(NOW + 3000) });
      for (const q of [waiting, failed, answered]) await t.store.experts.add(q);
      await t.store.experts.posted(waiting.id, { channelId: 'C0EXPERTS', ref: '1700000001.000100' });
      await t.store.experts.posted(failed.id, { error: 'channel C0GONE: channel_not_found' });
      await t.store.experts.posted(answered.id, { channelId: 'C0EXPERTS', ref: '1700000002.000100' });
      expect(await t.store.experts.answer(answered.id, { by: 'U0EXPERT', text: 'No fixed limit.', at: NOW + 4000 })).toBe(true);
      expect(await t.store.experts.markNewTopic(waiting.id, 'U0EXPERT', NOW + 5000)).toBe(true);
      expect(await t.store.experts.markNewTopic(waiting.id, 'U0OTHER', NOW + 6000)).toBe(false);

      const report = await t.store.report(new Date(NOW + 500));
      expect(report.expertQuestions?.map((l) => [l.question, l.error ?? null])).toEqual([
        [waiting.question, null],
        [failed.question, 'channel C0GONE: channel_not_found'],
      ]);
      expect(report.newTopics).toEqual([{ question: waiting.question }]);

      const shown = presentReport(report, kb, new Date(NOW + 10_000));
      const section = (id: string) => shown.sections.find((s) => s.id === id)!;
      expect(section('expert-questions').lines.map((l) => [l.question, l.note])).toEqual([
        [waiting.question, 'asked 7 Dec 2026, waiting for an expert'],
        [failed.question, 'asked 7 Dec 2026, not delivered: channel C0GONE: channel_not_found'],
      ]);
      expect(section('new-topics').lines.map((l) => l.question)).toEqual([waiting.question]);
    });

    it('an answer that could not be relayed stays in the report, saying why', async () => {
      const q = asked('can two agents reply at once?', { at: NOW + 7000, id: newExpertQuestionId(NOW + 7000) });
      await t.store.experts.add(q);
      await t.store.experts.posted(q.id, { channelId: 'C0EXPERTS', ref: '1700000003.000100' });
      await t.store.experts.answer(q.id, { by: 'U0EXPERT', text: 'Yes.', at: NOW + 8000 });
      await t.store.experts.relayFailed(q.id, 'user U0ASKER: cannot_dm_bot');
      const report = await t.store.report(new Date(NOW + 6500));
      expect(report.expertQuestions).toEqual([{ question: q.question, askedAt: new Date(NOW + 7000), error: 'answered, but not delivered to the asker: user U0ASKER: cannot_dm_bot' }]);
    });

    it('a claim given back (release) can be claimed again, by this replica or another; other keys stay claimed', async () => {
      const key = 'slack:ask-expert:U0ASKER:a question the store failed to save';
      expect(await t.store.claim(key, 600_000, NOW)).toBe(true);
      expect(await t.store.claim('slack:ask-expert:U0ASKER:another', 600_000, NOW)).toBe(true);
      await t.store.release(key);
      const other = await t.reopen();
      expect(await other.claim(key, 600_000, NOW + 1000)).toBe(true);
      expect(await t.store.claim(key, 600_000, NOW + 2000)).toBe(false);
      expect(await t.store.claim('slack:ask-expert:U0ASKER:another', 600_000, NOW + 2000)).toBe(false);
    });

    it('is pruned with the other questions after the retention period', async () => {
      const old = asked('an old question', { at: NOW - 400 * 86_400_000, id: newExpertQuestionId(NOW - 400 * 86_400_000) });
      await t.store.experts.add(old);
      const pruned = await t.store.prune(365, NOW);
      expect(pruned.expertQuestions).toBe(1);
      expect(await t.store.experts.byId(old.id)).toBeUndefined();
    });
  });
}

contract('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => contract('PostgreSQL', postgresTestStore));
