import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { STALE_CARD } from '../../adapters/teams/turn.ts';
import { mps25 } from '../helpers/knowledge-copy.ts';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';
import { until } from '../helpers/until.ts';

// A recommendation made in a Teams channel thread (the real form, submitted to /api/messages under the built-in
// knowledge), then a deploy that raises Co-Existence's MPS from 20 to 25: the replicas that start with it post one
// note in that channel thread through the fake Bot Connector; its action opens the updated recommendation.

const raised = mps25();
type Product = Awaited<ReturnType<typeof startTestProduct>>;

function suite(kind: string, storeEnv: () => Promise<Record<string, string>>, replicas: number) {
  describe(`a recheck note in Teams on ${kind} (${replicas} replica${replicas > 1 ? 's' : ''})`, () => {
    let connector: FakeConnector;
    let env: Record<string, string>;
    let products: Product[] = [];
    let recommendationId = '';
    const post = (product: Product, fields: Record<string, unknown>) =>
      fetch(`${product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, fields, 'channel')) });

    beforeAll(async () => {
      connector = await new FakeConnector().start();
      env = { ...(await storeEnv()), SLACK_ENABLED: 'false' };
      // Before the deploy: the built-in knowledge (MPS 20). A 22 MPS customer who wants the phone app: API only.
      const before = await startTestProduct({ ...env, KNOWLEDGE_FILE: '' }, { teamsConnector: FAST_CONNECTOR });
      try {
        const res = await post(before, { text: '', replyToId: 'form-card-1', value: { action: 'recommend.submit', customer: 'Acme <at>All</at> 22', country: 'IN', agents: '2', peakMps: '22', needs_0: 'phone-app' } });
        expect(res.status).toBeLessThan(300);
        const [card] = FakeConnector.cards(connector.calls.at(-1)!);
        expect(JSON.stringify(card)).toContain('WhatsApp Business API only');
        const stored = await until(async () => (await before.store.history({ scope: 'all' }))?.[0], 'the recommendation to be recorded');
        recommendationId = stored.id;
        expect(stored.channelId).toBe('19:deals@thread.tacv2;messageid=123');
        await until(() => before.store.conversationRef('conversation:19:deals@thread.tacv2'), 'the channel reference');
      } finally {
        await before.stop();
      }
      connector.reset();
      // The deploy: MPS 25.
      products = await Promise.all(Array.from({ length: replicas }, () => startTestProduct({ ...env, KNOWLEDGE_FILE: raised.file }, { teamsConnector: FAST_CONNECTOR })));
      await Promise.all(products.map((p) => p.recheck));
    });
    afterAll(async () => {
      for (const p of products) await p.stop();
      await connector?.stop();
      if (env?.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
    });

    it('one note, posted in the channel thread the recommendation was made in, saying what changed', async () => {
      expect(connector.calls).toHaveLength(1);
      const [call] = connector.calls;
      expect(call).toMatchObject({ method: 'POST', conversationId: '19:deals@thread.tacv2;messageid=123' });
      const [card] = FakeConnector.cards(call!);
      expect(cardProblems(card!)).toEqual([]);
      const text = textBlocks(card!).join('\n');
      expect(text).toContain('The recommended setup has changed: now WhatsApp Co-Existence');
      expect(text).toContain('Co-Existence throughput is now 25 messages per second (was 20).');
      expect(text).toContain(recommendationId);
      // The customer's name is user text: escaped, never a mention.
      expect(text).not.toMatch(/(^|[^\\])<at>/);
      expect(JSON.stringify(card!.body)).toContain('WhatsApp Business API only');
      expect(card!.actions).toEqual([expect.objectContaining({ type: 'Action.Submit', title: 'Open the updated recommendation' })]);
      const outcomes = await Promise.all(products.map((p) => p.recheck));
      expect(outcomes.filter((o) => o.ran)).toEqual([expect.objectContaining({ checked: 1, changed: 1, noted: 1, failed: 0 })]);
    });

    it('Open the updated recommendation: the card made again under today\'s facts, with Edit requirements', async () => {
      const [card] = FakeConnector.cards(connector.calls[0]!);
      connector.reset();
      const res = await post(products.at(-1)!, { text: '', value: card!.actions[0].data });
      expect(res.status).toBeLessThan(300);
      expect(connector.calls).toHaveLength(1);
      const [updated] = FakeConnector.cards(connector.calls[0]!);
      expect(updated!.body[0].text).toMatch(/WhatsApp Co-Existence for Acme/);
      expect(updated!.actions.map((a: { title: string }) => a.title)).toContain('Edit requirements');
    });

    it('a forged Open (no recommendation id, bad requirements) is told the card is stale', async () => {
      connector.reset();
      const res = await post(products[0]!, { text: '', value: { action: 'openUpdatedRecommendation', id: 'x', requirements: { country: 'ZZ' } } });
      expect(res.status).toBeLessThan(300);
      expect(connector.calls.map((c) => c.activity.text)).toEqual([STALE_CARD]);
    });
  });
}

// One DATA_DIR for the product before and after the deploy (the test product otherwise makes one of its own).
suite('SQLite', async () => ({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'coexist-recheck-teams-')) }), 1);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => suite('PostgreSQL', async () => ({ DATABASE_URL: (await createTestSchema()).url }), 2));
