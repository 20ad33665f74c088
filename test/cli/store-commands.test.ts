import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { newExpertQuestionId } from '../../adapters/store/expert-questions.ts';
import { MIGRATION_NAMES } from '../../adapters/store/migrations.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseSince } from '../../adapters/cli/store-commands.ts';
import type { QuestionRecord } from '../../adapters/store/records.ts';
import { SKIP_POSTGRES } from '../helpers/postgres.ts';
import { parseTrainingLines } from '../../src/matching/training.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { askedQuestion, postgresTestStore, recommendationRecord, sqliteTestStore, type TestStore } from '../helpers/store.ts';

// history, report, export and db migrate, run in-process against a seeded store, on SQLite and on PostgreSQL.

const DAY = 86_400_000;
const now = Date.now();
const q = (text: string, topic: string | null, confidence: number, daysAgo = 1): QuestionRecord =>
  askedQuestion(text, topic as QuestionRecord['topic'], confidence, { at: now - daysAgo * DAY });

const acme = recommendationRecord({ customer: 'Acme, "the best" Foods', country: 'IN', agents: 2, needs: ['phone-app'] }, { at: now - 2 * DAY });
const globex = recommendationRecord({ customer: 'Globex', country: 'DE', peakMps: 60, needs: ['bulk-campaigns'] }, { at: now - DAY, platform: 'teams', userId: 'aad-0001' });
const ancient = recommendationRecord({ customer: 'Acme Archive', country: 'IN', needs: [] }, { at: now - 90 * DAY });
const formula = recommendationRecord({ customer: '=HYPERLINK("http://evil.example","click")', country: 'IN', needs: [] }, { at: now - 3 * DAY });

async function seed(t: TestStore) {
  await t.store.recordRecommendations([acme, globex, ancient, formula]);
  await t.store.recordQuestions([
    q('Can it run on Windows desktop?', null, 0.1),
    q('can it run on windows desktop', null, 0.1),
    q('payments in chat?', null, 0.2),
    q('calls', 'calls', 0.95),
    q('old one', null, 0, 20),
  ]);
}

