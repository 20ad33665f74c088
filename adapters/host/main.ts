import dotenv from 'dotenv';
import { flushLogs, scrubSecrets } from './logger.ts';
import { keepServingOnUnhandledRejection } from './process.ts';
import { StartError, startProduct } from './start.ts';

// `npm start`: load .env, start, and stop cleanly on SIGTERM / SIGINT.

dotenv.config({ quiet: true });

// The drain deadline is the server's (10 s); this is the backstop if closing itself hangs.
const EXIT_BACKSTOP_MS = 15_000;

try {
  const product = await startProduct(process.env);
  keepServingOnUnhandledRejection(product.logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    product.logger.info(`${signal} received: finishing requests in flight, then exiting`);
    // Not unref'd: it also keeps the process alive until stop() is done. Once the server stops listening, what is left
    // (the store's last writes, its timers and its thread) holds nothing open, and Node would exit half-way with 0.
    setTimeout(() => {
      product.logger.error({ afterMs: EXIT_BACKSTOP_MS }, 'shutdown did not finish in time; exiting anyway');
      void flushLogs(product.logger).finally(() => process.exit(1));
    }, EXIT_BACKSTOP_MS);
    await product.stop();
    product.logger.info('stopped');
    await flushLogs(product.logger);
    process.exit(0);
  };
  // Slack was unreachable at start and, once it answered, refused the token: the same message and exit code as a
  // refusal at start.
  void product.fatal.then(async (message) => {
    process.stderr.write(`coexist-advisor cannot go on. Fix this and start again:\n- ${message}\n`);
    setTimeout(() => process.exit(1), EXIT_BACKSTOP_MS).unref();
    await product.stop().catch(() => undefined);
    await flushLogs(product.logger);
    process.exit(1);
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  if (err instanceof StartError) {
    process.stderr.write(`coexist-advisor cannot start. Fix these and start again:\n${err.problems.map((p) => (p.startsWith('  ') ? p : `- ${p}`)).join('\n')}\n`);
  } else {
    process.stderr.write(`coexist-advisor failed to start: ${scrubSecrets((err as Error).message)}\n`);
  }
  process.exit(1);
}
