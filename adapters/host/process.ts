import type { Logger } from 'pino';

// Process-wide safety nets for the running service.

/**
 * A promise nobody awaited failed (a library bug, an SDK callback): Node would end the process and every request
 * in flight with it. Log it at error level and keep serving.
 */
export function keepServingOnUnhandledRejection(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? { message: reason.message, name: reason.name, stack: reason.stack } : { message: String(reason).slice(0, 500) };
    logger.error({ err }, 'unhandled promise rejection; still serving');
  });
}
