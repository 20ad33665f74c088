import { afterEach, describe, expect, it } from 'vitest';
import { builtInKnowledge, type Reply, type RequirementsInput } from '../../src/index.ts';
import { createLogger } from '../../adapters/host/logger.ts';
import type { Destination, Notifier, NotifyPlatform, Sent } from '../../adapters/notify.ts';
import { knowledgeVersion } from '../../adapters/store/knowledge-version.ts';
import { noteDestination, recheckAfterDeploy } from '../../adapters/store/recheck.ts';
import type { RecommendationRecord } from '../../adapters/store/records.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { LogCapture } from '../helpers/product.ts';
import { mps25, mpsReworded } from '../helpers/knowledge-copy.ts';
import { postgresTestStore, recordedUnder, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// The recheck after a deploy, against the store and a recording Notifier: one run per knowledge version across
// replicas, one note per changed and posted recommendation, in its thread; failures counted and logged, never
// repeated. (Over real transports: test/slack/recheck-note.test.ts and test/teams/recheck-note.test.ts.)

const DAY = 86_400_000;
/** Both platforms configured (the product passes what its configuration turns on). */
const BOTH: ReadonlySet<NotifyPlatform> = new Set(['slack', 'teams']);
const builtIn = builtInKnowledge();
const raised = mps25().knowledge;

/** A recommendation made in workspace T0TEAM two days ago, recorded under the built-in knowledge. */
const made = (input: RequirementsInput, extra: Partial<RecommendationRecord> = {}): RecommendationRecord =>
  recordedUnder(builtIn, input, { workspace: 'T0TEAM', at: Date.now() - 2 * DAY, ...extra });

/** A Notifier that records what it is asked to send, answering `answer` (default: delivered). */
function recordingNotifier(platforms: NotifyPlatform[] = ['slack', 'teams'], answer: (to: Destination) => Sent = () => ({ ok: true, ref: '1733000000.000200', channelId: 'C0DEALS' })) {
  const sent: { to: Destination; reply: Reply }[] = [];
  const notifier: Notifier = {
    platforms: () => new Set(platforms),
    send: async (to, reply) => {
      sent.push({ to, reply });
      return answer(to);
    },
  };
  return { notifier, sent };
}

const quiet = () => {
  const logs = new LogCapture();
  return { logs, logger: createLogger('debug', { destination: logs }) };
};

function suite(kind: string, open: () => Promise<TestStore>) {
  describe(`the recheck after a deploy, on ${kind}`, () => {
    let t: TestStore | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('two replicas starting together: one runs, one note is posted in the flipped recommendation\'s thread', async () => {
      t = await open();
      const flips = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { messageRef: '1732500000.000222' });
      const stays = made({ customer: 'Small 10', country: 'IN', agents: 2, peakMps: 10, needs: ['phone-app'] }, { messageRef: '1732500000.000010' });
      const unposted = made({ customer: 'Unposted 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { channelId: null, messageRef: null });
      await t.store.recordRecommendations([flips, stays, unposted]);
      const second = await t.reopen();
      const a = recordingNotifier();
      const b = recordingNotifier();
      const logA = quiet();
      const logB = quiet();
      const [ra, rb] = await Promise.all([
        recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: a.notifier, configured: BOTH, logger: logA.logger, recheckDays: 90 }),
        recheckAfterDeploy({ store: second, knowledge: raised, notifier: b.notifier, configured: BOTH, logger: logB.logger, recheckDays: 90 }),
      ]);
      const sent = [...a.sent, ...b.sent];
      expect(sent).toHaveLength(1);
      expect(sent[0]!.to).toEqual({ kind: 'channel', platform: 'slack', channelId: 'C0DEALS', thread: '1732500000.000222', workspace: 'T0TEAM' });
      const note = sent[0]!.reply;
      if (note.kind !== 'recheck-note') throw new Error(`sent a ${note.kind}`);
      expect(note.id).toBe(flips.id);
      expect(note.customer).toBe('Acme 22');
      expect(note.facts).toEqual(['Co-Existence throughput is now 25 messages per second (was 20).']);
      expect(note.before.setup).toBe('api-only');
      expect(note.after.setup).toBe('coexistence');
      expect(note.actions.map((x) => x.id)).toEqual(['open-updated']);
      const ran = [ra, rb].filter((r) => r.ran);
      expect(ran).toHaveLength(1);
      expect(ran[0]).toMatchObject({ checked: 3, changed: 2, noted: 1, failed: 0 });
      const summary = [...logA.logs.lines, ...logB.logs.lines].find((l) => /^recheck of the last 90 days/.test(l.msg));
      expect(summary?.msg).toMatch(/checked 3, changed 2, noted 1, failed 0$/);

      // Started again with the same knowledge (a restart, a third replica): nothing runs, nothing is posted.
      const c = recordingNotifier();
      expect(await recheckAfterDeploy({ store: second, knowledge: raised, notifier: c.notifier, configured: BOTH, logger: quiet().logger, recheckDays: 90 })).toMatchObject({ ran: false });
      expect(c.sent).toEqual([]);
    });

    it('a note that fails is logged with the reason, counted, and never sent twice; a platform that cannot send is named', async () => {
      t = await open();
      const slack = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] });
      const teams = made({ customer: 'Teams 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { platform: 'teams', userId: 'aad-1', channelId: '19:deals@thread.tacv2', messageRef: 'act-1' });
      await t.store.recordRecommendations([slack, teams]);
      const failing = recordingNotifier(['slack'], () => ({ ok: false, error: 'channel_not_found: the bot is not in C0DEALS', retryable: false }));
      const { logs, logger } = quiet();
      expect(await recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: failing.notifier, configured: new Set(['slack']), logger, recheckDays: 90 })).toMatchObject({ ran: true, changed: 2, noted: 0, failed: 2 });
      expect(failing.sent).toHaveLength(1);
      const warnings = logs.lines.filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings).toContain(`recheck note for ${slack.id} not delivered: channel_not_found: the bot is not in C0DEALS`);
      expect(warnings).toContain(`recheck note for ${teams.id} not sent: teams is not configured on this deployment`);
    });

    it('a run whose replica died is taken over after the stale time, and the notes already sent are not sent again', async () => {
      t = await open();
      const first = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] });
      const later = made({ customer: 'Later 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { messageRef: '1732500000.000333' });
      await t.store.recordRecommendations([first, later]);
      const version = knowledgeVersion(raised);
      const start = Date.now();
      // The dead replica: claimed the run and sent the first note, then stopped.
      expect(await t.store.claimRecheckRun(version, 3_600_000, start - 2 * 3_600_000)).toBe(true);
      expect(await t.store.claimRecheckNote(first.id, version, start - 2 * 3_600_000)).toBe(true);
      // Within the hour another start leaves it alone.
      expect(await t.store.claimRecheckRun(version, 3 * 3_600_000, start)).toBe(false);
      const n = recordingNotifier();
      const r = await recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: n.notifier, configured: BOTH, logger: quiet().logger, recheckDays: 90, now: start });
      expect(r).toMatchObject({ ran: true, changed: 2, noted: 1 });
      expect(n.sent.map((s) => (s.reply.kind === 'recheck-note' ? s.reply.id : s.reply.kind))).toEqual([later.id]);
    });

    it('later deploys: one that changes no fact posts nothing more; one that flips the verdict back posts once, from what the last note said', async () => {
      t = await open();
      const flips = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] });
      await t.store.recordRecommendations([flips]);
      const n = recordingNotifier();
      const run = (knowledge: typeof raised) => recheckAfterDeploy({ store: t!.store, knowledge, notifier: n.notifier, configured: BOTH, logger: quiet().logger, recheckDays: 90 });
      // v2: 25 MPS, the verdict flips to Co-Existence: one note.
      expect(await run(raised)).toMatchObject({ ran: true, noted: 1 });
      // v3: 25 MPS still, Meta's summary reworded: a new knowledge version, nothing the thread was told has changed.
      const v3 = await run(mpsReworded(25, 'complete').knowledge);
      expect(v3).toMatchObject({ ran: true, noted: 0, failed: 0 });
      expect(n.sent).toHaveLength(1);
      // v4: back to 20 MPS (reworded, so not v1's version): the thread last said Co-Existence; now it is API-only again.
      expect(await run(mpsReworded(20, 'complete').knowledge)).toMatchObject({ ran: true, noted: 1 });
      expect(n.sent).toHaveLength(2);
      const back = n.sent[1]!.reply;
      if (back.kind !== 'recheck-note') throw new Error(`sent a ${back.kind}`);
      expect(back.id).toBe(flips.id);
      expect(back.before.setup).toBe('coexistence');
      expect(back.after.setup).toBe('api-only');
      expect(back.facts).toEqual(['Co-Existence throughput is now 20 messages per second (was 25).']);
      // v5: 20 MPS, reworded again: the thread already says API-only.
      expect(await run(mpsReworded(20, 'exhaustive').knowledge)).toMatchObject({ ran: true, noted: 0 });
      expect(n.sent).toHaveLength(2);
    });

    it('a platform that is configured but not connected yet: its notes wait, the run stays open, and the next run posts them, once', async () => {
      t = await open();
      const slack = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] });
      const teams = made({ customer: 'Teams 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, { platform: 'teams', userId: 'aad-1', channelId: '19:deals@thread.tacv2', messageRef: 'act-1' });
      await t.store.recordRecommendations([slack, teams]);
      const configured = BOTH;
      // Slack has not answered yet at start: the Teams note goes, the Slack one waits.
      const early = recordingNotifier(['teams']);
      const { logs, logger } = quiet();
      expect(await recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: early.notifier, configured, logger, recheckDays: 90 })).toMatchObject({ ran: true, finished: false, changed: 2, noted: 1, failed: 0, waiting: 1 });
      expect(early.sent.map((s) => s.to.platform)).toEqual(['teams']);
      expect(logs.lines.map((l) => l.msg)).toContain(`recheck note for ${slack.id} waits: slack is not connected yet; it is sent when slack connects (or at the next start)`);
      // Slack connected (this replica retrying, or the next start): only the Slack note is posted.
      const later = recordingNotifier(['slack', 'teams']);
      expect(await recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: later.notifier, configured, logger: quiet().logger, recheckDays: 90 })).toMatchObject({ ran: true, finished: true, noted: 1, waiting: 0 });
      expect(later.sent.map((s) => [s.to.platform, s.reply.kind === 'recheck-note' ? s.reply.id : s.reply.kind])).toEqual([['slack', slack.id]]);
      // Done for this version.
      const third = recordingNotifier(['slack', 'teams']);
      expect(await recheckAfterDeploy({ store: t.store, knowledge: raised, notifier: third.notifier, configured, logger: quiet().logger, recheckDays: 90 })).toMatchObject({ ran: false });
      expect(third.sent).toEqual([]);
    });

    it('a store that fails mid-run is logged with its reason, never thrown', async () => {
      t = await open();
      const { logs, logger } = quiet();
      const broken = Object.assign(Object.create(t.store), { claimRecheckRun: async () => { throw new Error('connection refused'); } });
      expect(await recheckAfterDeploy({ store: broken, knowledge: raised, notifier: recordingNotifier().notifier, configured: BOTH, logger, recheckDays: 90 })).toEqual({ ran: false, why: 'connection refused' });
      expect(logs.lines.find((l) => l.level === 50)?.msg).toMatch(/^recheck under knowledge .* failed: connection refused/);
    });
  });
}