function suite(kind: string, make: () => Promise<TestStore>) {
  describe(`store commands on ${kind}`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await make();
      await seed(t);
    });
    afterAll(async () => {
      await t?.cleanup();
    });
    const cli = (args: string[]) => runCli(args, { env: t.env });

    it('history --json: newest first, within 30 days, with the contract fields', async () => {
      const r = await cli(['history', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout);
      expect(rows.map((x: any) => x.id)).toEqual([globex.id, acme.id, formula.id]);
      expect(rows[0]).toMatchObject({ id: globex.id, customer: 'Globex', setup: globex.recommendation.setup, confidence: globex.recommendation.confidence, platform: 'teams', userId: 'aad-0001', workspace: null });
      expect(new Date(rows[0].createdAt).getTime()).toBe(globex.at);
    });

    it('history --customer finds part of a name in any case; --since reaches further back', async () => {
      const r = await cli(['history', '--customer', 'ACME', '--since', '120d', '--json']);
      expect(JSON.parse(r.stdout).map((x: any) => x.customer)).toEqual(['Acme, "the best" Foods', 'Acme Archive']);
      const text = await cli(['history', '--customer', 'globex']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(globex.id);
      expect(text.stdout).toMatch(/Globex: (API only|Co-Existence)/);
      const none = await cli(['history', '--customer', 'nobody']);
      expect(none.stdout).toMatch(/^No recommendations since .* for customers matching "nobody"/);
    });

    it('report --json: questions, answered, and the unanswered grouped with counts', async () => {
      const r = await cli(['report', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ questions: 4, answered: 1 });
      expect(report.unanswered).toEqual([
        { question: expect.stringMatching(/^can it run on windows desktop/i), count: 2 },
        { question: 'payments in chat?', count: 1 },
      ]);
      const text = await cli(['report', '--since', '30d']);
      expect(text.stdout).toMatch(/5 questions, 1 answered \(20%\)/);
      expect(text.stdout).toMatch(/2×\s+can it run on windows desktop/i);
    });

    it('report: questions sent to the experts and not answered, or not posted, and those needing a new topic', async () => {
      const own = await make(); // its own store: the other tests count the seeded questions
      onTestFinished(() => own.cleanup());
      const base = { platform: 'slack' as const, userId: 'U0ASKER', workspace: 'T1', askerName: null, answeredTopic: null, topics: ['calls'] };
      const waiting = { ...base, id: newExpertQuestionId(now - DAY), question: 'Can we refund a hosting invoice?', at: now - DAY };
      const failed = { ...base, id: newExpertQuestionId(now - DAY + 1), question: 'Who signs the DPA?', at: now - DAY + 1 };
      for (const e of [waiting, failed]) await own.store.experts.add(e);
      await own.store.experts.posted(waiting.id, { channelId: 'C0EXPERTS', ref: '1.2' });
      await own.store.experts.posted(failed.id, { error: 'channel C0EXPERTS: channel_not_found' });
      await own.store.experts.markNewTopic(waiting.id, 'U0EXPERT', now);
      const text = (await runCli(['report'], { env: own.env })).stdout;
      expect(text).toMatch(/Asked an expert, not answered \(or not delivered\):\n {2}.* UTC {2}Can we refund a hosting invoice\?\n {2}.* UTC {2}Who signs the DPA\? {2}\(channel C0EXPERTS: channel_not_found\)/);
      expect(text).toMatch(/Needs a new topic \(marked by an expert\):\n {2}Can we refund a hosting invoice\?/);
      const json = JSON.parse((await runCli(['report', '--json'], { env: own.env })).stdout);
      expect(json.expertQuestions.map((e: { question: string }) => e.question)).toEqual([waiting.question, failed.question]);
    });

    it('report --export-training: accepted corrections as training lines; --out appends only the new ones, in a form the trainer reads', async () => {
      const own = await make(); // its own store: the other tests count the seeded questions
      onTestFinished(() => own.cleanup());
      const cli = (args: string[]) => runCli(args, { env: own.env });
      const asked = q('Can the sales team pick up on the phone?', 'calls', 0.3);
      const odd = q('is it free??', 'pricing', 0.4);
      await own.store.recordQuestions([asked, odd]);
      const correction = (question: QuestionRecord, topic: string) => ({ platform: 'slack' as const, userId: 'U0AGENT1', target: 'answer' as const, targetId: question.id, rating: 'correction' as const, topic: topic as never, at: now - DAY });
      await own.store.recordFeedback([correction(asked, 'number-usage'), correction(odd, 'best-suited')]);
      expect((await cli(['report', '--export-training'])).stdout).toBe('');

      await own.store.reviewCorrections({ question: asked.text, picked: 'number-usage' }, 'accepted', 'U0OWNER');
      await own.store.reviewCorrections({ question: odd.text, picked: 'best-suited' }, 'dismissed', 'U0OWNER');
      const printed = await cli(['report', '--export-training']);
      expect(printed.code).toBe(0);
      expect(printed.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ q: 'Can the sales team pick up on the phone?', topics: ['number-usage'] }]);
      const report = await cli(['report']);
      expect(report.stdout).toMatch(/Can the sales team pick up on the phone\?" {2}calls → number-usage {2}\[accepted\]/);

      const dir = mkdtempSync(path.join(tmpdir(), 'coexist-training-'));
      try {
        const file = path.join(dir, 'corrections.jsonl');
        writeFileSync(file, '{"q":"can the sales team pick up on the phone","topics":["number-usage"]}'); // there already, no newline at the end
        const first = await cli(['report', '--export-training', '--out', file]);
        expect(first.stdout).toMatch(/^0 new training lines added to .*corrections\.jsonl \(1 already there\)\.$/m);
        writeFileSync(file, '');
        const second = await cli(['report', '--export-training', '--out', file]);
        expect(second.stdout).toMatch(/^1 new training line added/m);
        expect(second.stdout).toMatch(/npm run train/);
        const parsed = parseTrainingLines(readFileSync(file, 'utf8'), 'corrections.jsonl', new Set(fixtureKnowledge().topics.map((x) => x.id)));
        expect(parsed.problems).toEqual([]);
        expect(parsed.lines).toEqual([{ q: 'Can the sales team pick up on the phone?', topics: ['number-usage'] }]);
        expect((await cli(['report', '--export-training', '--out', file])).stdout).toMatch(/^0 new training lines .*\(1 already there\)/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect((await cli(['report', '--out', 'x.jsonl'])).code).toBe(2);
    });

    it('export recommendations as CSV: a header, one quoted row each, formulas defused', async () => {
      const r = await cli(['export', 'recommendations', '--since', '30d', '--format', 'csv']);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('id,createdAt,platform,userId,channelId,messageRef,customer,setup,confidence,knowledgeVersion,requirements');
      expect(lines).toHaveLength(4);
      expect(lines[1]).toContain(formula.id); // oldest first
      expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
      expect(r.stdout).toContain('"Acme, ""the best"" Foods"');
    });

    it('export questions as JSON lines', async () => {
      const r = await cli(['export', 'questions', '--format', 'jsonl', '--since', '7d']);
      const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(rows.map((x) => x.question)).toEqual(expect.arrayContaining(['calls', 'payments in chat?']));
      expect(rows).toHaveLength(4);
      expect(rows.find((x) => x.question === 'payments in chat?')).toEqual({ id: expect.any(String), createdAt: expect.any(String), platform: 'slack', userId: 'U0AGENT1', question: 'payments in chat?', topic: null, confidence: 0.2 });
      expect(rows.find((x) => x.question === 'calls')).toMatchObject({ topic: 'calls', confidence: 0.95 });
    });

    it('an export of an empty period is just the header', async () => {
      const r = await cli(['export', 'questions', '--since', '2099-01-01']);
      expect(r.stdout).toBe('id,createdAt,platform,userId,question,topic,confidence\n');
    });

    it('db migrate on a migrated store says it is up to date', async () => {
      const r = await cli(['db', 'migrate']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/is up to date\.\n$/);
    });
  });
}

