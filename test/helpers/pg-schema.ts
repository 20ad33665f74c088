import { randomBytes } from 'node:crypto';
import pg from 'pg';

// A throwaway PostgreSQL schema, for the store's tests (postgres.ts) and the store benchmark (bench/store.ts): made
// with an administrative connection to `baseUrl`, reached through a URL whose connections work in it (search_path),
// and dropped with everything in it. No probing, no CI rules: the callers decide what a missing server means.

export interface PgSchema {
  /** A DATABASE_URL whose connections work in the schema, as the product and the CLI take it. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function makeSchema(baseUrl: string, prefix: string, connectTimeoutMs = 5000): Promise<PgSchema> {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: connectTimeoutMs });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end().catch(() => {});
    }
  };
  await admin(`create schema "${schema}"`);
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url: u.toString(), schema, drop: () => admin(`drop schema if exists "${schema}" cascade`) };
}
