import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { basisOf, recommend, validateRequirements, type Knowledge, type Requirements, type RequirementsInput } from '../../src/index.ts';
import { knowledgeVersion } from '../../adapters/store/knowledge-version.ts';
import { newQuestionId, newRecommendationId, type QuestionRecord, type RecommendationRecord } from '../../adapters/store/records.ts';
import { openStore, sqliteTarget, type Store, type StoreTarget } from '../../adapters/store/store.ts';
import { fixtureKnowledge } from './fixtures.ts';
import { createTestSchema } from './postgres.ts';

// A fresh store of either kind for a test, and records that look like what the listeners will hand over.

export interface TestStore {
  store: Store;
  /** Runs SQL on the database directly, outside the store (what another release or an operator would do). */
  exec(statement: string): Promise<void>;
  target: StoreTarget;
  /** The environment the product and the CLI need to reach the same store. */
  env: Record<string, string>;
  /** Another connection to the same database (a second replica). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function sqliteTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-store-'));
  const target = sqliteTarget(dir);
  const opened: Store[] = [];
  const open = async () => {
    const s = await openStore(target);
    opened.push(s);
    return s;
  };
  const store = await open();
  await store.migrate();
  return {
    store,
    target,
    env: { DATA_DIR: dir },
    exec: async (statement) => {
      const { default: Sqlite } = await import('libsql');
      const raw = new Sqlite(target.kind === 'sqlite' ? target.file : '');
      try {
        raw.exec(statement);
      } finally {
        raw.close();
      }
    },
    reopen: open,
    cleanup: async () => {
      for (const s of opened) await s.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresTestStore(): Promise<TestStore> {
  const schema = await createTestSchema();
  const target: StoreTarget = { kind: 'postgres', url: schema.url };
  const opened: Store[] = [];
  const open = async () => {
    const s = await openStore(target);
    opened.push(s);
    return s;
  };
  let store: Store;
  try {
    store = await open();
    await store.migrate();
  } catch (err) {
    for (const s of opened) await s.close().catch(() => {});
    throw err;
  }
  return {
    store,
    target,
    env: { DATABASE_URL: schema.url },
    exec: async (statement) => {
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    reopen: open,
    cleanup: async () => {
      for (const s of opened) await s.close().catch(() => {});
    },
  };
}

/** The requirements `input` gives, or an error naming what is wrong with it. */
function requirementsOf(input: RequirementsInput): Requirements {
  const valid = validateRequirements(input);
  if (!valid.ok) throw new Error(JSON.stringify(valid.errors));
  return valid.requirements;
}

/** Who made a recommendation and where it was posted, as a listener records it: a Slack thread in #deals. */
const posted = () => ({ id: newRecommendationId(), platform: 'slack', userId: 'U0SALES1', channelId: 'C0DEALS', messageRef: '1732500000.000100' }) as const;

/** A recommendation as a listener would record it, for requirements given as input. */
export function recommendationRecord(input: RequirementsInput, extra: Partial<RecommendationRecord> = {}): RecommendationRecord {
  return { ...posted(), recommendation: recommend(requirementsOf(input), fixtureKnowledge()), knowledgeVersion: '2026-11-25.test0001', ...extra };
}

/**
 * A recommendation as a listener records it under `knowledge`, with that knowledge's basis and version (what the
 * recheck after a deploy compares with the knowledge deployed); `extra` says when, where and by whom otherwise.
 */
export function recordedUnder(knowledge: Knowledge, input: RequirementsInput, extra: Partial<RecommendationRecord> = {}): RecommendationRecord {
  const requirements = requirementsOf(input);
  return {
    ...posted(),
    recommendation: recommend(requirements, knowledge),
    knowledgeVersion: knowledgeVersion(knowledge),
    basis: basisOf(requirements, knowledge),
    ...extra,
  };
}

/** A question as a listener would record it: asked by a Slack agent, now unless `extra` says otherwise. */
export function askedQuestion(text: string, topic: QuestionRecord['topic'], confidence: number, extra: Partial<QuestionRecord> = {}): QuestionRecord {
  return { id: newQuestionId(), platform: 'slack', userId: 'U0AGENT1', text, topic, confidence, at: Date.now(), ...extra };
}
