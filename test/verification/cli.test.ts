import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { postgresTestStore, sqliteTestStore, type TestStore } from '../helpers/store.ts';
import { VERIFIER_SLACK, daysAgo, knowledgeWith } from '../helpers/verification.ts';

// `coexist-advisor report --export-verifications`: per topic, the date to write back into its file (the later of
// the file's and the newest Still correct in the store), as a list and as JSON, on SQLite and PostgreSQL; and the
// command line's own answers and topic list marked by the files' dates.

const kb = fixtureKnowledge();
const fileDate = (topic: string) => kb.topics.find((t) => t.id === topic)!.lastVerified;

/** When the Needs a change mark of backups was made: a day before the run. */
const MARKED_AT = Date.now() - 86_400_000;

function suite(kind: string, make: () => Promise<TestStore>) {
  describe(`report --export-verifications on ${kind}`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await make();
      // calls: verified after the file's date (to write back); group-chats: before it (the file stays); a Needs a change does not count.
      await t.store.recordVerification({ topic: 'calls', verdict: 'verified', platform: 'slack', userId: VERIFIER_SLACK, at: Date.parse('2026-12-05T15:00:00Z'), knowledgeVersion: 'v1' });
      await t.store.recordVerification({ topic: 'calls', verdict: 'verified', platform: 'teams', userId: 'aad-1', at: Date.parse('2026-12-06T08:00:00Z'), knowledgeVersion: 'v1' });
      await t.store.recordVerification({ topic: 'group-chats', verdict: 'verified', platform: 'slack', userId: VERIFIER_SLACK, at: Date.parse('2025-01-01T08:00:00Z'), knowledgeVersion: 'v0' });
      // Yesterday: the report lists the marks of the last year, whatever day the suite runs.
      await t.store.recordVerification({ topic: 'backups', verdict: 'needs-change', platform: 'slack', userId: VERIFIER_SLACK, at: MARKED_AT, knowledgeVersion: 'v1' });
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('--json: every topic with the date to write, the file\'s and the stored one, and whether it changes', async () => {
      const out = await runCli(['report', '--export-verifications', '--json'], { env: t.env });
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
      expect(rows.map((r) => r.topic)).toEqual(kb.topics.map((t) => t.id));
      expect(rows.find((r) => r.topic === 'calls')).toEqual({ topic: 'calls', file: 'topics/calls.yml', lastVerified: '2026-12-06', fileLastVerified: fileDate('calls'), storedLastVerified: '2026-12-06', changed: true });
      expect(rows.find((r) => r.topic === 'group-chats')).toEqual({ topic: 'group-chats', file: 'topics/group-chats.yml', lastVerified: fileDate('group-chats'), fileLastVerified: fileDate('group-chats'), storedLastVerified: '2025-01-01', changed: false });
      expect(rows.find((r) => r.topic === 'backups')).toMatchObject({ lastVerified: fileDate('backups'), storedLastVerified: null, changed: false });
      expect(rows.filter((r) => r.changed).map((r) => r.topic)).toEqual(['calls']);
    });

    it('as a list: one line per topic, the changed one marked with the date it replaces', async () => {
      const out = await runCli(['report', '--export-verifications'], { env: t.env });
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('Write the 1 changed date into the files');
      expect(out.stdout).toMatch(new RegExp(`topics/calls\\.yml\\s+lastVerified: 2026-12-06   \\(was ${fileDate('calls')}; Still correct stored 2026-12-06\\)`));
      expect(out.stdout).toMatch(new RegExp(`topics/group-chats\\.yml\\s+lastVerified: ${fileDate('group-chats')}\\n`));
      expect(out.stdout.split('\n').filter((l) => l.startsWith('  topics/'))).toHaveLength(kb.topics.length);
    });

    it('report (as text) lists the topics past their interval and the Needs a change marks', async () => {
      const out = await runCli(['report'], { env: t.env });
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('Marked Needs a change:');
      const backups = kb.topics.find((t) => t.id === 'backups')!.title;
      expect(out.stdout).toMatch(new RegExp(`Marked Needs a change:\\n  ${backups}: marked Needs a change on ${new Date(MARKED_AT).toISOString().slice(0, 10)} by ${VERIFIER_SLACK} \\(slack\\)`));
      expect(out.stdout).toContain('Out of date: past their review interval:');
    });

    it('goes alone: with --export-training it is refused (exit 2) with why', async () => {
      const out = await runCli(['report', '--export-verifications', '--export-training'], { env: t.env });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('--export-verifications goes alone');
    });
  });
}

suite('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => suite('PostgreSQL', postgresTestStore));

describe('the command line marks by the files\' dates', () => {
  const stale = knowledgeWith({ calls: { lastVerified: daysAgo(400) } }, { lastVerified: daysAgo(1) });
  afterAll(() => stale.cleanup());

  it('ask: an answer past its interval says it may be out of date; one within it does not', async () => {
    const old = await runCli(['ask', 'can customers call us?'], { env: { KNOWLEDGE_FILE: stale.file } });
    expect(old.stdout).toContain(`Last verified ${daysAgo(400)}`);
    expect(old.stdout).toContain('may be out of date');
    const fresh = await runCli(['ask', 'can we create whatsapp groups?'], { env: { KNOWLEDGE_FILE: stale.file } });
    expect(fresh.stdout).toContain('Last verified');
    expect(fresh.stdout).not.toContain('may be out of date');
  });

  it('topics: the stale topic is marked in the list', async () => {
    const out = await runCli(['topics'], { env: { KNOWLEDGE_FILE: stale.file } });
    const line = out.stdout.split('\n').find((l) => l.startsWith('calls '))!;
    expect(line).toContain('may be out of date');
    expect(out.stdout.split('\n').filter((l) => l.includes('may be out of date'))).toHaveLength(1);
  });
});