describe('where a note goes', () => {
  const at = (platform: 'slack' | 'teams' | 'cli', channelId: string | null, messageRef: string | null) =>
    noteDestination({ platform, channelId, messageRef, workspace: 'W1' } as Parameters<typeof noteDestination>[0]);
  it('Slack: the recommendation message\'s thread', () => {
    expect(at('slack', 'C1', '1.2')).toEqual({ kind: 'channel', platform: 'slack', channelId: 'C1', thread: '1.2', workspace: 'W1' });
  });
  it('Teams: the channel thread it was posted in, a top-level channel post\'s own thread, or the chat itself', () => {
    expect(at('teams', '19:abc@thread.tacv2;messageid=1700', 'act-9')).toMatchObject({ channelId: '19:abc@thread.tacv2', thread: '1700' });
    expect(at('teams', '19:abc@thread.tacv2', 'act-9')).toMatchObject({ channelId: '19:abc@thread.tacv2', thread: 'act-9' });
    expect(at('teams', 'a:personal-chat', 'act-9')).toMatchObject({ channelId: 'a:personal-chat', thread: null });
    expect(at('teams', '19:chat@thread.v2', 'act-9')).toMatchObject({ channelId: '19:chat@thread.v2', thread: null });
  });
  it('never posted (no channel or message), or made on the command line: nowhere', () => {
    expect(at('slack', null, null)).toBeUndefined();
    expect(at('slack', 'C1', null)).toBeUndefined();
    expect(at('cli', 'C1', '1.2')).toBeUndefined();
  });
});

suite('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => suite('PostgreSQL', postgresTestStore));
