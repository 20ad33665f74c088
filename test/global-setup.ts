import { randomBytes } from 'node:crypto';
import pg from 'pg';

// One name for this run's PostgreSQL test schemas (coexist_test_<run>_…, test/helpers/postgres.ts), and their drop
// after every file has finished. Dropping a schema while other files were migrating theirs is what made the store's
// tests flaky: Kysely's migrator introspected every schema, and a schema dropped meanwhile failed the query. Schemas
// of other runs on the same server (another checkout's tests) are never touched.

export default function setup(): () => Promise<void> {
  const run = process.env.COEXIST_TEST_RUN || `r${randomBytes(4).toString('hex')}`;
  process.env.COEXIST_TEST_RUN = run; // the test workers are started after this, with this environment
  return async () => {
    const url = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
    } catch {
      return; // no server: the PostgreSQL suites were skipped (or failed, saying so), and made nothing
    }
    try {
      const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1`, [`coexist\\_test\\_${run}\\_%`]);
      for (const { name } of rows) await client.query(`drop schema if exists "${name}" cascade`);
    } finally {
      await client.end().catch(() => {});
    }
  };
}
