import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/host/logger.ts';
import { SourceWatch } from '../../adapters/host/source-watch.ts';
import type { Destination, Notifier, NotifyPlatform, Sent } from '../../adapters/notify.ts';
import { StoreService } from '../../adapters/store/service.ts';
import { sqliteTarget, type StoreTarget } from '../../adapters/store/store.ts';
import { DAY_MS, latestSourceChangeByTopic, presentReport, type Knowledge, type Reply, type SourceChangesReply } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { FakePages, docPage } from '../helpers/fake-pages.ts';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';
import { LogCapture } from '../helpers/product.ts';

// The daily run of the source watch on SQLite and PostgreSQL, against pages served on 127.0.0.1: the first fetch is
// a baseline; a 304, a new ETag with the same text, or whitespace noise are no change; a changed text or "Updated"
// date is, kept in the store, listed in the report, marking the topics citing it due, and told once to the right
// people (the verifiers of the citing topics, or the owners for a topic without); a day runs once across replicas.

const OWNER_SLACK = 'U0OWNER1';
const OWNER_TEAMS = '6f1c2b9e-0000-4000-8000-00000000a0a0';
const VERIFIER = 'U0VERIFY1';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class RecordingNotifier implements Notifier {
  readonly sent: { to: Destination; reply: Reply }[] = [];
  constructor(private readonly on: NotifyPlatform[] = ['slack', 'teams']) {}
  platforms = () => new Set(this.on);
  async send(to: Destination, reply: Reply): Promise<Sent> {
    this.sent.push({ to, reply });
    return { ok: true, ref: `m${this.sent.length}`, channelId: 'D1' };
  }
}

/** The fixture knowledge with every source served by `pages` (/s/<ID>), and the calls topic naming a verifier. */
function servedKnowledge(pages: FakePages): Knowledge {
  const kb = structuredClone(fixtureKnowledge());
  for (const [id, source] of Object.entries(kb.sources)) source.url = pages.url(`/s/${id}`);
  const calls = kb.topics.find((t) => t.id === 'calls')!;
  Object.assign(calls, { verifiers: [VERIFIER] });
  return kb;
}

function service(target: StoreTarget) {
  const logs = new LogCapture();
  const s = new StoreService({ target, retentionDays: 365, writes: 'inline', logger: createLogger('debug', { destination: logs }) });
  cleanups.push(() => s.close());
  return { s, logs };
}

const stores: [string, () => Promise<StoreTarget>, boolean][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'coexist-sources-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return sqliteTarget(dir);
    },
    false,
  ],
  ['PostgreSQL', async () => ({ kind: 'postgres', url: (await createTestSchema()).url }), SKIP_POSTGRES],
];

const DAY1 = new Date(Date.UTC(2026, 11, 7, 6));
const DAY2 = new Date(DAY1.getTime() + DAY_MS);

