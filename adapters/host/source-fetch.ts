import http from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { isLoopbackHost } from '../config.ts';
import { productVersion } from '../version.ts';

// One outbound GET of a page cited in sources.yml (the source watch, source-watch.ts), and nothing else: the only
// outbound call the product makes on its own to an address it did not get from Slack or Teams. So it is narrow:
//  - only a URL listed in sources.yml, and only https (a test may allow http to a loopback address: an option of
//    the call, never configuration);
//  - a timeout while nothing arrives (connecting included) and one for the whole response;
//  - a cap on the bytes read (after decompression: a small gzip cannot grow past it), past which reading stops and
//    the fetch fails;
//  - redirects followed only to the same host (scheme and port included), at most a few; another host is refused;
//  - no cookies (none sent, Set-Cookie ignored), a User-Agent that says who we are;
//  - conditional (If-None-Match, If-Modified-Since) from what the last fetch kept.

export interface SourceFetchPolicy {
  /** Nothing received for this long (connecting, or mid-response): the fetch fails. */
  idleTimeoutMs: number;
  /** The whole fetch, redirects included, must be over within this. */
  totalTimeoutMs: number;
  /** Bytes of a page read at most (decompressed). */
  maxBytes: number;
  maxRedirects: number;
  /** Tests only: http:// to a loopback address is allowed too (a local fake server). */
  allowLoopbackHttp: boolean;
  /** Tests only: a certificate to trust besides the system's (a local https server's, made at test time). */
  ca?: string;
}

export const SOURCE_FETCH_POLICY: SourceFetchPolicy = {
  idleTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 3,
  allowLoopbackHttp: false,
};

export const sourceWatchUserAgent = (): string => `coexist-advisor/${productVersion()} (source watch: checks the pages its answers cite, once a day)`;

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type SourceFetch =
  /** 304: the page is as the validators say. */
  | { kind: 'not-modified'; validators: Validators }
  /** 200: the page, as bytes, with its content type and validators; `url` is where it was found (after redirects). */
  | { kind: 'page'; url: string; body: Buffer; contentType: string; validators: Validators }
  /** Not fetched: `refused` when our rules stopped it (not listed, not https, a redirect to another host). */
  | { kind: 'failed'; error: string; refused: boolean };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why a URL may not be fetched, or undefined when it may. */
function refusal(url: URL, policy: SourceFetchPolicy): string | undefined {
  if (url.username || url.password) return 'a URL with credentials is never fetched';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && policy.allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return `only https URLs are fetched (${url.protocol.replace(/:$/, '')} is not)`;
}

/**
 * Fetches `url` if `allowed` lists it (the URLs of sources.yml), under `policy`. Never throws: a failure is a
 * `failed` result naming the fault.
 */
export async function fetchSource(url: string, allowed: ReadonlySet<string>, validators: Validators, policy: SourceFetchPolicy = SOURCE_FETCH_POLICY): Promise<SourceFetch> {
  if (!allowed.has(url)) return { kind: 'failed', error: 'not a URL listed in sources.yml: never fetched', refused: true };
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { kind: 'failed', error: 'not a URL', refused: true };
  }
  const first = refusal(current, policy);
  if (first) return { kind: 'failed', error: first, refused: true };

  const controller = new AbortController();
  const total = setTimeout(() => controller.abort(new Error(`no complete answer within ${policy.totalTimeoutMs} ms`)), policy.totalTimeoutMs);
  total.unref();
  try {
    for (let hop = 0; ; hop++) {
      const answer = await get(current, validators, policy, controller);
      if (REDIRECTS.has(answer.status)) {
        answer.body.resume();
        const location = answer.headers.location;
        if (!location) return { kind: 'failed', error: `HTTP ${answer.status} without a Location`, refused: false };
        if (hop >= policy.maxRedirects) return { kind: 'failed', error: `more than ${policy.maxRedirects} redirects`, refused: false };
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          return { kind: 'failed', error: `HTTP ${answer.status} to an unreadable Location`, refused: false };
        }
        // The same host: scheme, name and port. A listed page moving to another host is for a person to look at.
        if (next.origin !== current.origin) return { kind: 'failed', error: `redirected to another host (${next.origin}): refused; update sources.yml if the page moved`, refused: true };
        const why = refusal(next, policy);
        if (why) return { kind: 'failed', error: `redirected: ${why}`, refused: true };
        current = next;
        continue;
      }
      const kept: Validators = { etag: header(answer.headers.etag), lastModified: header(answer.headers['last-modified']) };
      if (answer.status === 304) {
        answer.body.resume();
        return { kind: 'not-modified', validators: kept };
      }
      if (answer.status !== 200) {
        answer.body.resume();
        return { kind: 'failed', error: `HTTP ${answer.status}`, refused: false };
      }
      const body = await readCapped(decoded(answer.body, header(answer.headers['content-encoding'])), policy.maxBytes, controller.signal);
      return { kind: 'page', url: current.toString(), body, contentType: header(answer.headers['content-type']) ?? '', validators: kept };
    }
  } catch (err) {
    const reason = controller.signal.aborted ? controller.signal.reason : err;
    return { kind: 'failed', error: reason instanceof Error ? reason.message : String(reason), refused: false };
  } finally {
    clearTimeout(total);
    // Whatever the outcome, the connection ends here: a compressed body over the cap destroyed only the inflater,
    // leaving the response's socket open until the idle timeout (or for good with a server that keeps sending).
    if (!controller.signal.aborted) controller.abort(new Error('fetch finished'));
  }
}

const header = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null));

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

function get(url: URL, validators: Validators, policy: SourceFetchPolicy, controller: AbortController): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      'user-agent': sourceWatchUserAgent(),
      accept: 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
      ...(validators.etag ? { 'if-none-match': validators.etag } : {}),
      ...(validators.lastModified ? { 'if-modified-since': validators.lastModified } : {}),
    };
    // A connection of its own (no agent: nothing pooled or shared), no cookies.
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers, agent: false, timeout: policy.idleTimeoutMs, signal: controller.signal, ...(policy.ca ? { ca: policy.ca } : {}) });
    // Idle (connecting, or mid-body): the whole fetch ends, with this as its reason.
    request.on('timeout', () => controller.abort(new Error(`nothing received for ${policy.idleTimeoutMs} ms`)));
    request.on('error', reject);
    request.on('response', (response) => {
      response.on('error', () => {}); // a failure mid-body reaches readCapped through the stream
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response });
    });
    request.end();
  });
}

function decoded(body: http.IncomingMessage, encoding: string | null): Readable {
  const e = (encoding ?? '').trim().toLowerCase();
  const inflater = e === 'gzip' || e === 'x-gzip' ? createGunzip() : e === 'deflate' ? createInflate() : e === 'br' ? createBrotliDecompress() : undefined;
  if (!inflater) return body;
  body.on('error', (err) => inflater.destroy(err));
  return body.pipe(inflater);
}

/** Reads a body up to `max` bytes; more fails the fetch (and stops reading). */
function readCapped(stream: Readable, max: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: Error) => {
      stream.destroy();
      reject(err);
    };
    signal.addEventListener('abort', () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return fail(new Error(`the page is larger than ${max} bytes: stopped reading`));
      chunks.push(chunk);
    });
    stream.on('error', (err) => fail(err));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
