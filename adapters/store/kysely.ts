import { createRequire } from 'node:module';

// Kysely, loaded from its CommonJS build: about 45 ms to load here, against about 85 ms for its ES modules (the
// same code in ~280 files; Node's CommonJS loader is cheaper per file). Every value the store uses comes from this
// one load: importing 'kysely' as an ES module anywhere else would load it a second time. Types may still be
// imported from 'kysely' (`import type`), which loads nothing.

const kysely = createRequire(import.meta.url)('kysely') as typeof import('kysely');

export const { Kysely, PostgresDialect, SqliteDialect, sql, DummyDriver, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } = kysely;
