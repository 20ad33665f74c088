import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { htmlFingerprint, pageFingerprint } from '../../adapters/host/page-text.ts';
import { SOURCE_FETCH_POLICY, fetchSource, type SourceFetch, type SourceFetchPolicy, type Validators } from '../../adapters/host/source-fetch.ts';
import { FakePages, docPage } from '../helpers/fake-pages.ts';

// The source watch's one outbound call, against a web server on 127.0.0.1. Production fetches https only; these
// tests pass the call's own allowance for http to a loopback address (allowLoopbackHttp), never a configuration.

const servers: FakePages[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function pages(): Promise<FakePages> {
  const s = await new FakePages().start();
  servers.push(s);
  return s;
}

const TEST_POLICY: SourceFetchPolicy = { ...SOURCE_FETCH_POLICY, allowLoopbackHttp: true, idleTimeoutMs: 400, totalTimeoutMs: 1500, maxBytes: 64 * 1024 };
const none: Validators = { etag: null, lastModified: null };
const fetchOne = (url: string, validators = none, policy: Partial<SourceFetchPolicy> = {}, allowed: string[] = [url]) => fetchSource(url, new Set(allowed), validators, { ...TEST_POLICY, ...policy });
const pageText = (r: SourceFetch) => {
  if (r.kind !== 'page') throw new Error(`expected a page, got ${JSON.stringify(r)}`);
  return r.body.toString('utf8');
};

describe('fetchSource: only listed https pages, conditionally, within limits', () => {
  it('sends the validators it was given, says who it is, keeps no cookies, and reads a 304 as not modified', async () => {
    const s = await pages();
    s.set('/p', { body: docPage({ title: 'Throughput', text: 'MPS is 80' }), etag: '"v1"', lastModified: 'Mon, 30 Nov 2026 10:00:00 GMT', headers: { 'set-cookie': 'session=abc; Path=/' } });
    const first = await fetchOne(s.url('/p'));
    expect(pageText(first)).toContain('MPS is 80');
    expect(first.kind === 'page' && first.validators).toEqual({ etag: '"v1"', lastModified: 'Mon, 30 Nov 2026 10:00:00 GMT' });

    const again = await fetchOne(s.url('/p'), { etag: '"v1"', lastModified: 'Mon, 30 Nov 2026 10:00:00 GMT' });
    expect(again).toEqual({ kind: 'not-modified', validators: { etag: '"v1"', lastModified: null } });
    const [, second] = s.requestsTo('/p');
    expect(second!.headers['if-none-match']).toBe('"v1"');
    expect(second!.headers['if-modified-since']).toBe('Mon, 30 Nov 2026 10:00:00 GMT');
    expect(second!.headers.cookie).toBeUndefined();
    expect(second!.headers['user-agent']).toMatch(/^coexist-advisor\/\S+ \(source watch/);
  });

  it('refuses a URL sources.yml does not list, and fetches nothing', async () => {
    const s = await pages();
    s.set('/listed', { body: 'x' });
    s.set('/other', { body: 'x' });
    const r = await fetchOne(s.url('/other'), none, {}, [s.url('/listed')]);
    expect(r).toEqual({ kind: 'failed', error: expect.stringMatching(/not a URL listed in sources\.yml/), refused: true });
    expect(s.requests).toEqual([]);
  });

  it('refuses http without the test allowance (production), and http to a host that is not loopback even with it', async () => {
    const s = await pages();
    s.set('/p', { body: 'x' });
    const production = await fetchOne(s.url('/p'), none, { allowLoopbackHttp: false });
    expect(production).toEqual({ kind: 'failed', error: 'only https URLs are fetched (http is not)', refused: true });
    const elsewhere = await fetchOne('http://example.test/p');
    expect(elsewhere).toMatchObject({ kind: 'failed', refused: true, error: 'only https URLs are fetched (http is not)' });
    const ftp = await fetchOne('ftp://127.0.0.1/p');
    expect(ftp).toMatchObject({ kind: 'failed', refused: true });
    expect(s.requests).toEqual([]);
  });

  it('follows a redirect on the same host, at most maxRedirects times', async () => {
    const s = await pages();
    s.set('/old', (_req, res) => res.writeHead(301, { location: '/new' }).end());
    s.set('/new', { body: docPage({ title: 'Moved', text: 'here now' }) });
    expect(pageText(await fetchOne(s.url('/old')))).toContain('here now');
    const moved = await fetchOne(s.url('/old'));
    expect(moved.kind === 'page' && moved.url).toBe(s.url('/new'));

    s.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const loop = await fetchOne(s.url('/loop'), none, { maxRedirects: 3 });
    expect(loop).toEqual({ kind: 'failed', error: 'more than 3 redirects', refused: false });
    expect(s.requestsTo('/loop')).toHaveLength(4);
  });

  it('refuses a redirect to another host, and never asks that host', async () => {
    const s = await pages();
    const elsewhere = await pages();
    elsewhere.set('/trap', { body: 'secret' });
    s.set('/p', (_req, res) => res.writeHead(302, { location: elsewhere.url('/trap') }).end());
    const r = await fetchOne(s.url('/p'));
    expect(r).toEqual({ kind: 'failed', error: expect.stringContaining(`redirected to another host (http://127.0.0.1:${elsewhere.port}): refused`), refused: true });
    expect(elsewhere.requests).toEqual([]);
  });

  it('stops reading a page larger than the cap, plain or compressed, and fails it', async () => {
    const s = await pages();
    s.set('/big', { body: `<p>${'a'.repeat(200_000)}</p>` });
    const big = await fetchOne(s.url('/big'));
    expect(big).toEqual({ kind: 'failed', error: `the page is larger than ${64 * 1024} bytes: stopped reading`, refused: false });

    // 10 MB of zeros gzipped to about 10 KB: the cap counts what it decompresses to.
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    s.set('/bomb', (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb));
    expect(await fetchOne(s.url('/bomb'))).toMatchObject({ kind: 'failed', error: expect.stringMatching(/larger than/) });

    // A compressed page within the cap reads as its text.
    s.set('/small.gz', (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(docPage({ title: 'Zipped', text: 'fine' }))));
    expect(pageText(await fetchOne(s.url('/small.gz')))).toContain('fine');
  });

  it('closes the connection of a compressed page over the cap at once (not at the idle timeout)', { timeout: 10_000 }, async () => {
    const s = await pages();
    // The first half of a gzipped 10 MB: well over the cap once inflated; the server then holds the response open.
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    s.set('/held.gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.write(bomb.subarray(0, bomb.length / 2));
      res.on('close', closed);
    });
    // Idle and total timeouts far beyond the test's: only the fetch closing the socket itself ends the response.
    const r = await fetchOne(s.url('/held.gz'), none, { idleTimeoutMs: 60_000, totalTimeoutMs: 120_000 });
    expect(r).toMatchObject({ kind: 'failed', error: expect.stringMatching(/larger than/) });
    await connectionClosed;
  });

  it('gives up on a server that stops sending (idle timeout) and on one that never finishes (total timeout)', async () => {
    const s = await pages();
    const held: import('node:http').ServerResponse[] = [];
    s.set('/silent', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>start');
      held.push(res);
    });
    s.set('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
      held.push(res);
    });
    expect(await fetchOne(s.url('/silent'))).toEqual({ kind: 'failed', error: 'nothing received for 400 ms', refused: false });
    expect(await fetchOne(s.url('/drip'))).toEqual({ kind: 'failed', error: 'no complete answer within 1500 ms', refused: false });
    for (const res of held) res.destroy();
  });

  it('names an HTTP error', async () => {
    const s = await pages();
    expect(await fetchOne(s.url('/missing'))).toEqual({ kind: 'failed', error: 'HTTP 404', refused: false });
  });
});

