import type pg from 'pg';

/**
 * Schema changes for one component's tables (snippets, rooms, ...), in order. Append only, like
 * the SQLite list: a migration that shipped has run on databases in the field.
 */
export type PgMigrations = readonly string[];

/** Snippets as in SQLite (migrations.ts), with a real timestamp type. */
export const SNIPPET_PG_MIGRATIONS: PgMigrations = [
  `CREATE TABLE snippets (
     id          text PRIMARY KEY,
     hash        text NOT NULL,
     body        text NOT NULL,
     size        integer NOT NULL,
     forked_from text,
     created_at  timestamptz NOT NULL
   );
   CREATE INDEX snippets_forked_from ON snippets (forked_from) WHERE forked_from IS NOT NULL;`,
];

/**
 * Workshop rooms as in SQLite (migration 2 there): times stay the ISO strings the callers write, so
 * a learner's codeAt reads back exactly as given; a name is unique per room whatever its case.
 */
export const ROOM_PG_MIGRATIONS: PgMigrations = [
  `CREATE TABLE rooms (
     id              text PRIMARY KEY,
     name            text NOT NULL,
     join_code       text NOT NULL,
     instructor_hash text NOT NULL,
     created_at      text NOT NULL,
     expires_at      text,
     lesson          text,
     solutions       integer NOT NULL DEFAULT 0,
     hint            text,
     pushed          text
   );
   CREATE TABLE room_learners (
     room_id   text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
     id        text NOT NULL,
     name      text NOT NULL,
     key_hash  text NOT NULL,
     joined_at text NOT NULL,
     activity  text NOT NULL,
     passed    text NOT NULL DEFAULT '[]',
     code      text,
     code_at   text,
     PRIMARY KEY (room_id, id)
   );
   CREATE UNIQUE INDEX room_learners_name ON room_learners (room_id, lower(name));`,
  // The nodes a room runs on (issue 19), a JSON array of node names; NULL: every node.
  'ALTER TABLE rooms ADD COLUMN nodes text;',
];

/** Any fixed number: every bpfplay replica takes this advisory lock while it migrates. */
const MIGRATION_LOCK = 0x62706670; // "bpfp"

/**
 * Bring `component`'s tables to `migrations.length`, recorded in bpfplay_schema (one row per
 * component, so stores added later migrate on their own). Replicas starting together serialise on
 * an advisory lock inside one transaction; PostgreSQL's DDL is transactional, so a failed step
 * leaves the database as it was.
 */
export async function migratePostgres(
  pool: pg.Pool,
  component: string,
  migrations: PgMigrations,
  where: string,
): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS bpfplay_schema (component text PRIMARY KEY, version integer NOT NULL)',
    );
    const r = await client.query<{ version: number }>('SELECT version FROM bpfplay_schema WHERE component = $1', [
      component,
    ]);
    const from = r.rows[0]?.version ?? 0;
    if (from > migrations.length) {
      throw new Error(
        `${where}: the ${component} tables are schema version ${from}, newer than this bpfplay understands ` +
          `(${migrations.length}); run a newer bpfplay, or point BPFPLAY_DATABASE_URL at another database`,
      );
    }
    for (let v = from; v < migrations.length; v++) await client.query(migrations[v]!);
    if (from !== migrations.length) {
      await client.query(
        `INSERT INTO bpfplay_schema (component, version) VALUES ($1, $2)
         ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
        [component, migrations.length],
      );
    }
    await client.query('COMMIT');
    return { from, to: migrations.length };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
