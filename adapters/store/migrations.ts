import type { Kysely, Migration, MigrationResultSet, Migrator as MigratorType } from 'kysely';
import { Migrator } from './kysely.ts';

// The one set of migrations, for SQLite and PostgreSQL alike (only portable column types: text, bigint,
// double precision). Code, not files, so the compiled dist/ carries them. Append new migrations; never edit one
// that has shipped. Kysely's Migrator records what ran in coexist_migrations and, on PostgreSQL, holds an
// advisory lock while it runs, so replicas starting together migrate once.

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('recommendations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text')
        .addColumn('message_ref', 'text')
        .addColumn('message_link', 'text')
        .addColumn('customer', 'text')
        .addColumn('customer_key', 'text')
        .addColumn('setup', 'text', (c) => c.notNull())
        .addColumn('confidence', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('requirements', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('knowledge_version', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recommendations_created_at').on('recommendations').column('created_at').execute();

      await db.schema
        .createTable('questions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('text_key', 'text', (c) => c.notNull())
        .addColumn('topic', 'text')
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('questions_created_at').on('questions').column('created_at').execute();

      await db.schema
        .createTable('feedback')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('rating', 'text', (c) => c.notNull())
        .addColumn('topic', 'text')
        .addColumn('question', 'text')
        .addColumn('reviewed_at', 'bigint')
        .execute();
      await db.schema.createIndex('feedback_created_at').on('feedback').column('created_at').execute();
      await db.schema.createIndex('feedback_target').on('feedback').columns(['target', 'target_id']).execute();

      await db.schema
        .createTable('dedupe_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dedupe_keys_expires_at').on('dedupe_keys').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['dedupe_keys', 'feedback', 'questions', 'recommendations']) await db.schema.dropTable(table).ifExists().execute();
    },
  },
  // The knowledge owner reviews corrections: accepted ones become lines of the matcher's training set.
  '0002-correction-review': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('feedback').addColumn('review', 'text').execute();
      await db.schema.alterTable('feedback').addColumn('reviewed_by', 'text').execute();
      await db.schema.createIndex('feedback_rating_topic').on('feedback').columns(['rating', 'topic']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('feedback_rating_topic').ifExists().execute();
      await db.schema.alterTable('feedback').dropColumn('reviewed_by').execute();
      await db.schema.alterTable('feedback').dropColumn('review').execute();
    },
  },
  // Who sees which recommendation (src/present/scope.ts): the Slack workspace (team id) or Teams tenant it was made
  // in. Rows from before stay null: the rule shows those only to the person who made them.
  '0003-recommendation-workspace': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('recommendations').addColumn('workspace', 'text').execute();
      await db.schema.createIndex('recommendations_workspace_created_at').on('recommendations').columns(['workspace', 'created_at']).execute();
      await db.schema.createIndex('recommendations_user_created_at').on('recommendations').columns(['user_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('recommendations_user_created_at').ifExists().execute();
      await db.schema.dropIndex('recommendations_workspace_created_at').ifExists().execute();
      await db.schema.alterTable('recommendations').dropColumn('workspace').execute();
    },
  },
};

export const MIGRATION_TABLE = 'coexist_migrations';

/** Every migration this code knows, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/**
 * `schema`: on PostgreSQL, the schema the connection works in (current_schema()). Without it Kysely looks for its
 * migration tables in every schema of the database, and would take another schema's for ours.
 */
function migrator(db: Kysely<any>, schema: string | undefined): MigratorType {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

export interface MigrationOutcome {
  /** Names of the migrations this run applied (empty when the schema was already current). */
  applied: string[];
}

/** Brings the schema up to date. Throws with the failing migration's name and error. */
export async function migrateToLatest(db: Kysely<any>, schema: string | undefined): Promise<MigrationOutcome> {
  const m = migrator(db, schema);
  // Nothing to do: no lock taken. This is also how a replica of the previous release keeps working during a
  // rolling deploy: the database has a migration it does not know, which Kysely's migrateToLatest would refuse.
  if ((await m.getMigrations()).every((known) => known.executedAt !== undefined)) return { applied: [] };
  const { error, results }: MigrationResultSet = await m.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(setup)'} failed: ${(error as Error).message ?? String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Migrations this code knows and the database has not run yet. */
export async function pendingMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const all = await migrator(db, schema).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
