import pg from 'pg';
import { describe } from 'vitest';
import { makeSchema, type PgSchema } from './pg-schema.ts';

// The PostgreSQL the store's tests run against: TEST_DATABASE_URL, or the machine's own server on 127.0.0.1:5432
// (trust authentication, database `test`). Each test file works in a schema of its own, made for the run and
// dropped after it, so parallel runs never meet. Outside CI, no reachable server means the PostgreSQL tests are
// skipped, and say so; with CI=true they run, and fail if there is no server.

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const IN_CI = (process.env.CI ?? '').toLowerCase() === 'true' || process.env.CI === '1';

/** The URL without its password, for messages. */
const shown = (url: string) => {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(TEST_DATABASE_URL is not a URL)';
  }
};

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 }); // a refused port fails at once; 2 s timed out under load and skipped the suites
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `${shown(TEST_DATABASE_URL)}: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await probe();
if (problem && !IN_CI) {
  console.warn(`PostgreSQL store tests SKIPPED: no PostgreSQL server reachable at ${problem}. Set TEST_DATABASE_URL (or run with CI=true to make this a failure).`);
}

/** Skip the PostgreSQL suites: only outside CI, and only when no server answers. */
export const SKIP_POSTGRES = problem !== undefined && !IN_CI;

/** Why PostgreSQL is unusable, for the test that fails in CI; undefined when it is usable. */
export const POSTGRES_PROBLEM = problem;

export type TestSchema = PgSchema;

/** A new, empty schema; drop() removes it with everything in it. */
export async function createTestSchema(): Promise<TestSchema> {
  if (problem) throw new Error(`PostgreSQL is required (CI=true) but unusable: ${problem}`);
  return makeSchema(TEST_DATABASE_URL, 'coexist_test');
}

/** A product's store settings for one suite, and how to remove the store afterwards. */
export type StoreEnv = () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>;

/**
 * Runs a product-level suite twice: on the embedded SQLite store (the product's default, a temp DATA_DIR) and on
 * PostgreSQL in a schema of its own (skipped only outside CI when no server answers, as SKIP_POSTGRES says).
 */
export function onBothStores(suite: (kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) => void): void {
  suite('SQLite', async () => ({ env: {}, cleanup: async () => {} }));
  describe.skipIf(SKIP_POSTGRES)('PostgreSQL (TEST_DATABASE_URL)', () => {
    suite('PostgreSQL', async () => {
      const schema = await createTestSchema();
      return { env: { DATABASE_URL: schema.url }, cleanup: () => schema.drop() };
    });
  });
}
