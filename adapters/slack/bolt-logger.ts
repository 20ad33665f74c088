import type { LogLevel, Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

// Bolt logs through our pino logger, so its lines share the format, the level and the secret redaction.

// Bolt's LogLevel values are these strings; the enum itself is not imported (./bolt.ts says why Bolt's index is not).
const TO_PINO: Record<`${LogLevel}`, string> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' };

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'bolt' });
  const text = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    // Bolt logs a lot at debug level: format only what will be written.
    debug: (...msgs) => log.isLevelEnabled('debug') && log.debug(text(msgs)),
    info: (...msgs) => log.isLevelEnabled('info') && log.info(text(msgs)),
    warn: (...msgs) => log.warn(text(msgs)),
    error: (...msgs) => log.error(text(msgs)),
    setLevel: (level: LogLevel) => {
      log.level = TO_PINO[level] ?? 'info';
    },
    getLevel: () => ((Object.entries(TO_PINO).find(([, v]) => v === log.level)?.[0] ?? 'info') as LogLevel),
    setName: () => {},
  };
}
