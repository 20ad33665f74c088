import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestKind } from './request-kind.ts';

// Small HTTP helpers for the host: JSON replies and a body reader that refuses oversized bodies early.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers without reading the body, and closes the connection once the answer is written, so a client cannot keep
 * it busy sending (or make us drain) a body nobody will read.
 */
export function refuseUnread(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.once('finish', () => res.req.destroy());
  sendJson(res, status, body, { connection: 'close', ...headers });
}

/** `Authorization: Bearer <token>`, as Bot Framework sends it: anything else is refused before the body is read. */
export function hasBearerToken(header: string | undefined): boolean {
  return header !== undefined && /^Bearer [A-Za-z0-9._~+/=-]+$/.test(header);
}

/**
 * The request bodies the process holds at once, over every connection. A request is admitted with its declared
 * length (or the endpoint's cap when it declares none: chunked) before its body is read, and holds that until its
 * response is over; one that would pass the total is refused with 503 and Retry-After, unread.
 */
export class BodyBudget {
  inFlight = 0;
  refused = 0;

  constructor(readonly max: number) {}

  /** Reserves the body's bytes; false when they do not fit (the caller refuses the request). */
  admit(req: IncomingMessage, res: ServerResponse, cap: number): boolean {
    const header = req.headers['content-length'];
    const declared = header === undefined ? Number.NaN : Number(header);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, cap) : cap;
    if (this.inFlight + bytes > this.max) {
      this.refused++;
      return false;
    }
    this.inFlight += bytes;
    res.once('close', () => {
      this.inFlight -= bytes;
    });
    return true;
  }
}

/** True (and 413 sent, connection closed) when the declared length is over the limit: nothing is read. */
export function refuseIfDeclaredTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): boolean {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) {
    refuseUnread(res, 413, { error: `Request body is larger than ${limit} bytes.` });
    return true;
  }
  return false;
}

/** Reads a body up to `limit` bytes; past it, stops reading and throws 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new HttpError(413, `Request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses JSON, refusing documents nested deeper than `maxDepth` (checked on the text, before parsing). */
export function parseJsonBody(raw: Buffer, maxDepth: number): unknown {
  const text = raw.toString('utf8');
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (++depth > maxDepth) throw new HttpError(400, `JSON is nested deeper than ${maxDepth} levels.`);
    } else if (ch === '}' || ch === ']') depth--;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Body is not valid JSON.');
  }
}

/**
 * What a platform request was about, noted by the face that handled it (before it answers) and read by the host
 * when the response is finished, for coexist_requests_total: its kind, and whether a refusal was an overload (a
 * 503 for too much work in progress is not a server error).
 */
export interface RequestNote {
  kind?: RequestKind;
  overload?: boolean;
  /** Handled before (a redelivery or a double click): nothing was done again. */
  duplicate?: boolean;
}

const notes = new WeakMap<IncomingMessage, RequestNote>();

export function noteRequest(req: IncomingMessage, note: RequestNote): void {
  const had = notes.get(req);
  notes.set(req, had ? { ...had, ...note } : note);
}

export function requestNote(req: IncomingMessage): RequestNote | undefined {
  return notes.get(req);
}
