import type Database from 'better-sqlite3';

/**
 * Schema changes, in order; `PRAGMA user_version` records how many have run. Append only: a
 * migration that has shipped is never edited, because databases in the field already ran it.
 */
export const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  // 1: snippets, content-addressed. `hash` is the full SHA-256 so a prefix collision is detected
  // (and the id extended) rather than silently returning someone else's code.
  (db) =>
    db.exec(`
      CREATE TABLE snippets (
        id          TEXT PRIMARY KEY,
        hash        TEXT NOT NULL,
        body        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        forked_from TEXT,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX snippets_forked_from ON snippets (forked_from) WHERE forked_from IS NOT NULL;
    `),
  // 2: workshop rooms (issue 13) and their learners. Secrets are kept as SHA-256 hashes only: the
  // file leaking must not let anyone teach a room or act as a learner. A learner's activity,
  // progress and last code are JSON in the forms packages/protocol/src/rooms.ts defines.
  (db) =>
    db.exec(`
      CREATE TABLE rooms (
        id              TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        join_code       TEXT NOT NULL,
        instructor_hash TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        expires_at      TEXT,
        lesson          TEXT,
        solutions       INTEGER NOT NULL DEFAULT 0,
        hint            TEXT,
        pushed          TEXT
      ) STRICT;
      CREATE TABLE room_learners (
        room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        id        TEXT NOT NULL,
        name      TEXT NOT NULL,
        key_hash  TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        activity  TEXT NOT NULL,
        passed    TEXT NOT NULL DEFAULT '[]',
        code      TEXT,
        code_at   TEXT,
        PRIMARY KEY (room_id, id)
      ) STRICT;
      CREATE UNIQUE INDEX room_learners_name ON room_learners (room_id, name COLLATE NOCASE);
    `),
  // 3: the nodes a room runs on (issue 19), a JSON array of node names; NULL: every node.
  (db) => db.exec('ALTER TABLE rooms ADD COLUMN nodes TEXT;'),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring the database to SCHEMA_VERSION. Runs inside an IMMEDIATE transaction that re-reads the
 * version, so several processes opening a new file at once apply each migration exactly once.
 */
export function migrate(db: Database.Database, file: string): { from: number; to: number } {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const from = version();
  if (from > SCHEMA_VERSION) {
    throw new Error(
      `${file}: snippet database is schema version ${from}, newer than this bpfplay understands (${SCHEMA_VERSION}); ` +
        'run a newer bpfplay, or point BPFPLAY_DATA_DIR at another folder',
    );
  }
  if (from === SCHEMA_VERSION) return { from, to: from };
  db.transaction(() => {
    for (let v = version(); v < SCHEMA_VERSION; v++) {
      MIGRATIONS[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
  return { from, to: SCHEMA_VERSION };
}
