import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_WAIT_MS, Recorder, type RecordBatch } from '../../adapters/store/recorder.ts';
import { newQuestionId, type QuestionRecord } from '../../adapters/store/records.ts';

// The recorder: listeners hand records over and go on; batches are written later, failures are counted and
// retried with the same ids, and the queue never grows past its limit.

const q = (text: string): QuestionRecord => ({ id: newQuestionId(), platform: 'slack', userId: 'U1', text, topic: null, confidence: 0 });

function recorder(write: (batch: RecordBatch) => Promise<void>, limit = 100, more: { attempts?: number } = {}) {
  const errors: { message: string; dropped: number }[] = [];
  const r = new Recorder({ write, limit, backoffMs: [0], ...more, onError: (err, dropped) => errors.push({ message: (err as Error).message, dropped }) });
  return { r, errors };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the recorder', () => {
  it('returns at once and writes what it was given in one batch', async () => {
    const batches: RecordBatch[] = [];
    const { r, errors } = recorder(async (b) => void batches.push(b));
    r.question(q('calls?'));
    r.question(q('groups?'));
    r.feedback({ platform: 'teams', userId: 'aad-1', target: 'answer', targetId: 'Q1', rating: 'helpful' });
    expect(batches).toHaveLength(0); // nothing written while the listener is still running
    expect(r.pending).toBe(3);
    await r.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.questions.map((x) => x.text)).toEqual(['calls?', 'groups?']);
    expect(batches[0]!.feedback[0]!.id).toMatch(/^[0-9A-Z]{16}$/);
    expect(typeof batches[0]!.questions[0]!.at).toBe('number');
    expect(errors).toEqual([]);
  });

  it('retries a failed batch with the same ids (so nothing is written twice), then drops it after its tries', async () => {
    const seen: string[][] = [];
    const { r, errors } = recorder(async (b) => {
      seen.push([...b.questions.map((x) => x.id), ...b.feedback.map((x) => x.id!)]);
      throw new Error('database is down');
    }, 100, { attempts: 3 });
    r.question(q('calls?'));
    r.feedback({ platform: 'slack', userId: 'U1', target: 'answer', targetId: 'Q1', rating: 'not-helpful' });
    for (let i = 0; i < 3; i++) await r.flush();
    expect(seen).toHaveLength(3);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(errors.map((e) => e.dropped)).toEqual([0, 0, 2]);
    expect(errors[0]!.message).toBe('database is down');
    expect(r.pending).toBe(0);
  });

  it('writes again once the store is back', async () => {
    let down = true;
    const written: string[] = [];
    const { r, errors } = recorder(async (b) => {
      if (down) throw new Error('connection refused');
      written.push(...b.questions.map((x) => x.text));
    });
    r.question(q('first'));
    await r.flush();
    down = false;
    r.question(q('second'));
    await r.flush();
    await r.flush();
    expect(written).toEqual(['first', 'second']);
    expect(errors).toHaveLength(1);
  });

  it('goes on with the records behind a batch it gave up on, without waiting for another hand-over', async () => {
    vi.useFakeTimers();
    const written: string[] = [];
    let calls = 0;
    const r = new Recorder({
      batchSize: 1,
      attempts: 1,
      backoffMs: [1000],
      write: async (b) => {
        if (calls++ === 0) throw new Error('one bad moment');
        written.push(...b.questions.map((x) => x.text));
      },
      onError: () => {},
    });
    r.question(q('dropped'));
    r.question(q('kept'));
    await vi.runAllTimersAsync();
    expect(written).toEqual(['kept']);
    expect(r.pending).toBe(0);
  });

  it('keeps at most its limit: past it the oldest records are dropped and counted', async () => {
    const written: string[] = [];
    const { r, errors } = recorder(async (b) => void written.push(...b.questions.map((x) => x.text)), 3);
    for (const text of ['a', 'b', 'c', 'd', 'e']) r.question(q(text));
    expect(r.pending).toBe(3);
    expect(errors.map((e) => e.dropped)).toEqual([1, 1]);
    expect(errors[0]!.message).toMatch(/queue is full/);
    await r.flush();
    expect(written).toEqual(['c', 'd', 'e']);
  });

  it('after close() takes nothing more, and counts what it was handed as dropped', async () => {
    const written: string[] = [];
    const { r, errors } = recorder(async (b) => void written.push(...b.questions.map((x) => x.text)));
    r.question(q('before'));
    await r.flush();
    r.close();
    r.question(q('after'));
    await r.flush();
    expect(written).toEqual(['before']);
    expect(errors.map((e) => e.dropped)).toEqual([1]);
  });

  it('closed with records still queued: they are counted as dropped, not lost silently', () => {
    const { r, errors } = recorder(async () => {});
    r.question(q('one'));
    r.question(q('two'));
    r.close();
    expect(errors).toEqual([{ message: 'the store was closed with 2 records not yet written', dropped: 2 }]);
  });

  it('keeps a record through an outage of minutes (the audit: 45 s refused lost 60 of 543), writing it once the store is back', async () => {
    vi.useFakeTimers();
    let down = true;
    const written: string[] = [];
    const dropped: number[] = [];
    const r = new Recorder({
      write: async (b) => {
        if (down) throw new Error('connection refused');
        written.push(...b.questions.map((x) => x.text));
      },
      onError: (_err, n) => void (n > 0 && dropped.push(n)),
    });
    r.question(q('asked as the database went away'));
    await vi.advanceTimersByTimeAsync(120_000);
    down = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(written).toEqual(['asked as the database went away']);
    expect(dropped).toEqual([]);
  });

  it('gives a record up, counted, once it has waited MAX_WAIT_MS for a store that keeps failing', async () => {
    vi.useFakeTimers();
    const dropped: number[] = [];
    const r = new Recorder({ write: async () => Promise.reject(new Error('disk full')), onError: (_err, n) => void (n > 0 && dropped.push(n)) });
    r.question(q('never written'));
    await vi.advanceTimersByTimeAsync(MAX_WAIT_MS - 10_000);
    expect(dropped).toEqual([]);
    expect(r.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(dropped).toEqual([1]);
    expect(r.pending).toBe(0);
  });
});