suite('SQLite', sqliteTestStore);
describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => suite('PostgreSQL', postgresTestStore));

describe('store commands: bad input and a missing store', () => {
  it('a period that is not one: exit 2, saying what is allowed', async () => {
    for (const args of [['history', '--since', 'last week'], ['report', '--since', '7x'], ['export', 'questions', '--since', '2026-13-45']]) {
      const r = await runCli(args, { env: { DATA_DIR: '/nonexistent' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--since ".*" is not a period: use a duration such as 30d, 12h or 2w, or a date such as 2026-11-01/);
    }
  });

  it('export of something else, or a format not offered: exit 2', async () => {
    expect((await runCli(['export', 'users'], { env: { DATA_DIR: '/nonexistent' } })).stderr).toMatch(/Choose recommendations or questions/);
    const r = await runCli(['export', 'questions', '--format', 'xlsx'], { env: { DATA_DIR: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format must be csv or jsonl/);
  });

  it('a bad DATABASE_URL or RETENTION_DAYS is named, the URL itself is not echoed', async () => {
    const r = await runCli(['history'], { env: { DATABASE_URL: 'mysql://u:topsecret@db/x', RETENTION_DAYS: '0' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(r.stderr).toMatch(/RETENTION_DAYS must be at least 1/);
    expect(r.stderr).not.toContain('topsecret');
  });

  it('reading where there is no store says where it looked and how to make one, and creates nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-cli-empty-'));
    try {
      const r = await runCli(['history'], { env: { DATA_DIR: path.join(dir, 'data') } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/There is no store at .*coexist-advisor\.db yet/);
      expect(r.stderr).toMatch(/Set DATA_DIR \(or DATABASE_URL\)/);
      expect(existsSync(path.join(dir, 'data'))).toBe(false);

      const m = await runCli(['db', 'migrate'], { env: { DATA_DIR: path.join(dir, 'data') } });
      expect(m.code).toBe(0);
      // Every migration this code knows, in order (each part of the product appends its own).
      expect(m.stdout).toMatch(new RegExp(`^Migrated .*coexist-advisor\\.db: applied ${MIGRATION_NAMES.join(', ')}\\.\\n$`));
      const h = await runCli(['history', '--json'], { env: { DATA_DIR: path.join(dir, 'data') } });
      expect(h.stdout.trim()).toBe('[]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL that does not answer: exit 1 with what failed, never the password', async () => {
    const r = await runCli(['report'], { env: { DATABASE_URL: 'postgres://u:topsecret@127.0.0.1:1/x' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the postgres store at postgres:\/\/127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    expect(r.stderr).not.toContain('topsecret');
  });
});

describe('--since', () => {
  it('reads durations and dates', () => {
    const at = Date.UTC(2026, 10, 25, 12);
    expect(parseSince('30d', at)?.getTime()).toBe(at - 30 * DAY);
    expect(parseSince('12h', at)?.getTime()).toBe(at - 12 * 3_600_000);
    expect(parseSince('2W', at)?.getTime()).toBe(at - 14 * DAY);
    expect(parseSince('2026-11-01', at)?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2026-11-01T10:30:00Z', at)?.toISOString()).toBe('2026-11-01T10:30:00.000Z');
    for (const bad of ['', 'd', '30', '30 days', '-3d', '2026-02-31x', 'yesterday']) expect(parseSince(bad, at)).toBeUndefined();
  });
});

describe('CSV export: no cell a spreadsheet would run, whichever separator it splits on (audit finding 10)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await sqliteTestStore();
    await t.store.recordQuestions([
      q('calls;=2+3;', null, 0.1), // Excel in a locale that splits on ";" read =2+3 as a cell of its own
      q('mps\t+1\r-1\n@SUM(A1)', null, 0.1),
      q('a,=HYPERLINK("http://evil.example")', null, 0.1),
      q('=1+1', null, 0.1),
      q('fine - a normal question, with "quotes"; and e-mail@example.com', 'calls', 0.9),
    ]);
    await t.store.recordRecommendations([recommendationRecord({ customer: 'Acme;@cmd', country: 'IN', needs: [], notes: 'call back,-2+3\n=A1' })]);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  /** Every piece a naive spreadsheet would make of the text, splitting on any of these, quotes ignored. */
  const pieces = (csv: string) => csv.split(/[,;\t\r\n]/).map((p) => p.replace(/^"+/, ''));

  it('questions: every cell that would start with = + - @ after any separator is defused, and the text still reads', async () => {
    const r = await runCli(['export', 'questions', '--since', '7d'], { env: t.env });
    expect(r.code).toBe(0);
    expect(pieces(r.stdout).filter((p) => /^[=+\-@]/.test(p))).toEqual([]);
    expect(r.stdout).toContain("calls;'=2+3;");
    expect(r.stdout).toContain(`"a,'=HYPERLINK(""http://evil.example"")"`);
    expect(r.stdout).toContain("'=1+1");
    // Text with no formula in it is exported as it was typed.
    expect(r.stdout).toContain('"fine - a normal question, with ""quotes""; and e-mail@example.com"');
  });

  it('recommendations: the customer and the notes inside the requirements column too', async () => {
    const r = await runCli(['export', 'recommendations', '--since', '7d'], { env: t.env });
    expect(r.code).toBe(0);
    expect(pieces(r.stdout).filter((p) => /^[=+\-@]/.test(p))).toEqual([]);
    expect(r.stdout).toContain("Acme;'@cmd");
    // JSON lines are data for programs, not spreadsheets: they stay exactly as stored.
    const jsonl = await runCli(['export', 'recommendations', '--since', '7d', '--format', 'jsonl'], { env: t.env });
    expect(JSON.parse(jsonl.stdout).customer).toBe('Acme;@cmd');
  });
});
