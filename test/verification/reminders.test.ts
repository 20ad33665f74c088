import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_POSTGRES, createTestSchema } from '../helpers/postgres.ts';
import { startTestProduct } from '../helpers/product.ts';
import { RecordingNotifier, VERIFIER_SLACK, VERIFIER_TEAMS, daysAgo, knowledgeWith } from '../helpers/verification.ts';

// Reminders sent exactly once per topic and due day across replicas: two products on one PostgreSQL schema run the
// daily job at the same moment; one replica on SQLite. A reminder that reached none of its verifiers (whatever the
// failure) is given back for the next run. A verification made on one replica moves the due day on
// the other at its next run (and its answers after a refresh).

const DAY = 86_400_000;
type Product = Awaited<ReturnType<typeof startTestProduct>>;

describe.skipIf(SKIP_POSTGRES)('two replicas on PostgreSQL', () => {
  const kb = knowledgeWith({
    calls: { lastVerified: daysAgo(200), verifiers: [VERIFIER_SLACK, VERIFIER_TEAMS] },
    'group-chats': { lastVerified: daysAgo(130), reviewEveryDays: 120, verifiers: ['U0GROUPS1'] },
  });
  const notifiers = [new RecordingNotifier(), new RecordingNotifier()];
  let replicas: Product[] = [];

  beforeAll(async () => {
    const schema = await createTestSchema();
    replicas = await Promise.all(notifiers.map((notifier) => startTestProduct({ DATABASE_URL: schema.url, KNOWLEDGE_FILE: kb.file }, { notifier, scheduleTimers: false })));
    await Promise.all(replicas.map((r) => r.storeStarted));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    kb.cleanup();
  });

  const reminders = () => notifiers.flatMap((n) => n.sent).filter((s) => s.reply.kind === 'verify-reminder').map((s) => `${s.reply.kind === 'verify-reminder' ? s.reply.topic : ''} → ${s.to.kind === 'person' ? s.to.userId : ''}`);

  it('both run the job at once: each verifier of each due topic gets one reminder in all', async () => {
    notifiers[0]!.fail('U0GROUPS1', true);
    notifiers[1]!.fail('U0GROUPS1', true);
    const now = Date.now();
    const runs = await Promise.all(replicas.map((r) => r.remindVerifiers(now)));
    expect(reminders().sort()).toEqual([`calls → ${VERIFIER_SLACK}`, `calls → ${VERIFIER_TEAMS}`].sort());
    // One replica sent calls; the other found it claimed.
    expect(runs.map((r) => r.sent.map((s) => s.topic))).toContainEqual(['calls']);
    expect(runs.flatMap((r) => r.already)).toContain('calls');
    // group-chats' verifier could not be reached (retryable): given back, not sent.
    expect(runs.flatMap((r) => r.failed.map((f) => `${f.topic} → ${f.to}`))).toContain('group-chats → U0GROUPS1');
  });

  it('the next day: calls is not sent again; group-chats, given back, is sent once the verifier can be reached', async () => {
    for (const n of notifiers) n.heal();
    const now = Date.now() + DAY;
    await Promise.all(replicas.map((r) => r.remindVerifiers(now)));
    expect(reminders().sort()).toEqual([`calls → ${VERIFIER_SLACK}`, `calls → ${VERIFIER_TEAMS}`, 'group-chats → U0GROUPS1'].sort());
    await Promise.all(replicas.map((r) => r.remindVerifiers(now + DAY)));
    expect(reminders()).toHaveLength(3);
  });

  it('a Still correct stored on one replica reaches the other at its next refresh, and the topic is no longer due there', async () => {
    const [a, b] = replicas as [Product, Product];
    await a.store.recordVerification({ topic: 'calls', verdict: 'verified', platform: 'slack', userId: VERIFIER_SLACK, at: Date.now(), knowledgeVersion: 'v' });
    expect(b.verifications.state().verified.get('calls')).toBeUndefined();
    await b.verifications.refresh();
    expect(b.verifications.state().verified.get('calls')).toBe(new Date().toISOString().slice(0, 10));
    // 120-day topics verified today are not due for months: a run far beyond the old due day sends nothing for calls.
    const run = await b.remindVerifiers(Date.now() + 30 * DAY);
    expect(run.sent.map((s) => s.topic)).not.toContain('calls');
    expect(run.already).not.toContain('calls');
  });
});

describe('one replica on SQLite', () => {
  const kb = knowledgeWith({ calls: { lastVerified: daysAgo(200), verifiers: [VERIFIER_SLACK] }, 'group-chats': { lastVerified: daysAgo(200), verifiers: ['U0GONE01'] } });
  const notifier = new RecordingNotifier(['slack']);
  let product: Product;
  beforeAll(async () => {
    product = await startTestProduct({ KNOWLEDGE_FILE: kb.file }, { notifier, scheduleTimers: false });
    await product.storeStarted;
  });
  afterAll(async () => {
    await product?.stop();
    kb.cleanup();
  });

  it('reminds once; a reminder that reached nobody is given back even when the failure is not retryable (a Teams user who never messaged the bot), and the next run tries again', async () => {
    notifier.fail('U0GONE01', false);
    const first = await product.remindVerifiers();
    expect(first.sent.map((s) => [s.topic, s.to])).toEqual([['calls', [VERIFIER_SLACK]]]);
    expect(first.failed).toEqual([{ topic: 'group-chats', to: 'U0GONE01', error: 'U0GONE01 cannot be reached' }]);
    expect(product.logs.lines.some((l) => l.level === 40 && /verification reminder for group-chats not delivered to U0GONE01: U0GONE01 cannot be reached/.test(l.msg))).toBe(true);
    // Still unreachable the next day: tried again (not sent), calls not sent twice.
    const again = await product.remindVerifiers(Date.now() + DAY);
    expect(again.sent).toEqual([]);
    expect(again.already).toEqual(['calls']);
    expect(again.failed.map((f) => f.to)).toEqual(['U0GONE01']);
    // The verifier can be reached now (they messaged the bot): the next run reminds them, once.
    notifier.heal();
    const second = await product.remindVerifiers(Date.now() + 2 * DAY);
    expect(second.sent.map((s) => [s.topic, s.to])).toEqual([['group-chats', ['U0GONE01']]]);
    expect(second.already).toEqual(['calls']);
    const third = await product.remindVerifiers(Date.now() + 3 * DAY);
    expect(third.sent).toEqual([]);
    expect(third.already.sort()).toEqual(['calls', 'group-chats']);
    expect(notifier.sent.map((s) => (s.to.kind === 'person' ? s.to.userId : ''))).toEqual([VERIFIER_SLACK, 'U0GONE01']);
  });
});

