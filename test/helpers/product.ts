import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../adapters/host/logger.ts';
import { startProduct, type Product, type StartOptions } from '../../adapters/host/start.ts';
import { FIXTURE_KNOWLEDGE_FILE } from './fixtures.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-0000-secret-token';

/** Log lines captured in memory, so tests can read what an operator would see. */
export class LogCapture extends Writable {
  lines: Record<string, any>[] = [];
  raw = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    const text = chunk.toString();
    this.raw += text;
    for (const line of text.split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
}

/**
 * Starts the real product on 127.0.0.1 with a random port, answering from the frozen fixture knowledge
 * (test/fixtures/knowledge.yml) unless `env` names another KNOWLEDGE_FILE ('' = the built-in file). Its embedded
 * store lives in a temporary DATA_DIR of its own (removed by stop()) unless `env` sets DATA_DIR or DATABASE_URL.
 * Records are written inline (STORE_WRITES=inline): a writer thread started from the TypeScript sources loads tsx
 * and the store afresh (~0.7 s a product); the suites of the writer thread itself set STORE_WRITES=thread.
 * The scheduler's timers are off (`scheduleTimers: false`): on the real clock a product with KNOWLEDGE_OWNERS would
 * send the weekly report by itself when started within a day after its slot (catch-up), in the middle of another
 * suite's messages. Suites of scheduled work move a fake clock (`clock`) and call `product.scheduler.tick()`, or pass
 * `scheduleTimers: true`.
 */
/**
 * The day the knowledge with fixed dates (the fixture, and the built-in knowledge) is judged on: without it, each of
 * their topics turns "may be out of date" once its review interval has passed on the real calendar (the fixture's on
 * 2027-01-10), and answers change under tests that are not about verification. A test with a knowledge file of its
 * own (dates relative to today), a `clock` or a `today` of its own keeps the real day.
 */
export const FIXED_KNOWLEDGE_TODAY = Date.UTC(2026, 11, 7, 12);

export async function startTestProduct(env: Record<string, string>, options: Omit<StartOptions, 'logger'> = {}): Promise<Product & { logs: LogCapture }> {
  const logs = new LogCapture();
  const logger = createLogger('debug', { destination: logs });
  const ownDir = env.DATA_DIR === undefined && env.DATABASE_URL === undefined ? mkdtempSync(path.join(tmpdir(), 'coexist-test-data-')) : undefined;
  const product = await startProduct({ PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE, STORE_WRITES: 'inline', ...(ownDir ? { DATA_DIR: ownDir } : {}), ...env }, { logger, scheduleTimers: false, ...(!env.KNOWLEDGE_FILE && !options.clock ? { today: () => FIXED_KNOWLEDGE_TODAY } : {}), ...options }).catch((err: unknown) => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw err;
  });
  if (ownDir) {
    const stop = product.stop;
    product.stop = async () => {
      await stop();
      rmSync(ownDir, { recursive: true, force: true });
    };
  }
  return Object.assign(product, { logs });
}
