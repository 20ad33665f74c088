import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newQuestionId, type FeedbackRecord, type QuestionRecord } from '../../adapters/store/records.ts';
import type { RecordBatch } from '../../adapters/store/recorder.ts';
import { openStore, sqliteTarget, type Store } from '../../adapters/store/store.ts';
import { ThreadWriter } from '../../adapters/store/writer.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { postgresTestStore, recommendationRecord, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// The recorder's writes on a thread of their own: the rows land in the same store, a failure comes back as the
// write's error (the recorder then retries), and a writer closed (or lost) starts a new thread on the next write.

let clock = Date.now();
/** A question a millisecond after the last: the export orders by time. */
const q = (text: string): QuestionRecord => ({ id: newQuestionId(), platform: 'slack', userId: 'U1', text, topic: null, confidence: 0, at: ++clock });
const batch = (questions: QuestionRecord[]) => ({ questions, recommendations: [], feedback: [] });

describe('the writer thread', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-writer-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes batches, in order, into the store the main thread reads', async () => {
    const target = sqliteTarget(tempDir());
    const main = await openStore(target);
    await main.migrate();
    const writer = new ThreadWriter(target);
    try {
      await Promise.all([writer.write(batch([q('first'), q('second')])), writer.write(batch([q('third')]))]);
      const seen: string[] = [];
      for await (const row of main.exportQuestions(new Date(0))) seen.push(row.question);
      expect(seen).toEqual(['first', 'second', 'third']);

      // Closed, then written to again: a new thread.
      await writer.close();
      await writer.write(batch([q('after close')]));
      const again: string[] = [];
      for await (const row of main.exportQuestions(new Date(0))) again.push(row.question);
      expect(again).toContain('after close');
    } finally {
      await writer.close();
      await main.close();
    }
  });

  it("a store the thread cannot open: the write rejects with the store's error; the next write tries again", async () => {
    const dir = tempDir();
    const target = sqliteTarget(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data'), 'a file where the data directory should be');
    const writer = new ThreadWriter(target);
    try {
      await expect(writer.write(batch([q('lost')]))).rejects.toThrow(/EEXIST|ENOTDIR|not a directory|file already exists/i);
      rmSync(path.join(dir, 'data'));
      const main = await openStore(target);
      await main.migrate();
      await writer.write(batch([q('kept')]));
      const seen: string[] = [];
      for await (const row of main.exportQuestions(new Date(0))) seen.push(row.question);
      expect(seen).toEqual(['kept']);
      await main.close();
    } finally {
      await writer.close();
    }
  });

  // The thread runs SQL the main thread compiled (compileWrites); the inline path runs the same builders itself. Both
  // must leave the same rows: questions, a recommendation written twice (the second replaces the first, as when its
  // message is posted), and feedback of each kind.
  const backends: [string, boolean, () => Promise<TestStore>][] = [
    ['SQLite', false, sqliteTestStore],
    ['PostgreSQL', SKIP_POSTGRES, postgresTestStore],
  ];
  for (const [name, skip, make] of backends) {
    it.skipIf(skip)(`${name}: a batch written by the thread reads back exactly as the same batch written inline`, async () => {
      const at = Date.UTC(2026, 11, 1, 9);
      const questionId = newQuestionId();
      const first = recommendationRecord({ customer: 'Acme "50%_off" Ltd', country: 'IN', needs: ['calls'] }, { at: at + 1 });
      const posted = { ...first, channelId: 'C1', messageRef: '1700000000.000100', messageLink: 'https://example.slack.com/archives/C1/p1700000000000100' };
      const feedback: FeedbackRecord[] = [
        { id: 'F1', platform: 'slack', userId: 'U1', target: 'answer', targetId: questionId, rating: 'not-helpful', question: 'can we keep the app?', at: at + 2 },
        { id: 'F2', platform: 'slack', userId: 'U1', target: 'answer', targetId: questionId, rating: 'correction', topic: 'calls', question: 'can we keep the app?', at: at + 3 },
        { id: 'F3', platform: 'teams', userId: 'aad-1', target: 'recommendation', targetId: first.id, rating: 'helpful', at: at + 4 },
      ];
      const batches: RecordBatch[] = [
        { questions: [{ id: questionId, platform: 'slack', userId: 'U1', text: "can we keep the app? it's 'quoted'", topic: null, confidence: 0.2, at }], recommendations: [first], feedback: [] },
        { questions: [], recommendations: [posted], feedback },
      ];
      const read = async (store: Store) => {
        const questions: unknown[] = [];
        for await (const row of store.exportQuestions(new Date(0))) questions.push(row);
        return { history: await store.history({ scope: 'all' }), questions, report: await store.report(new Date(0), at + 10) };
      };
      const inline = await make();
      const threaded = await make();
      const writer = new ThreadWriter(threaded.target);
      try {
        for (const b of batches) {
          await inline.store.recordQuestions(b.questions);
          await inline.store.recordRecommendations(b.recommendations);
          await inline.store.recordFeedback(b.feedback);
          await writer.write(b);
        }
        const expected = await read(inline.store);
        expect(expected.history).toHaveLength(1);
        expect(expected.history[0]!.messageLink).toBe(posted.messageLink);
        expect(expected.questions).toHaveLength(1);
        expect(await read(threaded.store)).toEqual(expected);
      } finally {
        await writer.close();
        await inline.cleanup();
        await threaded.cleanup();
      }
    });
  }
});