describe("a page's fingerprint: its text and its Updated date", () => {
  it('ignores whitespace, scripts and styles, and sees a change of the text', () => {
    const a = htmlFingerprint(docPage({ title: 'Throughput', text: 'Coexistence numbers get 20 MPS.', nonce: 'n1' }));
    const noisy = htmlFingerprint(docPage({ title: 'Throughput', text: 'Coexistence   numbers\n get 20&nbsp;MPS.', nonce: 'n2', spacing: '\n\t  ' }));
    const changed = htmlFingerprint(docPage({ title: 'Throughput', text: 'Coexistence numbers get 25 MPS.', nonce: 'n1' }));
    expect(a.text).toBe('Throughput\nThroughput\nCoexistence numbers get 20 MPS.');
    expect(noisy.contentHash).toBe(a.contentHash);
    expect(changed.contentHash).not.toBe(a.contentHash);
  });

  it('finds the Updated date where pages put it', () => {
    const html = (head: string, body = '') => `<html><head>${head}</head><body>${body}<p>text</p></body></html>`;
    expect(htmlFingerprint(html('<meta property="article:modified_time" content="2026-11-28T10:00:00+00:00">')).updatedDate).toBe('2026-11-28T10:00:00+00:00');
    expect(htmlFingerprint(html('<script type="application/ld+json">{"@type":"TechArticle","dateModified": "2026-11-27"}</script>')).updatedDate).toBe('2026-11-27');
    expect(htmlFingerprint(html('', '<span>Updated: <time datetime="2026-11-26">Nov 26</time></span>')).updatedDate).toBe('2026-11-26');
    expect(htmlFingerprint(html('', '<p>Last updated on November 25, 2026</p>')).updatedDate).toBe('November 25, 2026');
    expect(htmlFingerprint(html('', '<p>Updated 24 Nov 2026</p>')).updatedDate).toBe('24 Nov 2026');
    // A <time> that is not about an update is not the Updated date.
    expect(htmlFingerprint(html('', '<p>Published <time datetime="2026-01-01">1 Jan</time></p>')).updatedDate).toBeNull();
  });

  it('reads plain text and hashes anything else as bytes', () => {
    expect(pageFingerprint(Buffer.from('Updated: 2026-11-20\n  a   b '), 'text/plain').text).toBe('Updated: 2026-11-20\na b');
    expect(pageFingerprint(Buffer.from('Updated: 2026-11-20\n'), 'text/plain').updatedDate).toBe('2026-11-20');
    const pdf = pageFingerprint(Buffer.from('%PDF-1.7 …'), 'application/pdf');
    expect(pdf.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(pageFingerprint(Buffer.from('%PDF-1.7 changed'), 'application/pdf').contentHash).not.toBe(pdf.contentHash);
  });
});

describe('fetchSource over https, as in production (no loopback http allowance)', () => {
  // A self-signed certificate for 127.0.0.1, made now; the fetch is told to trust it (the policy's test-only `ca`).
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });

  async function httpsServer(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
    const server = https.createServer({ cert, key }, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return { url: (p) => `https://127.0.0.1:${port}${p}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('reads a page, follows a same-host redirect, refuses a redirect down to http, and refuses a certificate it does not trust', async () => {
    const server = await httpsServer((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/doc' }).end();
      else if (req.url === '/down') res.writeHead(302, { location: `http://127.0.0.1:1/doc` }).end();
      else res.writeHead(200, { 'content-type': 'text/html', etag: '"t1"' }).end(docPage({ title: 'Secure', text: 'over tls' }));
    });
    try {
      const production: Partial<SourceFetchPolicy> = { allowLoopbackHttp: false, ca: cert };
      const page = await fetchOne(server.url('/old'), none, production);
      expect(pageText(page)).toContain('over tls');
      expect(page.kind === 'page' && page.validators.etag).toBe('"t1"');
      expect(await fetchOne(server.url('/down'), none, production)).toMatchObject({ kind: 'failed', refused: true, error: expect.stringMatching(/another host|only https/) });
      const untrusted = await fetchOne(server.url('/doc'), none, { allowLoopbackHttp: false });
      expect(untrusted).toMatchObject({ kind: 'failed', refused: false, error: expect.stringMatching(/self.signed|certificate/i) });
    } finally {
      await server.close();
    }
  });
});
