import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

// pino, with every place a secret could appear redacted. Pretty output when a person is watching a terminal
// and pino-pretty is installed; JSON lines otherwise (and always under NODE_ENV=production).

// Exact paths only: wildcard paths make pino inspect every key of every object on every line, which costs more
// than the rest of a Slack request. Our log calls never pass credentials as fields; these catch mistakes at the
// places a credential could plausibly appear (a config object, a request's headers, an HTTP client error).
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'appPassword',
  'password',
  'authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'config.slack.botToken',
  'config.slack.appToken',
  'config.slack.signingSecret',
  'config.teams.appPassword',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
];

const SECRET_PATTERNS = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /v0=[a-f0-9]{64}/g, /Bearer\s+[A-Za-z0-9._~+/=-]+/gi];

/** Removes anything that looks like a Slack token, signature or bearer token from free text. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, re) => t.replace(re, '[redacted]'), text);
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Log lines are buffered and written in batches (at least 4 KiB, or every 250 ms): on a busy service one write
 * system call per line costs more than the request itself. `flushLogs` writes what is pending (at shutdown).
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: pino.DestinationStream; dest?: number | string } = {}): Logger {
  const base: pino.LoggerOptions = {
    level,
    base: { service: 'coexist-advisor' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // Messages built from error text can carry tokens (a bad token echoed in an error, say): scrub them.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? (options.dest === undefined && process.stdout.isTTY && process.env.NODE_ENV !== 'production' && prettyAvailable());
  if (pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } } });
  return pino(base, pino.destination({ dest: options.dest ?? 1, sync: false, minLength: 4096, periodicFlush: 250 }));
}

/** Writes any buffered log lines; resolves when done (or at once for loggers without a buffer). */
export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush((err) => resolve(void err));
    } catch {
      resolve();
    }
  });
}
