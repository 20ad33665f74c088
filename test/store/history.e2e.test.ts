import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { filledModal } from '../helpers/slack-modal.ts';
import { recommendationRecord } from '../helpers/store.ts';
import { teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// `/coexist-vs-api history [customer]` in Slack (and in the app's DM) and `history [customer]` in Teams: recent
// recommendations, privately, newest first, with verdict, confidence, who made it, when, and the posted message's
// link when known. Against the running product, on SQLite and on PostgreSQL.

type Block = Record<string, any>;
type Product = Awaited<ReturnType<typeof startTestProduct>>;
const HOUR = 3_600_000;


/** What the user sees after `/coexist-vs-api <text>` that answers through the response URL. */
async function slackHistory(h: BothPlatforms, text: string): Promise<{ blocks: Block[]; all: string; ephemeral: boolean }> {
  h.fake.reset();
  const ack = await h.slack.command(text);
  expect(ack.status).toBe(200);
  const [reply] = await h.fake.waitFor('response_url');
  const blocks = reply!.args.blocks as Block[];
  expect(slackLimitViolations(reply!.args)).toEqual([]);
  return { blocks, all: JSON.stringify(blocks), ephemeral: reply!.args.response_type === 'ephemeral' };
}

async function teamsSay(h: BothPlatforms, text: string, scope: Scope = 'personal') {
  const res = await fetch(`${h.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(h.connector.url, { text }, scope)) });
  expect(res.status).toBeLessThan(300);
  const calls = h.connector.calls.splice(0);
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

function history(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`history on ${kind}`, () => {
    let h: BothPlatforms;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      h = await startBothPlatforms(made.env);
      // The test user (U_AGENT) is in the deals channel, where the others posted theirs (who sees what: history-scope.e2e.test.ts).
      h.fake.memberships.set('U_AGENT', ['C0DEALS', 'C_DEALS']);
      const now = Date.now();
      // Made earlier, by others in the same workspace, and in Teams (as the store holds them).
      await h.product.store.store!.recordRecommendations([
        recommendationRecord({ customer: 'Acme Old', country: 'IN', needs: [] }, { id: 'OLD00001', userId: 'U0SALES1', workspace: 'T1', at: now - 48 * HOUR, messageLink: 'https://test.slack.invalid/archives/C0DEALS/p1' }),
        recommendationRecord({ customer: '<!channel> Ping & Co', country: 'IN', needs: ['calls'] }, { id: 'PING0001', userId: 'U0SALES2', workspace: 'T1', at: now - 24 * HOUR, messageLink: null }),
        recommendationRecord({ customer: 'Acme Teams', country: 'BR', needs: [] }, { id: 'TMS00001', platform: 'teams', userId: 'aad-asha', workspace: 'tenant-1', channelId: 'a:personal-chat-1', messageRef: 'x', at: now - 2 * HOUR }),
        recommendationRecord({ customer: 'Acme Teams Linked', country: 'IN', needs: [] }, { id: 'TMS00002', platform: 'teams', userId: 'aad-asha', workspace: 'tenant-1', channelId: 'a:personal-chat-1', messageRef: 'y', messageLink: 'https://teams.example.invalid/l/message/1', at: now - 30 * HOUR }),
        recommendationRecord({ customer: '<!channel> Ping & Co', country: 'IN', needs: ['calls'] }, { id: 'TMSPING1', platform: 'teams', userId: 'aad-asha', workspace: 'tenant-1', channelId: 'a:personal-chat-1', messageRef: 'z', at: now - 20 * HOUR }),
      ]);
      // And one made now, through the Slack modal: its link is the posted message's.
      await h.slack.command('recommend');
      const [open] = await h.fake.waitFor('views.open');
      const view: Block = open!.args.view;
      await h.slack.submit({ ...view, id: `V_HIST_${kind}` }, filledModal(view, { customer: 'Acme Newest', country: 'IN', needs: ['calls'] }));
      await h.product.slack!.drain();
      await h.product.store.recorder.flush();
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await cleanup?.();
    });
    beforeEach(() => h.connector.reset());

    it('Slack: privately, newest first, with verdict, confidence, who, when, ref and the message link', async () => {
      const { blocks, all, ephemeral } = await slackHistory(h, 'history');
      expect(ephemeral).toBe(true);
      const order = ['Acme Newest', 'Ping', 'Acme Old'].map((c) => all.indexOf(c));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(all).not.toContain('Acme Teams'); // never another platform's
      const entries = blocks.filter((b) => b.type === 'section').map((b) => b.text.text as string);
      expect(entries).toHaveLength(3);
      const newest = entries[0]!;
      expect(newest).toMatch(/Co-Existence|API/); // the verdict
      expect(newest).toMatch(/confidence/i);
      expect(newest).toMatch(/<@U_AGENT>/); // who made it
      expect(newest).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      // The link and ref of the one made through the modal, as recorded when it was posted.
      const made = (await h.product.store.store!.history({ scope: 'all', customer: 'Acme Newest' }))[0]!;
      expect(newest).toContain(`<${made.messageLink}|View message>`);
      expect(newest).toContain(made.id);
      expect(entries[1]).toMatch(/<@U0SALES2>/);
      expect(entries[2]).toContain('<https://test.slack.invalid/archives/C0DEALS/p1|View message>');
      expect(all).toContain('Yours and those made in channels you are in.');
    });

    it('Slack: a customer name never pings or links', async () => {
      const { all } = await slackHistory(h, 'history ping');
      expect(all).toContain('&lt;!channel&gt; Ping &amp; Co');
      expect(all).not.toContain('<!channel>');
    });

    it('Slack: filtered by customer, and said plainly when nothing matches', async () => {
      const acme = await slackHistory(h, 'history ACME');
      expect(acme.blocks.filter((b) => b.type === 'section')).toHaveLength(2);
      expect(acme.all).not.toContain('Ping');
      const none = await slackHistory(h, 'history Nobody Ltd');
      expect(none.all).toMatch(/No recommendations for a customer by that name that you can see yet/);
    });

    it('Slack: in the app DM too', async () => {
      h.fake.reset();
      await h.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: 'history acme old', ts: '11.1', event_ts: '11.1' });
      const [dm] = await h.fake.waitFor('chat.postMessage');
      expect(dm!.args.channel).toBe('D1');
      expect(JSON.stringify(dm!.args.blocks)).toContain('Acme Old');
      expect(JSON.stringify(dm!.args.blocks)).not.toContain('Acme Newest');
    });

    it('Teams: in a personal chat, a valid card, newest first, "you" for your own', async () => {
      const call = await teamsSay(h, 'history acme');
      const [card] = FakeConnector.cards(call);
      expect(cardProblems(card!)).toEqual([]);
      const all = JSON.stringify(card);
      // Newest first: TMS00001 (2 hours ago), then TMS00002 (30 hours ago).
      expect(all.indexOf('TMS00001')).toBeGreaterThan(0);
      expect(all.indexOf('TMS00001')).toBeLessThan(all.indexOf('TMS00002'));
      expect(all).not.toContain('Acme Newest'); // never another platform's
      expect(all).toContain('by you · ref TMS00001'); // the test user is aad-asha
      expect(all).toContain('[View message](https://teams.example.invalid/l/message/1)');
      expect(all).toMatch(/confidence/i);
      expect(all).toContain('Yours only.');
    });

    it('Teams: a customer name is text, not markdown', async () => {
      const call = await teamsSay(h, 'history ping');
      const all = JSON.stringify(FakeConnector.cards(call));
      expect(all).toContain('\\\\<\\\\!channel\\\\> Ping \\\\& Co');
    });

    it('Teams: not listed in a channel, where everyone would see it', async () => {
      const call = await teamsSay(h, 'history', 'channel');
      expect(JSON.stringify(call.activity)).toMatch(/only in a personal chat/);
      expect(JSON.stringify(call.activity)).not.toContain('Acme');
    });
  });
}

onBothStores(history);

describe('history on every surface', () => {
  let h: BothPlatforms;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coexist-history-broken-'));
    writeFileSync(path.join(dir, 'file'), 'not a directory');
    h = await startBothPlatforms({ DATA_DIR: path.join(dir, 'file') });
  });
  afterAll(async () => {
    await stopBothPlatforms(h);
    rmSync(dir, { recursive: true, force: true });
  });

  it('help lists the history word in Slack and Teams', async () => {
    expect(JSON.stringify((await h.slack.command('help')).json().blocks)).toContain('history [customer]');
    expect(JSON.stringify(FakeConnector.cards(await teamsSay(h, 'help')))).toContain('history [customer]');
  });

  it('a store that cannot be read says so, in Slack and Teams', async () => {
    const { all } = await slackHistory(h, 'history');
    expect(all).toMatch(/cannot be read right now/);
    expect(JSON.stringify(FakeConnector.cards(await teamsSay(h, 'history')))).toMatch(/cannot be read right now/);
  });
});
