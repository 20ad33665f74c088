import type { Logger } from 'pino';
import { withoutCredentials } from './logger.ts';

// Slack at start: the first auth.test (and, in Socket Mode, the WebSocket) tells two faults apart that need
// different fixes. Slack refusing the token is the operator's to fix: the process exits 1 saying which variable.
// Slack not answering (connection refused, DNS, proxy, timeout, an outage) fixes itself or is the network's to
// fix: the process stays up, says "not ready" on /readyz, and tries again with a capped exponential backoff,
// as an orchestrator expects of a dependency that is briefly away (a restart loop would not make it come back).

/** Slack's answers that mean the token itself is refused: retrying cannot help. */
export const SLACK_CREDENTIAL_ERRORS = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type'] as const;

export const SLACK_CONNECT = {
  /** The first retry's wait; each next one doubles it. */
  firstRetryMs: 1_000,
  /** The longest wait between two attempts. */
  maxRetryMs: 60_000,
} as const;

export type SlackConnectPolicy = { -readonly [K in keyof typeof SLACK_CONNECT]: number };

export type SlackFailure =
  /** Slack answered and refused the credentials: exit. */
  | { kind: 'refused'; code: string }
  /** No usable answer from Slack (network, DNS, proxy, timeout, 5xx, rate limit, a transient Slack error): retry. */
  | { kind: 'unreachable'; reason: string }
  /** The request could not even be made (a URL the client cannot use): exit. */
  | { kind: 'broken'; reason: string };

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'DNS: host not found',
  EAI_AGAIN: 'DNS lookup failed, try again',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** What a failed auth.test (or Socket Mode start) means, from the Slack Web API client's error. */
export function classifySlackFailure(err: unknown): SlackFailure {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; original?: { name?: string; message?: string; cause?: { code?: string; message?: string } }; message?: string };
  if (e.code === 'slack_webapi_platform_error' || (e.code === undefined && typeof e.data?.error === 'string')) {
    const code = e.data?.error ?? 'unknown_error';
    if ((SLACK_CREDENTIAL_ERRORS as readonly string[]).includes(code)) return { kind: 'refused', code };
    return { kind: 'unreachable', reason: `Slack answered ${code}` };
  }
  if (e.code === 'slack_webapi_http_error') return { kind: 'unreachable', reason: `HTTP ${e.statusCode ?? '?'} instead of an answer from Slack; a proxy or an outage` };
  if (e.code === 'slack_webapi_rate_limited_error') return { kind: 'unreachable', reason: 'rate limited by Slack' };
  if (e.code === 'slack_webapi_request_error') {
    const original = e.original;
    if (original?.name === 'TimeoutError' || original?.name === 'AbortError') return { kind: 'unreachable', reason: 'no answer in time' };
    const causeCode = original?.cause?.code;
    if (causeCode) return { kind: 'unreachable', reason: NETWORK_CODES[causeCode] ? `${NETWORK_CODES[causeCode]}, ${causeCode}` : causeCode };
    if (original?.message === 'fetch failed') return { kind: 'unreachable', reason: original.cause?.message ?? 'network error' };
    return { kind: 'broken', reason: original?.message ?? e.message ?? 'the request could not be made' };
  }
  // Socket Mode's own client, and anything else with a network code.
  const anyCode = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (anyCode && NETWORK_CODES[anyCode]) return { kind: 'unreachable', reason: `${NETWORK_CODES[anyCode]}, ${anyCode}` };
  return { kind: 'broken', reason: (err as Error)?.message ?? String(err) };
}

export interface SlackConnectOptions {
  /** auth.test (and the Socket Mode connection): the Slack face's start(). */
  attempt: () => Promise<void>;
  /** Where the calls go (SLACK_API_URL or Slack's own), for the messages. */
  apiUrl: string;
  socket: boolean;
  /** SLACK_API_URL was set by the operator: the messages name it. */
  apiUrlChosen: boolean;
  logger: Logger;
  policy?: Partial<SlackConnectPolicy>;
}

/** The operator-facing line for a failure that stops the process (also the StartError's problem). */
export function refusalMessage(failure: Exclude<SlackFailure, { kind: 'unreachable' }>, o: Pick<SlackConnectOptions, 'socket' | 'apiUrl' | 'apiUrlChosen'>): string {
  const tokens = o.socket ? 'SLACK_BOT_TOKEN and SLACK_APP_TOKEN' : 'SLACK_BOT_TOKEN';
  const url = o.apiUrlChosen ? ` and SLACK_API_URL (${o.apiUrl})` : '';
  if (failure.kind === 'refused') {
    return withoutCredentials(`Slack did not accept ${tokens} (${failure.code}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions${o.socket ? ' and the app-level token (xapp-…) from Basic Information' : ''}, and reinstall the app if the token was revoked${url ? `; check${url}` : ''}.`);
  }
  return withoutCredentials(`Slack's Web API client could not make a request (${failure.reason}). Check SLACK_API_URL${o.apiUrlChosen ? ` (${o.apiUrl})` : ''}.`);
}

/**
 * Connects to Slack. Resolves after the first attempt: `{ ok: true }`, `{ fatal: message }` when Slack refused the
 * credentials, or `{ retrying: true }` when Slack could not be reached (then `connected` resolves when an attempt
 * succeeds, and `fatal` if a later attempt is refused). `stop()` ends the retries.
 */
export class SlackConnection {
  connected = false;
  /** Why Slack is not connected yet, for /readyz and the log. */
  problem: string | undefined = 'Slack has not answered yet';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private onFatal: ((message: string) => void) | undefined;
  private readonly policy: SlackConnectPolicy;
  readonly fatal: Promise<string>;

  constructor(private readonly o: SlackConnectOptions) {
    this.policy = { ...SLACK_CONNECT, ...o.policy };
    this.fatal = new Promise((resolve) => (this.onFatal = resolve));
  }

  /** The first attempt; retries (if any) continue in the background. */
  start(): Promise<{ ok: true } | { fatal: string } | { retrying: true }> {
    return this.once(0);
  }

  private async once(attempt: number): Promise<{ ok: true } | { fatal: string } | { retrying: true }> {
    if (this.stopped) return { retrying: true };
    try {
      await this.o.attempt();
      this.connected = true;
      this.problem = undefined;
      if (attempt > 0) this.o.logger.info({ attempts: attempt + 1 }, 'Slack answered: connected, serving Slack requests (GET /readyz answers 200 once the store is ready)');
      return { ok: true };
    } catch (err) {
      const failure = classifySlackFailure(err);
      if (failure.kind !== 'unreachable') {
        const message = refusalMessage(failure, this.o);
        this.problem = message;
        if (attempt > 0) {
          this.o.logger.fatal(message);
          this.onFatal?.(message);
        }
        return { fatal: message };
      }
      const delay = Math.min(this.policy.maxRetryMs, this.policy.firstRetryMs * 2 ** attempt);
      const where = withoutCredentials(this.o.apiUrl);
      this.problem = `Slack could not be reached (${failure.reason})`;
      this.o.logger.warn(
        { attempt: attempt + 1, retryInMs: delay, slackApiUrl: where },
        withoutCredentials(`Slack could not be reached (${failure.reason}; ${where}): retrying in ${formatDelay(delay)}. This is the network, a proxy or DNS, not the token; GET /readyz answers 503 and Slack requests get 503 until Slack answers`),
      );
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.once(attempt + 1), delay);
      }
      return { retrying: true };
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10}s`;
}
