import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInKnowledge, recommend, type RequirementsInput } from '../../src/index.ts';
import { knowledgeVersion } from '../../adapters/store/knowledge-version.ts';
import type { RecommendationRecord } from '../../adapters/store/records.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { mps25 } from '../helpers/knowledge-copy.ts';
import { runCli } from '../helpers/run-cli.ts';
import { postgresTestStore, recordedUnder, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// The "done when": `recheck --json` lists a recommendation whose verdict flips after Co-Existence's MPS
// changes from 20 to 25 (a 22 MPS customer), and only that one. The recommendations are recorded as the apps record
// them, under the built-in knowledge; the CLI rechecks them under a copy of it with 25 in policy.yml.

const DAY = 86_400_000;
const now = Date.now();
const builtIn = builtInKnowledge();
const raised = mps25();

/** A recommendation as a listener records it under the built-in knowledge, `daysAgo` days ago, in its own thread. */
const made = (input: RequirementsInput, daysAgo: number, extra: Partial<RecommendationRecord> = {}): RecommendationRecord =>
  recordedUnder(builtIn, input, { messageRef: `17325000${daysAgo}.000100`, at: now - daysAgo * DAY, ...extra });

const flips = made({ customer: 'Acme 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, 3);
const under = made({ customer: 'Small 10', country: 'IN', agents: 2, peakMps: 10, needs: ['phone-app'] }, 4);
const over = made({ customer: 'Big 30', country: 'IN', agents: 2, peakMps: 30, needs: ['phone-app', 'crm-integration'] }, 5);
const germany = made({ customer: 'Kraut 22', country: 'DE', agents: 2, peakMps: 22, needs: ['phone-app'] }, 6);
const noPeak = made({ customer: 'Campaigns', country: 'IN', needs: ['bulk-campaigns', 'automation'] }, 7, { platform: 'teams', userId: 'aad-1', channelId: '19:deals@thread.tacv2' });
const old = made({ customer: 'Old 22', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] }, 100);

function suite(kind: string, open: () => Promise<TestStore>) {
  describe(`recheck on ${kind}`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await open();
      await t.store.recordRecommendations([flips, under, over, germany, noPeak, old]);
    });
    afterAll(async () => t?.cleanup());
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(['recheck', ...args], { env: { ...t.env, KNOWLEDGE_FILE: raised.file, ...env } });

    it('premise: under the built-in knowledge the 22 MPS customer gets API only, and Co-Existence at 25', () => {
      expect(flips.recommendation.setup).toBe('api-only');
      expect(recommend(flips.recommendation.requirements, raised.knowledge).setup).toBe('coexistence');
    });

    it('--json lists the 22 MPS recommendation, and only that one, with before, after, what changed and the fact in words', async () => {
      const r = await cli(['--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: flips.id,
        customer: 'Acme 22',
        before: { setup: 'api-only', confidence: flips.recommendation.confidence },
        after: { setup: 'coexistence', confidence: recommend(flips.recommendation.requirements, raised.knowledge).confidence },
        facts: ['Co-Existence throughput is now 25 messages per second (was 20).'],
        channelId: 'C0DEALS',
        knowledgeVersion: { before: knowledgeVersion(builtIn), after: knowledgeVersion(raised.knowledge) },
      });
      expect(rows[0].changed).toContain('setup');
    });

    it('under the knowledge they were made with, nothing changes', async () => {
      const r = await cli(['--json'], { KNOWLEDGE_FILE: '' });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      const text = await cli([], { KNOWLEDGE_FILE: '' });
      expect(text.stdout).toMatch(/^Checked 5 recommendations since .*: every verdict stands under knowledge /);
    });

    it('--since reaches further back (and RECHECK_DAYS moves the default), finding the 100-day-old one too', async () => {
      const ids = async (args: string[], env: Record<string, string> = {}) => JSON.parse((await cli([...args, '--json'], env)).stdout).map((x: { id: string }) => x.id);
      expect(await ids(['--since', '120d'])).toEqual([old.id, flips.id]);
      expect(await ids([], { RECHECK_DAYS: '120' })).toEqual([old.id, flips.id]);
      expect(await ids(['--since', '2d'])).toEqual([]);
    });

    it('without --json: a readable list naming the customer, the verdicts and the fact', async () => {
      const r = await cli([]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Checked 5 recommendations since`);
      expect(r.stdout).toContain('1 would change under knowledge');
      expect(r.stdout).toContain(`${flips.id}  `);
      expect(r.stdout).toContain('Acme 22: API only, ');
      expect(r.stdout).toContain('→ Co-Existence, ');
      expect(r.stdout).toContain('fact: Co-Existence throughput is now 25 messages per second (was 20).');
      expect(r.stdout).not.toContain('Small 10');
    });

    it('bad flags and settings: exit 2 with what is wrong', async () => {
      const since = await cli(['--since', 'yesterday']);
      expect(since.code).toBe(2);
      expect(since.stderr).toMatch(/--since "yesterday" is not a period/);
      const days = await cli([], { RECHECK_DAYS: 'ninety' });
      expect(days.code).toBe(2);
      expect(days.stderr).toContain('RECHECK_DAYS must be a number of days (default 90)');
      const flag = await cli(['--post']);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(/unknown option '--post'/);
    });
  });
}

suite('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => suite('PostgreSQL', postgresTestStore));
