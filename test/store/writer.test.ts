import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newQuestionId, type QuestionRecord } from '../../adapters/store/records.ts';
import { openStore, sqliteTarget } from '../../adapters/store/store.ts';
import { ThreadWriter } from '../../adapters/store/writer.ts';

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
});
