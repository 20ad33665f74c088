import { Cron } from 'croner';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../adapters/host/schedule.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { createTestSchema, SKIP_POSTGRES } from '../helpers/postgres.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from '../helpers/product.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { askedQuestion } from '../helpers/store.ts';
import { FAST_CONNECTOR, teamsActivity } from '../helpers/teams-activity.ts';
import { until } from '../helpers/until.ts';

// The owners' weekly report pushed at its REPORT_SCHEDULE slot, over real transports: Slack DMs caught by the fake
// Web API, Teams proactive messages by the fake Bot Connector. Two replicas on one PostgreSQL schema ticking at the
// same slot send one message per owner between them; one replica on SQLite sends once per slot; a failed DM is
// retried a few times when the fault may pass, logged with its reason, counted, and never delivered twice.

type Product = Awaited<ReturnType<typeof startTestProduct>>;
const OWNER_AAD_SEEN = '0a1b2c3d-0000-4000-8000-000000000001';
const OWNER_AAD_NEW = '0a1b2c3d-0000-4000-8000-000000000002';
/** The next Monday 09:00 UTC from now: the report's slot (the records made now fall in its 7 days). */
const SLOT = new Cron('0 9 * * 1', { paused: true, timezone: 'UTC' }).nextRun(new Date())!;
const clock: Clock = { now: () => SLOT.getTime() + 1000 };
/** An off-topic question someone asked this week: the report lists it as not answered. */
const UNANSWERED = 'Which pizza topping do customers prefer';

async function startReplica(fake: FakeSlack, env: Record<string, string>): Promise<Product> {
  const p = await startTestProduct(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...env },
    { teamsConnector: FAST_CONNECTOR, clock, scheduleTimers: false, reportRetryDelaysMs: [5, 5] },
  );
  await p.storeStarted;
  await until(() => p.notifier.platforms().has('slack'), 'Slack to connect', 10_000);
  return p;
}

const reportDms = (fake: FakeSlack) => fake.callsTo('chat.postMessage');

describe.skipIf(SKIP_POSTGRES)('the weekly report, two replicas on one PostgreSQL schema', () => {
  let fake: FakeSlack;
  let connector: FakeConnector;
  let a: Product;
  let b: Product;

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    connector = await new FakeConnector().start();
    const { url } = await createTestSchema();
    const env = { DATABASE_URL: url, KNOWLEDGE_OWNERS: `U0OWNER1, w0owner2, ${OWNER_AAD_SEEN}, ${OWNER_AAD_NEW}` };
    a = await startReplica(fake, env);
    b = await startReplica(fake, env);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await fake?.stop();
    await connector?.stop();
  });

  it('sends one Slack DM per Slack owner and one Teams message per Teams owner, between both replicas', async () => {
    await a.store.store!.recordQuestions([askedQuestion(UNANSWERED, null, 0)]);
    // One Teams owner has opened a chat with the bot; the other has not (a chat is created for them).
    const res = await fetch(`${a.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsActivity(connector.url, { text: 'hello', from: { id: '29:owner-seen', name: 'Owner', aadObjectId: OWNER_AAD_SEEN } })),
    });
    expect(res.status).toBe(200);
    await until(() => b.store.conversationRef(`person:${OWNER_AAD_SEEN}`), 'the owner chat reference', 10_000);
    fake.reset();
    connector.reset();

    // Both replicas reach the slot at once.
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    // And again (a replica restarting within the day would catch up): nothing more.
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);

    const dms = reportDms(fake);
    expect(dms.map((c) => c.args.channel).sort()).toEqual(['U0OWNER1', 'W0OWNER2']);
    for (const dm of dms) {
      const text = JSON.stringify(dm.args.blocks);
      expect(text).toContain('Not answered');
      expect(text).toContain(UNANSWERED);
      expect(slackLimitViolations({ blocks: dm.args.blocks, text: dm.args.text })).toEqual([]);
    }
    // Teams: the owner who had a chat gets it there; the other in a chat created for them. One message each.
    expect(connector.created.map((c) => c.parameters.members)).toEqual([[{ id: OWNER_AAD_NEW }]]);
    expect(connector.calls.map((c) => c.conversationId).sort()).toEqual(['a:personal-chat-1', connector.created[0]!.id].sort());
    for (const call of connector.calls) {
      const [card] = FakeConnector.cards(call);
      expect(cardProblems(card!)).toEqual([]);
      expect(textBlocks(card!).join('\n')).toContain(UNANSWERED);
    }
    // One replica ran the slot; the other found it taken.
    const ran = [a, b].filter((p) => p.logs.lines.some((l) => l.component === 'report-push' && /weekly report sent to 4 of 4/.test(l.msg)));
    expect(ran).toHaveLength(1);
    const metrics = await (await fetch(`${ran[0]!.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/coexist_reports_pushed_total\{platform="slack",outcome="sent"\} 2/);
    expect(metrics).toMatch(/coexist_reports_pushed_total\{platform="teams",outcome="sent"\} 2/);
  });
});

