import dotenv from 'dotenv';
import { flushLogs } from './logger.ts';
import { StartError, startProduct } from './start.ts';

// `npm start`: load .env, start, and stop cleanly on SIGTERM / SIGINT.

dotenv.config({ quiet: true });

try {
  const product = await startProduct(process.env);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    product.logger.info(`${signal} received: finishing requests in flight, then exiting`);
    await product.stop();
    product.logger.info('stopped');
    await flushLogs(product.logger);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  if (err instanceof StartError) {
    process.stderr.write(`coexist-advisor cannot start. Fix these and start again:\n${err.problems.map((p) => (p.startsWith('  ') ? p : `- ${p}`)).join('\n')}\n`);
  } else {
    process.stderr.write(`coexist-advisor failed to start: ${(err as Error).message}\n`);
  }
  process.exit(1);
}