describe.skipIf(SKIP_POSTGRES)('the daily job, on the scheduler with a fake clock, two replicas on PostgreSQL', () => {
  const kb = knowledgeWith({ calls: { lastVerified: '2026-11-02', reviewEveryDays: 120, verifiers: [VERIFIER_SLACK] } });
  const clock = { t: Date.parse('2027-03-01T07:59:00Z'), now() { return this.t; } };
  const notifiers = [new RecordingNotifier(), new RecordingNotifier()];
  let replicas: Product[] = [];

  beforeAll(async () => {
    const schema = await createTestSchema();
    replicas = await Promise.all(notifiers.map((notifier) => startTestProduct({ DATABASE_URL: schema.url, KNOWLEDGE_FILE: kb.file }, { notifier, clock, scheduleTimers: false })));
    await Promise.all(replicas.map((r) => r.storeStarted));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    kb.cleanup();
  });

  it('is registered daily at 08:00; on the day the topic falls due both replicas tick at the slot and the verifier gets one reminder', async () => {
    const tickAt = async (iso: string) => {
      clock.t = Date.parse(iso);
      await Promise.all(replicas.map((r) => r.scheduler.tick()));
    };
    const sent = () => notifiers.flatMap((n) => n.sent);
    expect(replicas[0]!.scheduler.next('verification-reminders')?.toISOString()).toBe('2027-03-01T08:00:00.000Z');
    // 2026-11-02 + 120 days = 2027-03-02. The day before (yesterday's slot caught up, then today's): nothing.
    await tickAt('2027-03-01T07:59:00Z');
    await tickAt('2027-03-01T08:00:05Z');
    expect(sent()).toEqual([]);
    await tickAt('2027-03-02T08:00:05Z');
    expect(sent().map((s) => [s.to.kind === 'person' ? s.to.userId : '', s.reply.kind === 'verify-reminder' ? s.reply.dates : ''])).toEqual([[VERIFIER_SLACK, 'Last verified 2026-11-02 · due since 2027-03-02']]);
    // The next day's slot: the topic is still due (and now marked), but its reminder for that due day was sent.
    await tickAt('2027-03-03T08:00:05Z');
    expect(sent()).toHaveLength(1);
  });
});

describe('a cited page that changes every day (the source watch), one replica on SQLite', () => {
  // calls cites M5 (Meta: Cloud API Calling); verified 30 days ago, every 120 days: only the page's changes make it due.
  const kb = knowledgeWith({ calls: { lastVerified: daysAgo(30), reviewEveryDays: 120, verifiers: [VERIFIER_SLACK] } }, { lastVerified: daysAgo(1), verifiers: [] });
  const notifier = new RecordingNotifier(['slack']);
  const M5 = 'https://developers.facebook.com/docs/whatsapp/cloud-api/calling';
  let product: Product;
  let hash = 0;
  beforeAll(async () => {
    product = await startTestProduct({ KNOWLEDGE_FILE: kb.file }, { notifier, scheduleTimers: false });
    await product.storeStarted;
    // The watch's first fetch: a baseline, not a change.
    expect(await product.store.store!.saveSourcePage(page(), 'absent', undefined, Date.now() - 20 * DAY)).toBe(true);
  });
  afterAll(async () => {
    await product?.stop();
    kb.cleanup();
  });
  const page = () => ({ url: M5, sourceId: 'M5', etag: null, lastModified: null, contentHash: `h${hash}`, updatedDate: null });
  /** The watch seeing the page's text changed at `at`. */
  const changed = async (at: number) => {
    const before = { contentHash: `h${hash}`, updatedDate: null };
    hash++;
    expect(await product.store.store!.saveSourcePage(page(), before, { kind: 'content', updatedBefore: null }, at)).toBe(true);
  };
  const callsReminders = () => notifier.sent.filter((s) => s.reply.kind === 'verify-reminder' && s.reply.topic === 'calls');

  it('makes the topic due on its first change after the last verification: one reminder, not one a day', async () => {
    const now = Date.now();
    for (let d = 10; d >= 1; d--) await changed(now - d * DAY);
    const first = await product.remindVerifiers(now);
    expect(first.sent).toEqual([{ topic: 'calls', dueOn: daysAgo(10, now), to: [VERIFIER_SLACK] }]);
    // It keeps changing, daily: the due day stays the first change's, its reminder sent.
    for (let d = 0; d < 3; d++) {
      await changed(now + d * DAY + 1000);
      const run = await product.remindVerifiers(now + (d + 1) * DAY);
      expect(run.sent).toEqual([]);
      expect(run.already).toContain('calls');
    }
    expect(callsReminders()).toHaveLength(1);
    expect(callsReminders()[0]!.reply).toMatchObject({ dates: `Last verified ${daysAgo(30)} · due since ${daysAgo(10, now)}` });
  });
});
