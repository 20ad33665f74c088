import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** True (and 413 sent, connection closed) when the declared length is over the limit: nothing is read. */
export function refuseIfDeclaredTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): boolean {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) {
    sendJson(res, 413, { error: `Request body is larger than ${limit} bytes.` }, { connection: 'close' });
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
