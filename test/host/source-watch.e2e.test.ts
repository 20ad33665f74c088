import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SOURCE_WATCH_HOUR } from '../../adapters/host/start.ts';
import { DAY_MS, HOUR_MS } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakePages, docPage } from '../helpers/fake-pages.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';
import { until } from '../helpers/until.ts';

// The source watch in the running product (SOURCE_WATCH=true), over real transports, with two replicas sharing one
// store and driven by the scheduler's fake clock: the cited pages served on 127.0.0.1 are fetched once a day (by
// one replica), and a changed page is told to the knowledge owners once, as a Slack DM (the fake Web API's
// chat.postMessage) and a Teams proactive message (the fake Bot Connector), on SQLite and PostgreSQL; the report
// lists it.

const OWNER_SLACK = 'U0OWNER1';
const OWNER_AAD = 'c0ffee00-1111-2222-3333-444455556666';
const OWNER = { id: '29:owner-1', name: 'Olu Owner', aadObjectId: OWNER_AAD };
/** The watch's slots: 05:00 UTC (REPORT_TZ unset) on two days. */
const DAY1 = Date.UTC(2026, 11, 7, SOURCE_WATCH_HOUR);
const DAY2 = DAY1 + DAY_MS;

function suite(kind: 'SQLite' | 'PostgreSQL', storeEnv: StoreEnv) {
  describe(`source watch in the product on ${kind}, two replicas`, () => {
    let h: BothPlatforms;
    let second: Awaited<ReturnType<typeof startTestProduct>>;
    let pages: FakePages;
    let dir: string;
    let throughput: string;
    let sources: number;
    let now = DAY1 + 1000;
    const clock = { now: () => now };

    beforeAll(async () => {
      pages = await new FakePages().start();
      // The fixture knowledge with every source served by the fake pages; the title of one made hostile.
      const data = parse(readFileSync(FIXTURE_KNOWLEDGE_FILE, 'utf8'));
      for (const [id, source] of Object.entries<{ url: string; title: string }>(data.sources)) {
        source.url = pages.url(`/s/${id}`);
        pages.set(`/s/${id}`, { body: docPage({ title: id, text: `The facts of ${id}.`, modified: '2026-11-01' }), etag: `"${id}-1"` });
      }
      sources = Object.keys(data.sources).length;
      throughput = Object.keys(data.sources).find((id) => /Throughput/.test(data.sources[id].title))!;
      data.sources[throughput].title = 'Meta: Throughput <!channel> **now**';
      // The throughput topic names the Slack owner as its verifier: a change of a page it cites makes it due.
      const topic = (data.topics as { id: string; verifiers?: string[] }[]).find((t) => t.id === 'throughput')!;
      topic.verifiers = [OWNER_SLACK];
      dir = mkdtempSync(path.join(tmpdir(), 'coexist-watch-'));
      writeFileSync(path.join(dir, 'knowledge.yml'), stringify(data));
      const made = await storeEnv();
      // Both replicas on one store: PostgreSQL's schema, or one SQLite file.
      const store = made.env.DATABASE_URL ? made.env : { DATA_DIR: path.join(dir, 'data') };
      const env = { ...store, SOURCE_WATCH: 'true', KNOWLEDGE_FILE: path.join(dir, 'knowledge.yml'), KNOWLEDGE_OWNERS: `${OWNER_SLACK},${OWNER_AAD}` };
      const options = { sourceWatch: { fetch: { allowLoopbackHttp: true } }, clock, scheduleTimers: false };
      h = await startBothPlatforms(env, options);
      second = await startTestProduct({ ...env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.fake.apiUrl }, { ...options, teamsConnector: FAST_CONNECTOR });
      await second.storeStarted;
      for (const p of [h.product, second]) await until(async () => p.notifier.platforms().has('slack'), 'Slack to connect');
      // The Teams owner has talked to the bot once: their personal chat is known (in the shared store).
      const res = await fetch(`${h.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(h.connector.url, { from: OWNER, text: 'help' }, 'personal')) });
      expect(res.status).toBe(200);
      await until(() => second.store.conversationRef(`person:${OWNER_AAD}`), 'the owner’s conversation reference');
    });
    afterAll(async () => {
      await second?.stop();
      await stopBothPlatforms(h);
      await pages?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const bothTick = () => Promise.all([h.product.scheduler.tick(), second.scheduler.tick()]);
    // The source watch's messages (the weekly report of Monday 09:00 may go out on the same ticks).
    const watchDms = () => h.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes('our answers cite'));
    const teamsNotes = () => h.connector.calls.filter((c) => JSON.stringify(FakeConnector.cards(c)).includes('our answers cite'));

    it('runs once a day on one replica; a changed page reaches the owners once, as a Slack DM and a Teams message', async () => {
      expect(h.product.sourceWatch).toBeDefined();
      expect(h.product.logs.lines.some((l) => /^Source watch is on \(SOURCE_WATCH\)/.test(l.msg))).toBe(true);

      // Day 1 at 05:00: each page fetched once (one replica), a baseline; nobody told.
      await bothTick();
      expect(pages.requests).toHaveLength(sources);
      expect(watchDms()).toHaveLength(0);

      // Day 2 at 05:00: the Throughput page has new text and a new "Updated" date.
      pages.set(`/s/${throughput}`, { body: docPage({ title: throughput, text: 'Coexistence numbers now get 25 MPS.', modified: '2026-12-01' }), etag: `"${throughput}-2"` });
      now = DAY2 + 1000;
      await bothTick();
      expect(pages.requests).toHaveLength(2 * sources);
      expect(pages.requestsTo(`/s/${throughput}`)[1]!.headers['if-none-match']).toBe(`"${throughput}-1"`);

      // Slack: one DM to the owner, escaped, within limits.
      const [dm] = await until(async () => (watchDms().length > 0 ? watchDms() : undefined), 'the Slack DM');
      expect(watchDms()).toHaveLength(1);
      expect(dm!.args.channel).toBe(OWNER_SLACK);
      const blocks = JSON.stringify(dm!.args.blocks);
      expect(blocks).toContain('A page our answers cite has changed');
      expect(blocks).toContain('its text changed and its “Updated” date went from 1 Nov 2026 to 1 Dec 2026');
      expect(blocks).toContain('&lt;!channel&gt;');
      for (const t of mrkdwnStrings(dm!.args.blocks)) expect(t).not.toContain('<!channel>');
      expect(slackLimitViolations({ blocks: dm!.args.blocks, text: dm!.args.text })).toEqual([]);

      // Teams: one proactive card in the owner's personal chat.
      expect(teamsNotes()).toHaveLength(1);
      expect(teamsNotes()[0]).toMatchObject({ method: 'POST', conversationId: 'a:personal-chat-1' });
      const [card] = FakeConnector.cards(teamsNotes()[0]!);
      expect(cardProblems(card!)).toEqual([]);
      const text = textBlocks(card!).join('\n');
      expect(text).toContain('A page our answers cite has changed');
      expect(text).toContain('Due for verification:');
      expect(text).toContain('\\*\\*now\\*\\*');

      // Later the same day: nothing runs again, nobody told twice.
      now = DAY2 + 3 * HOUR_MS;
      await bothTick();
      expect(pages.requests).toHaveLength(2 * sources);
      expect(watchDms()).toHaveLength(1);
      expect(teamsNotes()).toHaveLength(1);

      // The daily reminders (08:00, the tick above): the page's change made throughput due today, so its verifier is
      // asked to check it, once, saying why; answers are not marked out of date for it.
      const reminders = () => h.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes('Please check'));
      const [reminder] = await until(async () => (reminders().length > 0 ? reminders() : undefined), 'the verifier’s reminder');
      expect(reminders()).toHaveLength(1);
      expect(reminder!.args.channel).toBe(OWNER_SLACK);
      expect(JSON.stringify(reminder!.args.blocks)).toContain('A page it cites changed on 2026-12-08');
      // Read by the replica that ran the reminders (whichever claimed the slot): the page's change, per topic.
      expect([h.product, second].map((p) => p.verifications.state().sourceChanged?.get('throughput'))).toContainEqual(['2026-12-08']);

      // The summary line of each day, from the replica that ran it (either may run either day), in the days' order.
      const summary = [...h.product.logs.lines, ...second.logs.lines].filter((l) => /^source watch: \d+ pages checked/.test(l.msg)).sort((a, b) => a.time - b.time);
      expect(summary.map((l) => [l.checked, l.changed, l.failed])).toEqual([
        [sources, 0, 0],
        [sources, 1, 0],
      ]);

      // The owner's report lists the page.
      const report = await second.store.report(new Date(DAY1));
      expect(report!.sourcesChanged!.map((c) => c.sourceId)).toEqual([throughput]);
    });
  });
}

onBothStores(suite);
