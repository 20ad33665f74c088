import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DAY_MS } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakePages, docPage } from '../helpers/fake-pages.ts';
import { FIXTURE_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';

// The source watch in the running product (SOURCE_WATCH=true), over real transports: the cited pages served on
// 127.0.0.1, a changed page told to the knowledge owners as a Slack DM (the fake Web API's chat.postMessage) and a
// Teams proactive message (the fake Bot Connector), once, on SQLite and PostgreSQL; the report lists it.

const OWNER_SLACK = 'U0OWNER1';
const OWNER_AAD = 'c0ffee00-1111-2222-3333-444455556666';
const OWNER = { id: '29:owner-1', name: 'Olu Owner', aadObjectId: OWNER_AAD };
const DAY1 = new Date(Date.UTC(2026, 11, 7, 6));
const DAY2 = new Date(DAY1.getTime() + DAY_MS);

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, deadlineMs = 8000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function suite(kind: 'SQLite' | 'PostgreSQL', storeEnv: StoreEnv) {
  describe(`source watch in the product on ${kind}`, () => {
    let h: BothPlatforms;
    let pages: FakePages;
    let dir: string;
    let throughput: string;

    beforeAll(async () => {
      pages = await new FakePages().start();
      // The fixture knowledge with every source served by the fake pages; the title of one made hostile.
      const data = parse(readFileSync(FIXTURE_KNOWLEDGE_FILE, 'utf8'));
      for (const [id, source] of Object.entries<{ url: string; title: string }>(data.sources)) {
        source.url = pages.url(`/s/${id}`);
        pages.set(`/s/${id}`, { body: docPage({ title: id, text: `The facts of ${id}.`, modified: '2026-11-01' }), etag: `"${id}-1"` });
      }
      throughput = Object.keys(data.sources).find((id) => /Throughput/.test(data.sources[id].title))!;
      data.sources[throughput].title = 'Meta: Throughput <!channel> **now**';
      dir = mkdtempSync(path.join(tmpdir(), 'coexist-watch-kb-'));
      writeFileSync(path.join(dir, 'knowledge.yml'), stringify(data));
      const made = await storeEnv();
      h = await startBothPlatforms(
        { ...made.env, SOURCE_WATCH: 'true', KNOWLEDGE_FILE: path.join(dir, 'knowledge.yml'), KNOWLEDGE_OWNERS: `${OWNER_SLACK},${OWNER_AAD}` },
        { sourceWatch: { fetch: { allowLoopbackHttp: true } } },
      );
      await until(async () => h.product.notifier.platforms().has('slack'), 'Slack to connect');
      // The Teams owner has talked to the bot once: their personal chat is known.
      const res = await fetch(`${h.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(h.connector.url, { from: OWNER, text: 'help' }, 'personal')) });
      expect(res.status).toBe(200);
      await until(() => h.product.store.conversationRef(`person:${OWNER_AAD}`), 'the owner’s conversation reference');
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await pages?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a changed page reaches the owners once, as a Slack DM and a Teams message, and is in the report', async () => {
      const watch = h.product.sourceWatch!;
      expect(watch).toBeDefined();
      expect(h.product.logs.lines.some((l) => /^Source watch is on \(SOURCE_WATCH\)/.test(l.msg))).toBe(true);

      expect(await watch.watchSources(DAY1)).toMatchObject({ ran: true, changed: 0, failed: 0 });
      h.fake.reset();
      h.connector.reset();

      pages.set(`/s/${throughput}`, { body: docPage({ title: throughput, text: 'Coexistence numbers now get 25 MPS.', modified: '2026-12-01' }), etag: `"${throughput}-2"` });
      expect(await watch.watchSources(DAY2)).toMatchObject({ ran: true, changed: 1, notified: 2, notDelivered: 0 });

      // Slack: one DM to the owner, escaped, within limits.
      const [dm] = await h.fake.waitFor('chat.postMessage');
      expect(dm!.args.channel).toBe(OWNER_SLACK);
      const blocks = JSON.stringify(dm!.args.blocks);
      expect(blocks).toContain('A page our answers cite has changed');
      expect(blocks).toContain('its text changed and its “Updated” date went from 1 Nov 2026 to 1 Dec 2026');
      expect(blocks).toContain('&lt;!channel&gt;');
      for (const t of mrkdwnStrings(dm!.args.blocks)) expect(t).not.toContain('<!channel>');
      expect(slackLimitViolations({ blocks: dm!.args.blocks, text: dm!.args.text })).toEqual([]);

      // Teams: one proactive card in the owner's personal chat.
      expect(h.connector.calls).toHaveLength(1);
      expect(h.connector.calls[0]).toMatchObject({ method: 'POST', conversationId: 'a:personal-chat-1' });
      const [card] = FakeConnector.cards(h.connector.calls[0]!);
      expect(cardProblems(card!)).toEqual([]);
      const text = textBlocks(card!).join('\n');
      expect(text).toContain('A page our answers cite has changed');
      expect(text).toContain('Due for verification:');
      expect(text).toContain('\\*\\*now\\*\\*');

      // The same day again: nobody told twice.
      expect((await watch.watchSources(new Date(DAY2.getTime() + 60_000))).ran).toBe(false);
      expect(h.fake.callsTo('chat.postMessage')).toHaveLength(1);
      expect(h.connector.calls).toHaveLength(1);

      // The owner's report lists the page.
      const report = await h.product.store.report(DAY1);
      expect(report!.sourcesChanged!.map((c) => c.sourceId)).toEqual([throughput]);
    });
  });
}

onBothStores(suite);