describe.each(stores)('source watch on %s', (_name, makeTarget, skip) => {
  it.skipIf(skip)('keeps a baseline, tells a change once to the right people, and marks the topics citing it due', async () => {
    const pages = await new FakePages().start();
    cleanups.push(() => pages.stop());
    const kb = servedKnowledge(pages);
    const calls = kb.topics.find((t) => t.id === 'calls')!;
    // Pages by role: M5 is cited by calls (which names a verifier); the others by topics without verifiers.
    const callsSource = calls.sources[0]!;
    const others = Object.keys(kb.sources).filter((id) => !kb.topics.some((t) => t.id === 'calls' && t.sources.includes(id)));
    const [etagOnly, noisy, dateOnly, unlisted] = others;
    for (const id of Object.keys(kb.sources)) pages.set(`/s/${id}`, { body: docPage({ title: id, text: `The facts of ${id}.`, modified: '2026-11-01' }), etag: `"${id}-1"` });

    const target = await makeTarget();
    const { s, logs } = service(target);
    await s.start();
    const notifier = new RecordingNotifier();
    const watch = new SourceWatch({ knowledge: kb, store: s, notifier, logger: createLogger('debug', { destination: logs }), owners: [OWNER_SLACK, OWNER_TEAMS], fetch: { allowLoopbackHttp: true } });

    // Day 1: every page is new: a baseline, nothing to tell.
    const first = await watch.watchSources(DAY1);
    const count = Object.keys(kb.sources).length;
    expect(first).toMatchObject({ ran: true, checked: count, baseline: count, changed: 0, failed: 0 });
    expect(notifier.sent).toEqual([]);
    expect(await s.store!.sourceChangesSince(new Date(0))).toEqual([]);

    // Day 2: calls' page changes its text; one page its ETag only; one is re-spaced with a new script nonce; one
    // changes only its "Updated" date; the rest answer 304.
    pages.set(`/s/${callsSource}`, { body: docPage({ title: callsSource, text: `The facts of ${callsSource}, now with calling on Co-Existence.`, modified: '2026-11-01' }), etag: `"${callsSource}-2"` });
    pages.set(`/s/${etagOnly}`, { body: docPage({ title: etagOnly!, text: `The facts of ${etagOnly}.`, modified: '2026-11-01' }), etag: `"${etagOnly}-2"` });
    pages.set(`/s/${noisy}`, { body: docPage({ title: noisy!, text: `The   facts of\n${noisy}.`, modified: '2026-11-01', nonce: 'other', spacing: '\n  ' }), etag: `"${noisy}-2"` });
    pages.set(`/s/${dateOnly}`, { body: docPage({ title: dateOnly!, text: `The facts of ${dateOnly}.`, modified: '2026-12-01' }), etag: `"${dateOnly}-2"` });
    const second = await watch.watchSources(DAY2);
    expect(second).toMatchObject({ ran: true, checked: count, changed: 2, unchanged: count - 2, failed: 0, baseline: 0 });
    // Conditional requests from what day 1 kept.
    expect(pages.requestsTo(`/s/${unlisted}`).at(-1)!.headers['if-none-match']).toBe(`"${unlisted}-1"`);

    const changes = (await s.sourceChangesSince(DAY1))!;
    expect(changes.map((c) => [c.sourceId, c.kind, c.updatedBefore, c.updatedAfter]).sort()).toEqual(
      [
        [callsSource, 'content', '2026-11-01', '2026-11-01'],
        [dateOnly, 'updated-date', '2026-11-01', '2026-12-01'],
      ].sort(),
    );

    // Who was told: the verifier of calls about calls' page only; the owners (Slack and Teams) about the page whose
    // citing topics name no verifier (and about calls' page too if another topic without verifiers cites it).
    const told = (id: string) => notifier.sent.filter((m) => m.to.kind === 'person' && m.to.userId === id).map((m) => m.reply as SourceChangesReply);
    expect(told(VERIFIER)).toHaveLength(1);
    expect(told(VERIFIER)[0]!.changes.map((c) => c.url)).toEqual([pages.url(`/s/${callsSource}`)]);
    expect(told(VERIFIER)[0]!.changes[0]!.topics).toContain(calls.title);
    expect(told(VERIFIER)[0]!.changes[0]!.what).toBe('Seen 8 Dec 2026: its text changed (still “Updated” 1 Nov 2026).');
    for (const owner of [OWNER_SLACK, OWNER_TEAMS]) {
      expect(told(owner)).toHaveLength(1);
      const page = told(owner)[0]!.changes.find((c) => c.url === pages.url(`/s/${dateOnly}`))!;
      expect(page.what).toBe('Seen 8 Dec 2026: its “Updated” date went from 1 Nov 2026 to 1 Dec 2026; its text reads the same.');
    }
    expect(notifier.sent.find((m) => m.to.kind === 'person' && m.to.userId === OWNER_TEAMS)!.to).toEqual({ kind: 'person', platform: 'teams', userId: OWNER_TEAMS });
    expect(notifier.sent).toHaveLength(3);

    // The topics citing the changed pages are due: the verification part reads this.
    const due = latestSourceChangeByTopic(kb, changes);
    expect(due.get('calls')).toEqual(DAY2);
    expect([...due.keys()].every((topic) => kb.topics.find((t) => t.id === topic)!.sources.some((id) => id === callsSource || id === dateOnly))).toBe(true);

    // The owner's report lists them.
    const report = await s.report(DAY1);
    const section = presentReport(report!, kb, DAY2).sections.find((x) => x.id === 'sources-changed')!;
    expect(section.lines.map((l) => l.question).sort()).toEqual([kb.sources[callsSource]!.title, kb.sources[dateOnly!]!.title].sort());

    // The same day again (a restart, a second trigger): not run twice, nobody told twice.
    const again = await watch.watchSources(new Date(DAY2.getTime() + 3_600_000));
    expect(again.ran).toBe(false);
    expect(notifier.sent).toHaveLength(3);

    // The summary line.
    expect(logs.lines.find((l) => /^source watch: \d+ pages checked, 2 changed/.test(l.msg))).toMatchObject({ checked: count, changed: 2, unchanged: count - 2, failed: 0 });
  });

  it.skipIf(skip)('a page that fails is logged with why and never stops the run; two replicas run a day once', async () => {
    const pages = await new FakePages().start();
    cleanups.push(() => pages.stop());
    const elsewhere = await new FakePages().start();
    cleanups.push(() => elsewhere.stop());
    const kb = servedKnowledge(pages);
    const ids = Object.keys(kb.sources);
    for (const id of ids) pages.set(`/s/${id}`, { body: docPage({ title: id, text: `Facts ${id}` }) });
    pages.set(`/s/${ids[0]}`, (_req, res) => res.writeHead(500).end('boom'));
    pages.set(`/s/${ids[1]}`, (_req, res) => res.writeHead(302, { location: elsewhere.url('/x') }).end());

    const target = await makeTarget();
    const a = service(target);
    const b = service(target);
    await Promise.all([a.s.start(), b.s.start()]);
    const watchFor = (svc: ReturnType<typeof service>, notifier: Notifier) => new SourceWatch({ knowledge: kb, store: svc.s, notifier, logger: createLogger('debug', { destination: svc.logs }), owners: [OWNER_SLACK], fetch: { allowLoopbackHttp: true } });
    const [ra, rb] = await Promise.all([watchFor(a, new RecordingNotifier()).watchSources(DAY1), watchFor(b, new RecordingNotifier()).watchSources(DAY1)]);
    expect([ra.ran, rb.ran].sort()).toEqual([false, true]);
    const ran = ra.ran ? ra : rb;
    expect(ran).toMatchObject({ checked: ids.length, failed: 2, baseline: ids.length - 2 });
    expect(pages.requestsTo(`/s/${ids[2]}`)).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);

    const logs = [...a.logs.lines, ...b.logs.lines];
    expect(logs.find((l) => l.url === pages.url(`/s/${ids[0]}`) && l.level === 40)?.msg).toBe(`source watch: ${pages.url(`/s/${ids[0]}`)} not checked: HTTP 500`);
    expect(logs.find((l) => l.url === pages.url(`/s/${ids[1]}`) && /refused to fetch/.test(l.msg))?.error).toMatch(/redirected to another host/);
    const failed = (await a.s.store!.sourcePages()).find((p) => p.url === pages.url(`/s/${ids[0]}`))!;
    expect(failed).toMatchObject({ contentHash: null, lastError: 'HTTP 500' });

    // The failed page's first success the next day is its baseline, not a change.
    pages.set(`/s/${ids[0]}`, { body: docPage({ title: 'back', text: 'up again' }) });
    const next = await watchFor(a, new RecordingNotifier()).watchSources(DAY2);
    expect(next).toMatchObject({ ran: true, baseline: 1, changed: 0, failed: 1 });
  });

  it.skipIf(skip)('of two replicas that see the same change, one records and reports it', async () => {
    const target = await makeTarget();
    const { s } = service(target);
    await s.start();
    const other = service(target);
    await other.s.start();
    const url = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput';
    const state = { url, sourceId: 'M2', etag: '"1"', lastModified: null, contentHash: 'h1', updatedDate: null };
    expect(await s.store!.saveSourcePage(state, 'absent', undefined, DAY1.getTime())).toBe(true);
    expect(await other.s.store!.saveSourcePage(state, 'absent', undefined, DAY1.getTime())).toBe(false);
    const moved = { ...state, contentHash: 'h2', etag: '"2"' };
    const change = { kind: 'content' as const, updatedBefore: null };
    const results = await Promise.all([s.store!.saveSourcePage(moved, { contentHash: 'h1', updatedDate: null }, change, DAY2.getTime()), other.s.store!.saveSourcePage(moved, { contentHash: 'h1', updatedDate: null }, change, DAY2.getTime() + 1)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await s.store!.sourceChangesSince(DAY1)).toHaveLength(1);
    expect((await s.store!.sourcePages())[0]).toMatchObject({ contentHash: 'h2', etag: '"2"', changedAt: expect.any(Date) });
  });
});

describe('SOURCE_WATCH', () => {
  it('is off by default, on with true (or on/yes/1), and anything else is refused naming the variable', async () => {
    const { loadConfig, describeConfig } = await import('../../adapters/config.ts');
    const off = loadConfig({});
    expect(off.ok && off.config.sourceWatch).toBe(false);
    expect(off.ok && describeConfig(off.config).join('\n')).toContain('Source watch is off: set SOURCE_WATCH=true');
    for (const on of ['true', 'ON', 'yes', '1']) {
      const r = loadConfig({ SOURCE_WATCH: on });
      expect(r.ok && r.config.sourceWatch).toBe(true);
    }
    expect(loadConfig({ SOURCE_WATCH: 'daily' })).toEqual({ ok: false, problems: ['SOURCE_WATCH must be true or false (or on/off, yes/no, 1/0)'] });
  });
});
