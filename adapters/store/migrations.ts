import type { Kysely, Migration } from 'kysely';
import { sql } from './kysely.ts';

// The one set of migrations, for SQLite and PostgreSQL alike (only portable column types: text, bigint,
// double precision). Code, not files, so the compiled dist/ carries them. Append new migrations; never edit one
// that has shipped. migrateToLatest() records what ran in coexist_migrations and, on PostgreSQL, holds an
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
  // Where the product can send on its own (adapters/notify.ts): per Teams person (AAD object id) their personal
  // conversation with the bot, per Teams tenant the serviceUrl to create one, per Teams channel conversation its
  // serviceUrl and tenant, recorded from incoming activities (adapters/teams/conversation-refs.ts).
  '0004-conversations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('conversation_refs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('service_url', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('conversation_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('bot_id', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversation_refs_kind_updated_at').on('conversation_refs').columns(['kind', 'updated_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('conversation_refs').ifExists().execute();
    },
  },
  // Verification (src/present/verification.ts): every verifier's verdict on a topic, kept as history (Still correct
  // moves the date answers show; Needs a change is listed in the report), and one row per topic and due day whose
  // reminder was claimed (insert-if-absent: whoever inserts sends, so replicas remind once).
  '0005-verifications': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('verifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('verified_by', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'bigint', (c) => c.notNull())
        .addColumn('knowledge_version', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('verifications_topic_verified_at').on('verifications').columns(['topic', 'verified_at']).execute();
      await db.schema
        .createTable('verification_reminders')
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('verification_reminders_pk', ['topic', 'due_on'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('verification_reminders').ifExists().execute();
      await db.schema.dropTable('verifications').ifExists().execute();
    },
  },
  // *Ask an expert*: the question sent to the experts' channel, where it was posted, and the first expert reply.
  '0006-expert-questions': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('expert_questions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('asked_at', 'bigint', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('workspace', 'text')
        .addColumn('asker_name', 'text')
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('answered_topic', 'text')
        .addColumn('topics', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('post_channel', 'text')
        .addColumn('post_ref', 'text')
        .addColumn('answered_at', 'bigint')
        .addColumn('answered_by', 'text')
        .addColumn('answer', 'text')
        .addColumn('relay_error', 'text')
        .addColumn('new_topic_at', 'bigint')
        .addColumn('new_topic_by', 'text')
        .execute();
      await db.schema.createIndex('expert_questions_asked_at').on('expert_questions').column('asked_at').execute();
      await db.schema.createIndex('expert_questions_post').on('expert_questions').columns(['post_channel', 'post_ref']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('expert_questions').ifExists().execute();
    },
  },
  // Posted recommendations stay current (issue 21, part 4): the facts a recommendation was made on (its basis:
  // the policy's figures and its needs' statuses, src/advisor/recheck.ts), each knowledge version's recheck run
  // (one replica runs it), and the note posted in a recommendation's thread (once per recommendation and version).
  '0007-recheck-notes': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('recommendations').addColumn('basis', 'text').execute();
      await db.schema
        .createTable('recheck_runs')
        .addColumn('knowledge_version', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('checked', 'bigint')
        .addColumn('changed', 'bigint')
        .addColumn('noted', 'bigint')
        .addColumn('failed', 'bigint')
        .execute();
      await db.schema
        .createTable('recheck_notes')
        .addColumn('recommendation_id', 'text', (c) => c.notNull())
        .addColumn('knowledge_version', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('message_ref', 'text')
        .addColumn('error', 'text')
        .addColumn('noted', 'text')
        .addPrimaryKeyConstraint('recheck_notes_pk', ['recommendation_id', 'knowledge_version'])
        .execute();
      await db.schema.createIndex('recheck_notes_created_at').on('recheck_notes').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('recheck_notes').ifExists().execute();
      await db.schema.dropTable('recheck_runs').ifExists().execute();
      await db.schema.alterTable('recommendations').dropColumn('basis').execute();
    },
  },
  // Source watch (SOURCE_WATCH=true): each cited page's last fetch (ETag, Last-Modified, the hash of its text, its
  // "Updated" date), and every change seen, which marks the topics citing it due for verification.
  '0008-source-watch': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('source_pages')
        .addColumn('url', 'text', (c) => c.primaryKey())
        .addColumn('source_id', 'text')
        .addColumn('etag', 'text')
        .addColumn('last_modified', 'text')
        .addColumn('content_hash', 'text')
        .addColumn('updated_date', 'text')
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        .addColumn('changed_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createTable('source_changes')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .addColumn('source_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('updated_before', 'text')
        .addColumn('updated_after', 'text')
        .addPrimaryKeyConstraint('source_changes_pk', ['url', 'changed_at'])
        .execute();
      await db.schema.createIndex('source_changes_changed_at').on('source_changes').column('changed_at').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['source_changes', 'source_pages']) await db.schema.dropTable(table).ifExists().execute();
    },
  },
};

export const MIGRATION_TABLE = 'coexist_migrations';

/** Every migration this code knows, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

// Our own runner, not Kysely's Migrator: the Migrator asks whether its tables exist by introspecting every schema of
// the database (pg_catalog joined with has_schema_privilege), which fails with `schema "…" does not exist` whenever
// another schema is dropped at that moment (412 of 8,964 introspections failed under concurrent drops). We ask the
// one table we own instead, by name, in our own schema. The tables keep the layout Kysely gave them (name,
// timestamp; and the lock table, which older releases' Migrator expects), so a database migrated before reads the same.

/** The key of the PostgreSQL advisory lock held while migrating: Kysely's, so an older replica waits for us and we for it. */
const LOCK_KEY = '3853314791062309107';

const table = (schema: string | undefined, name: string) => (schema ? sql.id(schema, name) : sql.id(name));

/** Names the database has run, or undefined when it has no migration table yet. Reads only our own table. */
async function executed(db: Kysely<any>, schema: string | undefined): Promise<Set<string> | undefined> {
  const exists = schema
    ? (await sql`select 1 from pg_catalog.pg_tables where schemaname = ${schema} and tablename = ${MIGRATION_TABLE}`.execute(db)).rows.length > 0
    : (await sql`select 1 from sqlite_master where type = 'table' and name = ${MIGRATION_TABLE}`.execute(db)).rows.length > 0;
  if (!exists) return undefined;
  const { rows } = await sql<{ name: string }>`select name from ${table(schema, MIGRATION_TABLE)}`.execute(db);
  return new Set(rows.map((r) => r.name));
}

export interface MigrationOutcome {
  /** Names of the migrations this run applied (empty when the schema was already current). */
  applied: string[];
}

/**
 * Brings the schema up to date (on PostgreSQL in one transaction under an advisory lock, so replicas starting
 * together migrate once). Throws with the failing migration's name and error. `schema`: on PostgreSQL, the schema the
 * connection works in (current_schema()).
 */
export async function migrateToLatest(db: Kysely<any>, schema: string | undefined): Promise<MigrationOutcome> {
  // Nothing to do: no lock taken. This is also how a replica of the previous release keeps working during a
  // rolling deploy: the database has a migration it does not know, which is not ours to refuse.
  if ((await pendingMigrations(db, schema)).length === 0) return { applied: [] };
  let current = '(setup)';
  const run = async (db: Kysely<any>): Promise<MigrationOutcome> => {
    if (schema) await sql`select pg_advisory_xact_lock(${sql.lit(LOCK_KEY)}::bigint)`.execute(db);
    await sql`create table if not exists ${table(schema, MIGRATION_TABLE)} (name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(db);
    await sql`create table if not exists ${table(schema, `${MIGRATION_TABLE}_lock`)} (id varchar(255) not null primary key, is_locked integer default 0 not null)`.execute(db);
    const done = (await executed(db, schema)) ?? new Set<string>();
    const applied: string[] = [];
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      if (done.has(name)) continue;
      current = name;
      await migration.up(db);
      await sql`insert into ${table(schema, MIGRATION_TABLE)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(db);
      applied.push(name);
    }
    return { applied };
  };
  try {
    // PostgreSQL: one transaction under the advisory lock. SQLite: statement by statement, as Kysely's Migrator ran
    // it there. Its driver waits for a lock synchronously, so a transaction held across awaits would stall a second
    // store opened in the same process (two replicas in one test) for the whole busy timeout.
    return schema ? await db.transaction().execute(run) : await run(db);
  } catch (error) {
    // SQLite, two processes (or two stores) migrating one file at once: the second finds the first's tables ("table …
    // already exists") before the first has recorded them. Not a failure if the other finishes: wait for it briefly.
    if (!schema && (await otherMigrationFinished(db))) return { applied: [] };
    throw new Error(`migration ${current} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** How long a SQLite migration that collided with another waits for that one to finish, checking every 25 ms. */
const SQLITE_MIGRATION_WAIT_MS = 3000;

async function otherMigrationFinished(db: Kysely<any>): Promise<boolean> {
  const end = Date.now() + SQLITE_MIGRATION_WAIT_MS;
  for (;;) {
    const pending = await pendingMigrations(db, undefined).catch(() => undefined);
    if (pending?.length === 0) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Migrations this code knows and the database has not run yet. */
export async function pendingMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const done = await executed(db, schema);
  return MIGRATION_NAMES.filter((name) => !done?.has(name));
}
