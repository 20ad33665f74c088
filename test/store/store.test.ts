import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MAX_STORED_QUESTION_CHARS, type QuestionRecord, type RecommendationRecord } from '../../adapters/store/records.ts';
import { historyScope, maySee, type Viewer } from '../../src/index.ts';
import { openStore } from '../../adapters/store/store.ts';
import { MIGRATION_NAMES } from '../../adapters/store/migrations.ts';
import pg from 'pg';
import { IN_CI, POSTGRES_PROBLEM, SKIP_POSTGRES, TEST_DATABASE_URL, createTestSchema } from '../helpers/postgres.ts';
import { askedQuestion, postgresTestStore, recommendationRecord, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// The store's contract, run for real on the embedded SQLite file and on PostgreSQL.

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const question = (text: string, topic: string | null, confidence: number, extra: Partial<QuestionRecord> = {}): QuestionRecord =>
  askedQuestion(text, topic as QuestionRecord['topic'], confidence, { at: NOW - DAY, ...extra });

function contract(kind: 'sqlite' | 'postgres', make: () => Promise<TestStore>) {
  

/** Takes a store back to before migration 0003 (the workspace of recommendations), as the previous release left it. */
async function undo0003(old: { exec(statement: string): Promise<void> }): Promise<void> {
  await old.exec('drop index recommendations_user_created_at');
  await old.exec('drop index recommendations_workspace_created_at');
  await old.exec('alter table recommendations drop column workspace');
  await old.exec(`delete from coexist_migrations where name = '0003-recommendation-workspace'`);
}
describe(`the ${kind} store`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('is migrated once: a second migrate applies nothing and nothing is pending', async () => {
      expect(await t.store.migrate()).toEqual({ applied: [] });
      expect(await t.store.pendingMigrations()).toEqual([]);
      await expect(t.store.ping()).resolves.toBeUndefined();
    });

    it('a replica of the previous release starts on a database migrated by the next one', async () => {
      await t.exec(`insert into coexist_migrations (name, timestamp) values ('9999-from-the-next-release', '2026-12-01T00:00:00.000Z')`);
      const older = await t.reopen();
      expect(await older.migrate()).toEqual({ applied: [] });
      expect(await older.pendingMigrations()).toEqual([]);
      await t.exec(`delete from coexist_migrations where name = '9999-from-the-next-release'`);
    });

    it('keeps recommendations: history is newest first and finds a customer by any part of the name, in any case', async () => {
      const older = recommendationRecord({ customer: 'Acme Foods', country: 'IN', agents: 2, needs: ['phone-app'] }, { at: NOW - 3 * DAY });
      const newer = recommendationRecord({ customer: 'ACME Logistics', country: 'DE', peakMps: 60, needs: ['bulk-campaigns'] }, { at: NOW - DAY, platform: 'teams', userId: 'aad-0001' });
      const other = recommendationRecord({ customer: 'Globex', country: 'IN', needs: [] }, { at: NOW - 2 * DAY });
      await t.store.recordRecommendations([older, newer, other]);

      const acme = await t.store.history({ scope: 'all', customer: 'acme' });
      expect(acme.map((r) => r.id)).toEqual([newer.id, older.id]);
      expect(acme[0]).toMatchObject({ customer: 'ACME Logistics', setup: newer.recommendation.setup, confidence: newer.recommendation.confidence, platform: 'teams', userId: 'aad-0001', knowledgeVersion: '2026-11-25.test0001' });
      expect(acme[0]!.createdAt.getTime()).toBe(NOW - DAY);
      expect(acme[0]!.requirements).toEqual(newer.recommendation.requirements);
      expect(acme[0]!.recommendation).toEqual(JSON.parse(JSON.stringify(newer.recommendation)));

      expect((await t.store.history({ scope: 'all', since: new Date(NOW - 2.5 * DAY) })).map((r) => r.id)).toEqual([newer.id, other.id]);
      expect((await t.store.history({ scope: 'all', limit: 1 })).map((r) => r.id)).toEqual([newer.id]);
      expect((await t.store.recommendation(` ${older.id.toLowerCase()} `))?.customer).toBe('Acme Foods');
      expect(await t.store.recommendation('NOSUCHID')).toBeUndefined();
    });

    it('searches customer names literally: % and _ in the search are not wildcards', async () => {
      const literal = recommendationRecord({ customer: '100%_Pure Juice', country: 'IN', needs: [] }, { at: NOW });
      const lookalike = recommendationRecord({ customer: '100 and more Pure Juice', country: 'IN', needs: [] }, { at: NOW });
      await t.store.recordRecommendations([literal, lookalike]);
      expect((await t.store.history({ scope: 'all', customer: '100%_pure' })).map((r) => r.id)).toEqual([literal.id]);
      expect((await t.store.history({ scope: 'all', customer: '%' })).map((r) => r.id)).toEqual([literal.id]);
    });

    it('records a recommendation again under its id: the message reference is added, nothing is duplicated', async () => {
      const r = recommendationRecord({ customer: 'Initech', country: 'IN', needs: [] }, { messageRef: null, at: NOW - DAY });
      await t.store.recordRecommendations([r]);
      await t.store.recordRecommendations([{ ...r, messageRef: '1732500000.999', messageLink: 'https://example.slack.com/archives/C0DEALS/p1732500000999', at: NOW }]);
      const rows = await t.store.history({ scope: 'all', customer: 'initech' });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ messageRef: '1732500000.999', messageLink: 'https://example.slack.com/archives/C0DEALS/p1732500000999' });
      expect(rows[0]!.createdAt.getTime()).toBe(NOW - DAY);
    });

    it('keeps questions capped, and a retried batch adds nothing', async () => {
      const long = question(`can we ${'really '.repeat(200)}call`, null, 0.05, { at: NOW - 5 * DAY });
      await t.store.recordQuestions([long]);
      await t.store.recordQuestions([long]);
      const found: string[] = [];
      for await (const q of t.store.exportQuestions(new Date(NOW - 6 * DAY))) if (q.id === long.id) found.push(q.question);
      expect(found).toHaveLength(1);
      expect(found[0]!.length).toBe(MAX_STORED_QUESTION_CHARS);
      expect(long.text.startsWith(found[0]!)).toBe(true);
    });

    it('exports every row of a period in order, across pages', async () => {
      const from = NOW - 100 * DAY;
      const rows = Array.from({ length: 1234 }, (_, i) => question(`bulk question ${i}`, 'calls', 0.9, { at: from + (i % 300) * 1000 }));
      for (let i = 0; i < rows.length; i += 200) await t.store.recordQuestions(rows.slice(i, i + 200));
      const seen: { id: string; at: number }[] = [];
      for await (const q of t.store.exportQuestions(new Date(from))) if (q.question.startsWith('bulk question')) seen.push({ id: q.id, at: q.createdAt.getTime() });
      expect(seen).toHaveLength(1234);
      expect(new Set(seen.map((s) => s.id)).size).toBe(1234);
      const sorted = [...seen].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
      expect(seen).toEqual(sorted);
    });

    it('reports questions, the unanswered ones grouped, low confidence, feedback and corrections', async () => {
      const fresh = await make();
      onTestFinished(() => fresh.cleanup());
      const s = fresh.store;
      const since = new Date(NOW - 7 * DAY);
      const q1 = question('Can I use it on Windows desktop?', null, 0.1);
      const q2 = question('can i use it on windows  desktop', null, 0.12);
      const q3 = question('Does it do payments', null, 0.2);
      const q4 = question('calls?', 'calls', 0.95);
      const q5 = question('phone ringing thing', 'calls', 0.3);
      const old = question('very old unanswered', null, 0, { at: NOW - 30 * DAY });
      await s.recordQuestions([q1, q2, q3, q4, q5, old]);
      await s.recordFeedback([
        { platform: 'slack', userId: 'U1', target: 'answer', targetId: q4.id, rating: 'helpful', at: NOW },
        { platform: 'slack', userId: 'U1', target: 'answer', targetId: q5.id, rating: 'not-helpful', at: NOW },
        { platform: 'slack', userId: 'U1', target: 'answer', targetId: q5.id, rating: 'correction', topic: 'number-usage', at: NOW },
        { platform: 'teams', userId: 'aad-2', target: 'answer', targetId: 'NOTSTORED', rating: 'correction', topic: 'linked-devices', question: 'desktop app?', at: NOW },
        { platform: 'slack', userId: 'U2', target: 'recommendation', targetId: 'abcd1234', rating: 'helpful', at: NOW },
      ]);
      const report = await s.report(since);
      expect(report).toMatchObject({ questions: 5, answered: 2 });
      expect(report.unanswered).toEqual([
        { question: expect.stringMatching(/^can i use it on windows/i), count: 2 },
        { question: 'Does it do payments', count: 1 },
      ]);
      expect(report.lowConfidence).toEqual([{ question: 'phone ringing thing', topic: 'calls', count: 1 }]);
      expect(report.feedback).toEqual({ helpful: 2, notHelpful: 1, corrections: 2 });
      expect(report.notHelpful).toEqual([{ question: 'phone ringing thing', topic: 'calls', count: 1 }]);
      expect(report.corrections).toEqual(
        expect.arrayContaining([
          { question: 'phone ringing thing', answered: 'calls', picked: 'number-usage', count: 1, review: 'pending' },
          { question: 'desktop app?', answered: null, picked: 'linked-devices', count: 1, review: 'pending' },
        ]),
      );
      expect(report.corrections).toHaveLength(2);
      const empty = await s.report(new Date(NOW + DAY));
      expect(empty).toMatchObject({ questions: 0, answered: 0, unanswered: [], corrections: [] });
    });

    it('a correction group is reviewed by the knowledge owner; accepted ones become training lines, one per question', async () => {
      const fresh = await make();
      onTestFinished(() => fresh.cleanup());
      const s = fresh.store;
      const asked = question('Can my team answer from the phone?', 'calls', 0.3);
      const again = question('can my team answer from the phone', 'calls', 0.3);
      const other = question('wallpaper for the desktop', null, 0.1);
      await s.recordQuestions([asked, again, other]);
      const correction = (q: QuestionRecord, topic: string, userId = 'U1', at = NOW) => ({ platform: 'slack' as const, userId, target: 'answer' as const, targetId: q.id, rating: 'correction' as const, topic: topic as never, at });
      // The newest spelling of a question is the one its training line keeps.
      await s.recordFeedback([correction(asked, 'number-usage'), correction(again, 'number-usage', 'U2', NOW + 1000), correction(other, 'linked-devices')]);

      let report = await s.report(new Date(0));
      expect(report.corrections).toEqual(
        expect.arrayContaining([expect.objectContaining({ picked: 'number-usage', count: 2, review: 'pending' }), expect.objectContaining({ picked: 'linked-devices', review: 'pending' })]),
      );
      expect(await s.trainingLines(new Date(0))).toEqual([]);

      // Any spelling of the question names the group; the pick must match too.
      expect(await s.reviewCorrections({ question: 'CAN my team answer from the phone??', picked: 'number-usage' }, 'accepted', 'U0OWNER')).toBe(2);
      expect(await s.reviewCorrections({ question: 'Can my team answer from the phone?', picked: 'calls' }, 'accepted', 'U0OWNER')).toBe(0);
      expect(await s.reviewCorrections({ question: 'wallpaper for the desktop', picked: 'linked-devices' }, 'dismissed', 'U0OWNER')).toBe(1);

      report = await s.report(new Date(0));
      expect(report.corrections.map((c) => [c.picked, c.review]).sort()).toEqual([['linked-devices', 'dismissed'], ['number-usage', 'accepted']]);
      expect(await s.trainingLines(new Date(0))).toEqual([{ q: 'can my team answer from the phone', topics: ['number-usage'] }]);
      // A new correction of an accepted group waits for review again; the accepted ones stay training lines.
      await s.recordFeedback([correction(asked, 'number-usage', 'U3')]);
      expect((await s.report(new Date(0))).corrections.find((c) => c.picked === 'number-usage')?.review).toBe('pending');
      expect(await s.trainingLines(new Date(0))).toHaveLength(1);
      expect(await s.trainingLines(new Date(NOW + DAY))).toEqual([]);
    });

    it('counts every feedback row of the period, past any page (the report stopped reading at 20,000)', async () => {
      const s = (await make()).store;
      // 21,000 rows: past the old cap, and many pages of the report's reads (2,000 each), ordered by time then id.
      const rows = Array.from({ length: 21_000 }, (_, i) => ({ platform: 'slack' as const, userId: 'U1', target: 'answer' as const, targetId: `Q${i}`, rating: (i % 3 === 0 ? 'not-helpful' : 'helpful') as 'helpful' | 'not-helpful', question: 'same question', at: NOW - (i % 7) }));
      for (let i = 0; i < rows.length; i += 1000) await s.recordFeedback(rows.slice(i, i + 1000));
      const corrections = Array.from({ length: 2_100 }, (_, i) => ({ platform: 'teams' as const, userId: 'U2', target: 'answer' as const, targetId: `C${i}`, rating: 'correction' as const, topic: 'calls' as const, question: i % 2 ? 'Video calls?' : 'video calls', at: NOW }));
      for (let i = 0; i < corrections.length; i += 500) await s.recordFeedback(corrections.slice(i, i + 500));
      const report = await s.report(new Date(NOW - DAY));
      expect(report.feedback).toEqual({ helpful: 14_000, notHelpful: 7_000, corrections: 2_100 });
      expect(report.notHelpful).toEqual([{ question: 'same question', topic: null, count: 7_000 }]);
      expect(report.corrections).toHaveLength(1);
      expect(report.corrections[0]).toMatchObject({ picked: 'calls', count: 2_100, review: 'pending' });
      // The review covers the whole group, whichever page its rows are on.
      expect(await s.reviewCorrections({ question: 'VIDEO CALLS', picked: 'calls' }, 'accepted', 'OWNER')).toBe(2_100);
      expect(await s.trainingLines(new Date(0))).toEqual([{ q: expect.stringMatching(/^video calls\??$/i), topics: ['calls'] }]);
    }, 60_000);

    it('a database of the previous release (0001 only) upgrades: its feedback is kept, unreviewed, and can be reviewed', async () => {
      const old = await make();
      onTestFinished(() => old.cleanup());
      // The schema as 0001 left it: without 0002's and 0003's columns and indexes, and neither recorded as run.
      await undo0003(old);
      await old.exec('drop index feedback_rating_topic');
      await old.exec('alter table feedback drop column reviewed_by');
      await old.exec('alter table feedback drop column review');
      await old.exec(`delete from coexist_migrations where name = '0002-correction-review'`);
      await old.exec(`insert into questions (id, created_at, platform, user_id, text, text_key, topic, confidence) values ('Q0LD', ${NOW}, 'slack', 'U1', 'old question?', 'old question', 'calls', 0.4)`);
      await old.exec(`insert into feedback (id, created_at, platform, user_id, target, target_id, rating, topic, question, reviewed_at) values ('F0LD', ${NOW}, 'slack', 'U1', 'answer', 'Q0LD', 'correction', 'number-usage', null, null)`);
      const reopened = await old.reopen();
      expect(await reopened.pendingMigrations()).toEqual(['0002-correction-review', '0003-recommendation-workspace']);
      expect(await reopened.migrate()).toEqual({ applied: ['0002-correction-review', '0003-recommendation-workspace'] });
      expect((await reopened.report(new Date(0))).corrections).toEqual([{ question: 'old question?', answered: 'calls', picked: 'number-usage', count: 1, review: 'pending' }]);
      expect(await reopened.reviewCorrections({ question: 'Old question', picked: 'number-usage' }, 'accepted', 'U0OWNER')).toBe(1);
      expect(await reopened.trainingLines(new Date(0))).toEqual([{ q: 'old question?', topics: ['number-usage'] }]);
    });

    it('a database of the previous release (0001 and 0002) upgrades: its recommendations are kept, and shown only to who made them', async () => {
      const old = await make();
      onTestFinished(() => old.cleanup());
      // The schema as 0002 left it: no workspace column, 0003 not recorded as run; one recommendation of then.
      await undo0003(old);
      const then = recommendationRecord({ customer: 'Old Deal', country: 'IN', needs: [] }, { id: 'OLDDEAL1', userId: 'U0MAKER', channelId: 'C0DEALS', at: NOW - DAY });
      await old.exec(
        `insert into recommendations (id, created_at, platform, user_id, channel_id, message_ref, message_link, customer, customer_key, setup, confidence, summary, requirements, detail, knowledge_version) ` +
          `values ('OLDDEAL1', ${NOW - DAY}, 'slack', 'U0MAKER', 'C0DEALS', null, null, 'Old Deal', 'old deal', '${then.recommendation.setup}', '${then.recommendation.confidence}', 'old', '${JSON.stringify(then.recommendation.requirements)}', '${JSON.stringify({ ...then.recommendation, summary: 'old' }).replace(/'/g, "''")}', 'v1')`,
      );
      const reopened = await old.reopen();
      expect(await reopened.pendingMigrations()).toEqual(['0003-recommendation-workspace']);
      expect(await reopened.migrate()).toEqual({ applied: ['0003-recommendation-workspace'] });
      const [row] = await reopened.history({ scope: 'all', customer: 'old deal' });
      expect(row).toMatchObject({ id: 'OLDDEAL1', workspace: null, userId: 'U0MAKER', channelId: 'C0DEALS' });
      const viewer = (userId: string, extra: Partial<Viewer> = {}): Viewer => ({ platform: 'slack', workspace: 'T1', userId, conversations: ['C0DEALS'], conversationsKnown: true, lead: false, ...extra });
      // Its maker sees it; a member of its channel and a sales lead do not (its workspace is unknown).
      expect((await reopened.history({ scope: historyScope(viewer('U0MAKER')) })).map((r) => r.id)).toEqual(['OLDDEAL1']);
      expect(await reopened.history({ scope: historyScope(viewer('U0MEMBER')) })).toEqual([]);
      expect(await reopened.history({ scope: historyScope(viewer('U0LEAD', { lead: true })) })).toEqual([]);
      // New recommendations record theirs.
      await reopened.recordRecommendations([recommendationRecord({ customer: 'New Deal', country: 'IN', needs: [] }, { userId: 'U0MAKER', workspace: 'T1', at: NOW })]);
      expect((await reopened.history({ scope: historyScope(viewer('U0LEAD', { lead: true })) })).map((r) => r.customer)).toEqual(['New Deal']);
    });

    it("the history query applies scope.ts's rule exactly: every viewer gets what maySee allows, newest first", async () => {
      const fresh = await make();
      onTestFinished(() => fresh.cleanup());
      const rows: RecommendationRecord[] = [];
      let n = 0;
      for (const platform of ['slack', 'teams'] as const)
        for (const workspace of ['W1', 'W2', null])
          for (const userId of ['U1', 'U2'])
            for (const channelId of ['C1', 'C2', null]) rows.push(recommendationRecord({ customer: `Deal ${n}`, country: 'IN', needs: [] }, { platform, workspace, userId, channelId, at: NOW - n++ * 1000 }));
      await fresh.store.recordRecommendations(rows);
      const stored = await fresh.store.history({ scope: 'all', limit: 1000 });
      expect(stored).toHaveLength(rows.length);
      let checked = 0;
      for (const platform of ['slack', 'teams'] as const)
        for (const workspace of ['W1', 'W2', undefined])
          for (const userId of ['U1', 'U2', 'U3'])
            for (const conversations of [[], ['C1'], ['C1', 'C2']])
              for (const [lead, known] of [[false, true], [true, true], [false, false]] as const) {
                const scope = historyScope({ platform, workspace, userId, conversations, conversationsKnown: known, lead });
                const got = (await fresh.store.history({ scope, limit: 1000 })).map((r) => r.id);
                expect(got, JSON.stringify(scope)).toEqual(stored.filter((r) => maySee(scope, r)).map((r) => r.id));
                checked++;
              }
      expect(checked).toBe(2 * 3 * 3 * 3 * 3);
    });

    it('claims a key once until it expires; long keys too', async () => {
      expect(await t.store.claim('slack:event:Ev01', 60_000, NOW)).toBe(true);
      expect(await t.store.claim('slack:event:Ev01', 60_000, NOW + 1000)).toBe(false);
      expect(await t.store.claim('slack:event:Ev02', 60_000, NOW + 1000)).toBe(true);
      // Expired: the next claim takes it over, once.
      expect(await t.store.claim('slack:event:Ev01', 60_000, NOW + 60_000)).toBe(true);
      expect(await t.store.claim('slack:event:Ev01', 60_000, NOW + 60_001)).toBe(false);
      const long = `slack:view:${'x'.repeat(1000)}`;
      expect(await t.store.claim(long, 60_000, NOW)).toBe(true);
      expect(await t.store.claim(long, 60_000, NOW)).toBe(false);
      expect(await t.store.claim(`${long}y`, 60_000, NOW)).toBe(true);
    });

    it('prunes what is older than the retention, and expired keys', async () => {
      const fresh = await make();
      try {
        const s = fresh.store;
        const keep = question('recent', 'calls', 0.9, { at: NOW - 10 * DAY });
        const drop = question('ancient', 'calls', 0.9, { at: NOW - 400 * DAY });
        await s.recordQuestions([keep, drop]);
        await s.recordRecommendations([recommendationRecord({ customer: 'Old Co', country: 'IN', needs: [] }, { at: NOW - 400 * DAY }), recommendationRecord({ customer: 'New Co', country: 'IN', needs: [] }, { at: NOW - DAY })]);
        await s.recordFeedback([{ platform: 'slack', userId: 'U1', target: 'answer', targetId: drop.id, rating: 'helpful', at: NOW - 400 * DAY }]);
        await s.claim('expired', 1000, NOW - 10_000);
        await s.claim('live', 60_000, NOW);
        await s.claimRecheckNote('OLDNOTE1', 'v1', NOW - 400 * DAY);
        await s.claimRecheckNote('NEWNOTE1', 'v1', NOW - DAY);
        // What the owner's loop keeps: reminder claims, recheck runs, where Teams people are, changes of cited pages.
        await s.claimReminder('calls', '2025-01-01', NOW - 400 * DAY);
        await s.claimReminder('calls', '2026-11-01', NOW - DAY);
        await s.claimRecheckRun('v-old', 60_000, NOW - 400 * DAY);
        await s.finishRecheckRun('v-old', { checked: 1, changed: 0, noted: 0, failed: 0 }, NOW - 400 * DAY);
        await s.claimRecheckRun('v-new', 60_000, NOW - DAY);
        const ref = { platform: 'teams' as const, kind: 'person' as const, serviceUrl: 'https://smba.example/', tenantId: 't1', conversationId: 'a:1', userId: '29:1', botId: '28:1' };
        await s.saveConversationRef({ ...ref, key: 'person:gone', updatedAt: NOW - 400 * DAY });
        await s.saveConversationRef({ ...ref, key: 'person:here', updatedAt: NOW - DAY });
        const page = (url: string, hash: string) => ({ url, sourceId: 'M1', etag: null, lastModified: null, contentHash: hash, updatedDate: null });
        for (const [url, days] of [['https://example.com/a', 500], ['https://example.com/b', 380], ['https://example.com/c', 10]] as const) {
          await s.saveSourcePage(page(url, 'h1'), 'absent', undefined, NOW - (days + 1) * DAY);
          await s.saveSourcePage(page(url, 'h2'), { contentHash: 'h1', updatedDate: null }, { kind: 'content', updatedBefore: null }, NOW - days * DAY);
        }
        expect(await s.prune(365, NOW)).toEqual({ questions: 1, recommendations: 1, feedback: 1, dedupeKeys: 1, recheckNotes: 1, expertQuestions: 0, sourceChanges: 1, verificationReminders: 1, recheckRuns: 1, conversationRefs: 1 });
        // Kept: the newer claim and run, the person seen yesterday, and page changes within 400 days (380 is past the
        // retention but still read by the verifications: pruning it could move a topic's due day).
        expect(await s.claimReminder('calls', '2026-11-01', NOW)).toBe(false);
        expect(await s.conversationRef('person:here')).toBeDefined();
        expect(await s.conversationRef('person:gone')).toBeUndefined();
        expect((await s.sourceChangesSince(new Date(0))).map((c) => c.url).sort()).toEqual(['https://example.com/b', 'https://example.com/c']);
        expect(await s.claimRecheckNote('NEWNOTE1', 'v1', NOW)).toBe(false);
        const left: string[] = [];
        for await (const q of s.exportQuestions(new Date(0))) left.push(q.question);
        expect(left).toEqual(['recent']);
        expect((await s.history({ scope: 'all', since: new Date(0) })).map((r) => r.customer)).toEqual(['New Co']);
        expect(await s.claim('live', 60_000, NOW + 1)).toBe(false);
        expect(await s.prune(365, NOW)).toEqual({ questions: 0, recommendations: 0, feedback: 0, dedupeKeys: 0, recheckNotes: 0, expertQuestions: 0, sourceChanges: 0, verificationReminders: 0, recheckRuns: 0, conversationRefs: 0 });
      } finally {
        await fresh.cleanup();
      }
    });

    it('two instances on one database (two replicas): each key is claimed by exactly one of them', async () => {
      const replica = await t.reopen();
      const keys = Array.from({ length: 40 }, (_, i) => `slack:view_submission:V${i}:${kind}`);
      const outcomes = await Promise.all(keys.flatMap((key) => [t.store.claim(key, 600_000), replica.claim(key, 600_000)]));
      for (let i = 0; i < keys.length; i++) expect([outcomes[2 * i], outcomes[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    });
  });
}

contract('sqlite', sqliteTestStore);

describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => {
  it('is reachable (with CI=true a missing server is a failure, not a skip)', () => {
    expect(POSTGRES_PROBLEM, `CI=${IN_CI}`).toBeUndefined();
  });
  contract('postgres', postgresTestStore);

  it('replicas starting together migrate once', async () => {
    const t = await createTestSchema();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ kind: 'postgres', url: t.url })));
    onTestFinished(async () => {
      for (const s of stores) await s.close();
    });
    const outcomes = await Promise.all(stores.map((s) => s.migrate()));
    expect(outcomes.map((o) => o.applied.length).sort()).toEqual([0, 0, MIGRATION_NAMES.length]);
  });

  // Kysely's Migrator looked for its tables by introspecting every schema in the database, and failed with `schema
  // "…" does not exist` when another schema was dropped meanwhile: parallel test files failed about one run in two.
  it('migrates while other schemas of the database are being made and dropped', async () => {
    // Four connections making and dropping schemas as fast as they can, as parallel test files (or tenants) do.
    const admins = await Promise.all([1, 2, 3, 4].map(async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      return c;
    }));
    let churning = true;
    const churn = Promise.all(admins.map(async (admin, a) => {
      for (let i = 0; churning; i++) {
        const name = `coexist_churn_${process.pid}_${a}_${i}`;
        await admin.query(`create schema "${name}"; create table "${name}".t (a int, b text, c text); drop schema "${name}" cascade`);
      }
    }));
    try {
      for (let round = 0; round < 12; round++) {
        const t = await createTestSchema();
        const store = await openStore({ kind: 'postgres', url: t.url });
        try {
          expect(await store.pendingMigrations()).toEqual(MIGRATION_NAMES);
          expect((await store.migrate()).applied).toEqual(MIGRATION_NAMES);
          expect(await store.pendingMigrations()).toEqual([]);
        } finally {
          await store.close();
        }
      }
    } finally {
      churning = false;
      await churn;
      for (const admin of admins) await admin.end();
    }
  });
});
