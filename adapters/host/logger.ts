import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

// pino, with every place a secret could appear redacted. Pretty output when a person is watching a terminal
// and pino-pretty is installed; JSON lines otherwise (and always under NODE_ENV=production).

export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'appPassword',
  '*.appPassword',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  'req.headers.cookie',
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

export function createLogger(level: string, options: { pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
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
  const pretty = options.pretty ?? (process.stdout.isTTY && process.env.NODE_ENV !== 'production' && prettyAvailable());
  if (pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } } });
  return pino(base);
}
