import type { IncomingMessage, ServerResponse } from 'node:http';
import { unescape as qsUnescape } from 'node:querystring';
import type { Logger } from 'pino';

// What every POST /slack/events goes through before Bolt's HTTPReceiver sees it:
// 0. In the host (server.ts), before anything is read: a well-formed signature header (signatureHeaderProblem:
//    401 and closed otherwise), a declared length within SLACK_LIMITS.maxRequestBytes (413), and room in the
//    body bytes in flight (503).
// 1. The request timestamp must be within 5 minutes of our clock, both ways (Bolt refuses only stale ones):
//    401, before the body is read.
// 2. The body is read here, capped (413 past the cap, also for a chunked body with no declared length), and
//    handed to Bolt as `req.rawBody`, which Bolt uses instead of reading the stream again.
// 3. The body must be a JSON object where Bolt will parse one: a form's `payload` field, or a JSON body. Bolt
//    5.1 reads `body.ssl_check` on whatever it parsed, so `payload=null` (or a JSON body `null`) throws inside
//    its request handler as an unhandled rejection, and other non-objects hold the request for 3 seconds before
//    a 404. Here they get 400. The check reads the raw text (first significant character only), so a valid
//    request is parsed once, by Bolt.
// Signatures stay Bolt's to verify: a request refused here for its shape has not been authenticated, and learns
// nothing from a 400 it could not learn from its own body.

export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

/** Bolt parses the `payload` field only for exactly this content type (any other is parsed as JSON). */
const FORM = 'application/x-www-form-urlencoded';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface GuardOptions {
  maxBytes: number;
  log: Logger;
  now?: () => number;
}

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * Why a request is refused before its body is read: no well-formed `x-slack-signature: v0=<64 hex>` with a
 * numeric `x-slack-request-timestamp`. A small unsigned form (`maxUnsignedBytes`, declared) passes: Slack's
 * ssl_check, which Bolt answers or refuses itself. Bolt still verifies every signature that passes here.
 */
export function signatureHeaderProblem(headers: IncomingMessage['headers'], maxUnsignedBytes: number): string | undefined {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature === 'string' && SIGNATURE.test(signature) && typeof timestamp === 'string' && TIMESTAMP.test(timestamp)) return undefined;
  const length = headers['content-length'];
  if (headers['content-type'] === FORM && length !== undefined && /^\d+$/.test(length) && Number(length) <= maxUnsignedBytes) return undefined;
  return 'no well-formed x-slack-signature (v0=<64 hex>) and x-slack-request-timestamp';
}

/** Why a timestamp header is refused, or undefined. A missing or unreadable one is left to Bolt (ssl_check). */
export function timestampProblem(header: string | string[] | undefined, nowMs: number): string | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (!Number.isFinite(seconds)) return undefined;
  const skew = seconds - Math.floor(nowMs / 1000);
  if (skew > TIMESTAMP_WINDOW_SECONDS) return 'request timestamp is more than 5 minutes in the future';
  if (skew < -TIMESTAMP_WINDOW_SECONDS) return 'request timestamp is more than 5 minutes old';
  return undefined;
}

const isJsonSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** True when the first significant byte of a JSON text is `{`: JSON.parse then yields an object or throws. */
function jsonStartsWithObject(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) {
    const code = body[i]!;
    if (!isJsonSpace(code)) return code === 0x7b;
  }
  return false;
}

/** The same, for a form value as `querystring.parse` will decode it (`+` is a space, `%XX` a byte). */
function formValueStartsWithObject(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x2b || isJsonSpace(ch)) continue;
    if (ch !== 0x25) return ch === 0x7b;
    // `%` not followed by two hex digits stays a literal `%`: not JSON.
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return false;
    const code = Number.parseInt(hex, 16);
    if (code === 0x7b) return true;
    if (!isJsonSpace(code)) return false;
    i += 2;
  }
  return false;
}

/** A form key as `querystring.parse` decodes it, compared with `payload` (encoded keys are rare: decode only those). */
function isPayloadKey(text: string, from: number, to: number): boolean {
  if (to - from === 7) return text.startsWith('payload', from);
  if (to - from > 7 * 3 || text.indexOf('%', from) === -1 || text.indexOf('%', from) >= to) return false;
  return qsUnescape(text.slice(from, to).replace(/\+/g, ' ')) === 'payload';
}

/** Why a body is not something Bolt can take, or undefined. */
export function shapeProblem(body: Buffer, contentType: string | undefined): string | undefined {
  if (contentType !== FORM) return jsonStartsWithObject(body) ? undefined : 'body is not a JSON object';
  // Every `payload` field must hold a JSON object (Bolt takes the field when there is one; with several it takes
  // the whole form, but no Slack request carries two, so refusing is the simpler and stricter rule).
  const text = body.toString('latin1');
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    let eq = text.indexOf('=', start);
    if (eq === -1 || eq > end) eq = end;
    if (isPayloadKey(text, start, eq) && !formValueStartsWithObject(text, eq + 1, end)) return 'payload is not a JSON object';
    start = end + 1;
  }
  return undefined;
}

function refuse(res: ServerResponse, status: number, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, close ? { connection: 'close' } : {});
  res.end();
}

/** Wraps Bolt's request listener with the checks above. */
export function guardSlackRequests(bolt: RequestListener, options: GuardOptions): RequestListener {
  const { maxBytes, log } = options;
  const now = options.now ?? Date.now;
  const warn = (req: IncomingMessage, reason: string, extra: Record<string, unknown> = {}) =>
    log.warn({ requestId: req.headers['x-request-id'], reason, contentType: req.headers['content-type'], ...extra }, `Slack request refused: ${reason}`);

  return (req, res) => {
    const late = timestampProblem(req.headers['x-slack-request-timestamp'], now());
    if (late) {
      warn(req, late);
      // Unread: answer, then close rather than drain a body nobody will read.
      res.once('finish', () => req.destroy());
      refuse(res, 401, true);
      return;
    }
    new BodyRead(req, res, maxBytes, warn, bolt, log).start();
  };
}

/**
 * Reads one request's body within the cap, checks its shape, then hands it to Bolt. A small object per request
 * rather than four closures: this runs on every Slack request.
 */
class BodyRead {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
    private readonly warn: (req: IncomingMessage, reason: string, extra?: Record<string, unknown>) => void,
    private readonly bolt: RequestListener,
    private readonly log: Logger,
  ) {
    this.onData = this.onData.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onError = this.onError.bind(this);
  }

  start(): void {
    this.req.on('data', this.onData);
    this.req.on('end', this.onEnd);
    this.req.on('error', this.onError);
  }

  private cleanup(): void {
    this.req.off('data', this.onData);
    this.req.off('end', this.onEnd);
    this.req.off('error', this.onError);
  }

  private onData(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) {
      this.chunks.push(chunk);
      return;
    }
    this.cleanup();
    this.warn(this.req, `body is larger than ${this.maxBytes} bytes`);
    // Stop reading: answer, then drop the connection rather than take in the rest.
    this.res.once('finish', () => this.req.destroy());
    refuse(this.res, 413, true);
  }

  private onError(): void {
    // The client went away mid-body: there is no one to answer.
    this.cleanup();
  }

  private onEnd(): void {
    this.cleanup();
    const { req, res } = this;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const problem = shapeProblem(body, req.headers['content-type']);
    if (problem) {
      this.warn(req, problem, { bytes: this.size });
      refuse(res, 400);
      return;
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    try {
      this.bolt(req, res);
    } catch (err) {
      this.log.error({ requestId: req.headers['x-request-id'], err }, 'Slack request failed');
      refuse(res, 500);
    }
  }
}
