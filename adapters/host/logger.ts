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

/** The user (and password) part of a URL: `scheme://user:password@`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * A URL, or any text holding URLs, without the user and password of each (`postgres://u:pw@db/x` →
 * `postgres://[redacted]@db/x`). For every URL that is logged or shown to an operator.
 */
export function withoutCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_CREDENTIALS, '$1[redacted]@') : text;
}

/** Removes anything that looks like a Slack token, signature, bearer token or a URL's password from free text. */
export function scrubSecrets(text: string): string {
  return withoutCredentials(SECRET_PATTERNS.reduce((t, re) => t.replace(re, '[redacted]'), text));
}

/**
 * How much of one log field (and of a message) is written. Fields often carry what a request sent (a slash
 * command's first word, an action id, an activity id, a Content-Type): a 1 MB word must not make a 2 MB log line.
 */
export const LOG_FIELD_CHARS = 500;
export const LOG_MESSAGE_CHARS = 1000;
/**
 * Fields written whole: the content of a message that could not be delivered, logged for an operator to recover
 * (adapters/slack/delivery.ts). Bounded by what the product itself drew.
 */
const WHOLE_FIELDS = new Set(['content']);

/** Text cut to `max` characters, saying so ("…" and the full length). */
export function capText(text: string, max = LOG_FIELD_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A string field as it is logged: secrets scrubbed first (a cut must not leave half a token), then cut. */
function logString(text: string, max: number): string {
  return capText(scrubSecrets(text), max);
}

/**
 * Every log line's own fields, before they are written: strings (and strings in arrays) scrubbed and cut. One
 * level deep: nested objects are ours (requirements, a submitted card's values kept for recovery).
 */
function tidyFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    const value = obj[key];
    let tidy: unknown = value;
    if (typeof value === 'string') tidy = WHOLE_FIELDS.has(key) ? scrubSecrets(value) : logString(value, LOG_FIELD_CHARS);
    else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) tidy = value.map((v) => (typeof v === 'string' ? logString(v, LOG_FIELD_CHARS) : v));
    if (tidy !== value) (out ??= { ...obj })[key] = tidy;
  }
  return out ?? obj;
}

/** Errors as pino writes them, with their message (and stack) scrubbed and cut like any field. */
function tidyError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  if (!serialized || typeof serialized !== 'object') return typeof serialized === 'string' ? logString(serialized, LOG_FIELD_CHARS) : serialized;
  const e = serialized as Record<string, unknown>;
  const message = typeof e.message === 'string' ? logString(e.message, LOG_MESSAGE_CHARS) : e.message;
  const stack = typeof e.stack === 'string' ? logString(e.stack, 4 * LOG_MESSAGE_CHARS) : e.stack;
  return message === e.message && stack === e.stack ? e : { ...e, message, stack };
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
    formatters: { log: tidyFields },
    serializers: { err: tidyError },
    hooks: {
      // Messages built from error text can carry tokens (a bad token echoed in an error, say) and from user text
      // (a command's first word): scrub them, then cut them.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? logString(a, LOG_MESSAGE_CHARS) : a)) as Parameters<typeof method>);
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