describe('the weekly report on SQLite, one replica', () => {
  let fake: FakeSlack;
  let product: Product;

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    product = await startReplica(fake, { KNOWLEDGE_OWNERS: 'U0OWNER1, U0OWNER2' });
  });
  afterAll(async () => {
    await product?.stop();
    await fake?.stop();
  });
  afterEach(() => fake.reset());

  it('is sent once per owner at the slot, with the report the owners know from `report`', async () => {
    await product.store.store!.recordQuestions([askedQuestion(UNANSWERED, null, 0)]);
    await product.scheduler.tick();
    await product.scheduler.tick();
    const dms = reportDms(fake);
    expect(dms.map((c) => c.args.channel).sort()).toEqual(['U0OWNER1', 'U0OWNER2']);
    expect(JSON.stringify(dms[0]!.args.blocks)).toContain(UNANSWERED);
  });

  it('a DM that fails with a passing fault is retried and delivered once; a hopeless one is logged with its reason and counted', async () => {
    const next = new Date(SLOT.getTime() + 7 * 24 * 3_600_000);
    const { pushReport } = await import('../../adapters/host/report-push.ts');
    // U0OWNER1: Slack fails once with internal_error, then takes it. U0OWNER2: user_not_found, hopeless.
    fake.fail({ method: 'chat.postMessage', match: (args) => args.channel === 'U0OWNER1', error: 'internal_error' });
    fake.fail({ method: 'chat.postMessage', match: (args) => args.channel === 'U0OWNER2', error: 'user_not_found', times: 5 });
    const options = {
      owners: ['U0OWNER1', 'U0OWNER2'],
      knowledge: product.knowledge,
      store: product.store,
      notifier: product.notifier,
      configured: new Set(['slack'] as const),
      logger: product.logger,
      metrics: product.metrics,
      retryDelaysMs: [5, 5],
    };
    const summary = await pushReport(options, next);
    expect(summary.sent).toEqual(['U0OWNER1']);
    expect(summary.failed).toEqual([{ id: 'U0OWNER2', platform: 'slack', error: expect.stringMatching(/user_not_found; Slack knows no such user/) }]);
    const to = (user: string) => reportDms(fake).filter((c) => c.args.channel === user);
    expect(to('U0OWNER1')).toHaveLength(2); // one refused, one delivered
    expect(to('U0OWNER2')).toHaveLength(1); // not retried: it cannot work
    const failure = product.logs.lines.find((l) => l.component === 'report-push' && l.level === 50 && l.owner === 'U0OWNER2');
    expect(failure).toMatchObject({ error: expect.stringMatching(/user_not_found/), slot: next.toISOString() });
    // The same slot pushed again (another replica, a manual run): nobody gets it twice.
    fake.reset();
    const again = await pushReport(options, next);
    expect(again).toEqual({ sent: [], failed: [], skipped: [] });
    expect(reportDms(fake)).toEqual([]);
    const metrics = await (await fetch(`${product.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/coexist_reports_pushed_total\{platform="slack",outcome="failed"\} 1/);
  });

  it('a fault that does not pass is tried three times in all, then given up and logged', async () => {
    const later = new Date(SLOT.getTime() + 14 * 24 * 3_600_000);
    const { pushReport } = await import('../../adapters/host/report-push.ts');
    fake.fail({ method: 'chat.postMessage', error: 'internal_error', times: 10 });
    const summary = await pushReport(
      { owners: ['U0OWNER1'], knowledge: product.knowledge, store: product.store, notifier: product.notifier, configured: new Set(['slack'] as const), logger: product.logger, retryDelaysMs: [5, 5] },
      later,
    );
    expect(summary.failed).toEqual([{ id: 'U0OWNER1', platform: 'slack', error: expect.stringMatching(/internal_error/) }]);
    expect(reportDms(fake)).toHaveLength(3);
    expect(product.logs.lines.some((l) => l.component === 'report-push' && l.level === 50 && l.attempts === 3 && l.slot === later.toISOString())).toBe(true);
  });

  it('an owner whose platform is off is skipped and said so', async () => {
    const { pushReport } = await import('../../adapters/host/report-push.ts');
    const summary = await pushReport(
      { owners: ['U0OWNER1', OWNER_AAD_NEW], knowledge: product.knowledge, store: product.store, notifier: product.notifier, configured: new Set(['slack'] as const), logger: product.logger, retryDelaysMs: [5, 5] },
      new Date(SLOT.getTime() + 21 * 24 * 3_600_000),
    );
    expect(summary).toEqual({ sent: ['U0OWNER1'], failed: [], skipped: [OWNER_AAD_NEW] });
  });
});

describe('the weekly report on its timer', () => {
  it('a product whose clock reaches the slot sends it by itself (REPORT_SCHEDULE and REPORT_TZ read)', async () => {
    const fake = await new FakeSlack().start();
    // 09:00 in Paris on the next Monday, reached 300 ms after the start.
    const slot = new Cron('0 9 * * 1', { paused: true, timezone: 'Europe/Paris' }).nextRun(new Date())!;
    const offset = slot.getTime() - 300 - Date.now();
    const product = await startTestProduct(
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, KNOWLEDGE_OWNERS: 'U0OWNER1', REPORT_SCHEDULE: '0 9 * * 1', REPORT_TZ: 'Europe/Paris' },
      { clock: { now: () => Date.now() + offset }, scheduleTimers: true },
    );
    try {
      const [dm] = await fake.waitFor('chat.postMessage', (args) => args.channel === 'U0OWNER1');
      expect(JSON.stringify(dm!.args.blocks)).toContain('Not answered');
      const scheduled = product.logs.lines.find((l) => l.component === 'schedule' && l.msg === 'scheduled job report');
      expect(scheduled).toMatchObject({ timezone: 'Europe/Paris', schedule: '0 9 * * 1' });
    } finally {
      await product.stop();
      await fake.stop();
    }
  });
});
