import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTestStore, sqliteTestStore, type TestStore } from '../helpers/store.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';

// The store's part of verification, on SQLite and PostgreSQL: verdicts kept as history, the newest Still correct per
// topic, and a topic's reminder for one due day claimed exactly once (concurrent claims included), given back on
// request.

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T09:00:00Z');

function suite(kind: string, make: () => Promise<TestStore>) {
  describe(`verifications on ${kind}`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('keeps every verdict; the newest Still correct per topic is what counts', async () => {
      const s = t.store;
      await s.recordVerification({ topic: 'calls', verdict: 'verified', platform: 'slack', userId: 'U0VERIFY1', at: T0, knowledgeVersion: '2026-09-11.aaaa' });
      await s.recordVerification({ topic: 'calls', verdict: 'verified', platform: 'teams', userId: 'aad-1', at: T0 + 2 * DAY, knowledgeVersion: '2026-09-11.bbbb' });
      await s.recordVerification({ topic: 'calls', verdict: 'needs-change', platform: 'slack', userId: 'U0VERIFY1', at: T0 + 3 * DAY, knowledgeVersion: '2026-09-11.bbbb' });
      await s.recordVerification({ topic: 'group-chats', verdict: 'needs-change', platform: 'slack', userId: 'U0VERIFY1', at: T0 + DAY, knowledgeVersion: '2026-09-11.aaaa' });
      expect(await s.latestVerifications()).toEqual([{ topic: 'calls', at: T0 + 2 * DAY }]);
      const all = await s.verificationsSince(new Date(T0));
      expect(all.map((v) => [v.topic, v.verdict, v.platform, v.userId, v.knowledgeVersion])).toEqual([
        ['calls', 'verified', 'slack', 'U0VERIFY1', '2026-09-11.aaaa'],
        ['group-chats', 'needs-change', 'slack', 'U0VERIFY1', '2026-09-11.aaaa'],
        ['calls', 'verified', 'teams', 'aad-1', '2026-09-11.bbbb'],
        ['calls', 'needs-change', 'slack', 'U0VERIFY1', '2026-09-11.bbbb'],
      ]);
      expect(await s.verificationsSince(new Date(T0 + DAY))).toHaveLength(3);
    });

    it('the report carries them: the newest Still correct per topic and the Needs a change marks', async () => {
      const report = await t.store.report(new Date(T0 - DAY));
      expect(report.verification?.verified).toEqual([{ topic: 'calls', at: T0 + 2 * DAY }]);
      expect(report.verification?.needsChange.map((m) => [m.topic, m.userId, m.at.getTime()])).toEqual([
        ['group-chats', 'U0VERIFY1', T0 + DAY],
        ['calls', 'U0VERIFY1', T0 + 3 * DAY],
      ]);
    });

    it('a reminder for one topic and due day is claimed once, also by two connections at the same moment; released, it can be claimed again', async () => {
      const other = await t.reopen();
      const claims = await Promise.all([t.store.claimReminder('calls', '2027-01-09', T0), other.claimReminder('calls', '2027-01-09', T0), t.store.claimReminder('calls', '2027-01-09', T0)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      // Another due day, or another topic, is another reminder; and the claim does not expire.
      expect(await other.claimReminder('calls', '2027-05-09', T0 + 400 * DAY)).toBe(true);
      expect(await other.claimReminder('group-chats', '2027-01-09', T0)).toBe(true);
      expect(await t.store.claimReminder('calls', '2027-01-09', T0 + 400 * DAY)).toBe(false);
      await t.store.releaseReminder('calls', '2027-01-09');
      expect(await other.claimReminder('calls', '2027-01-09', T0)).toBe(true);
    });

    it('changes of cited pages are read newest first: past the limit (a noisy page) the recent ones are kept', async () => {
      const s = t.store;
      const page = (url: string, hash: string) => ({ url, sourceId: null, etag: null, lastModified: null, contentHash: hash, updatedDate: null });
      const quiet = 'https://example.test/quiet';
      const noisy = 'https://example.test/noisy';
      expect(await s.saveSourcePage(page(quiet, 'q0'), 'absent', undefined, T0)).toBe(true);
      expect(await s.saveSourcePage(page(noisy, 'n0'), 'absent', undefined, T0)).toBe(true);
      expect(await s.saveSourcePage(page(quiet, 'q1'), { contentHash: 'q0', updatedDate: null }, { kind: 'content', updatedBefore: null }, T0 + DAY)).toBe(true);
      for (let d = 2; d <= 6; d++) expect(await s.saveSourcePage(page(noisy, `n${d}`), { contentHash: `n${d === 2 ? 0 : d - 1}`, updatedDate: null }, { kind: 'content', updatedBefore: null }, T0 + d * DAY)).toBe(true);
      const days = (changes: { url: string; changedAt: Date }[]) => changes.map((c) => [c.url === quiet ? 'quiet' : 'noisy', (c.changedAt.getTime() - T0) / DAY]);
      expect(days(await s.sourceChangesSince(new Date(T0)))).toEqual([['noisy', 6], ['noisy', 5], ['noisy', 4], ['noisy', 3], ['noisy', 2], ['quiet', 1]]);
      expect(days(await s.sourceChangesSince(new Date(T0), 3))).toEqual([['noisy', 6], ['noisy', 5], ['noisy', 4]]);
    });
  });
}

suite('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => suite('PostgreSQL', postgresTestStore));
