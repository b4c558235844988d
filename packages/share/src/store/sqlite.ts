import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_ID_SALT } from '../id';
import type { ShareState } from '../state';
import { migrate } from './migrations';
import { SqliteRoomStore } from './rooms';
import { exhaustedError, prepareSnippet, storedOfRow, type SnippetRow } from './prepare';
import type { PutMeta, PutResult, SnippetStore, StoreOptions, StoredSnippet } from './types';

export const SNIPPET_DB_FILE = 'snippets.sqlite';

export interface SqliteStoreOptions extends StoreOptions {
  /** Folder for the database file (created if missing); the caller decides, see resolveDataDir(). */
  dataDir: string;
  /** File name inside dataDir. */
  fileName?: string;
  /** How long a writer waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function retryWhileBusy<T>(fn: () => T, timeoutMs: number): T {
  const end = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
      if (!busy || Date.now() + delay > end) throw e;
      sleepSync(delay);
    }
  }
}

/**
 * Snippets in one SQLite file (better-sqlite3). WAL mode lets readers carry on while one process
 * writes, and several web processes can share the file: every put is an IMMEDIATE transaction, so
 * "is this id free?" and the insert are one step even across processes.
 */
export class SqliteStore implements SnippetStore {
  readonly file: string;
  /** Workshop rooms, in the same file (one connection, one migration sequence). */
  readonly rooms: SqliteRoomStore;
  private readonly db: Database.Database;
  private readonly salt: string;
  private readonly now: () => Date;
  private readonly selectById: Database.Statement<[string], SnippetRow>;
  private readonly exists: Database.Statement<[string], { one: number }>;
  private readonly insert: Database.Statement<[string, string, string, number, string | null, string]>;
  private readonly putTx: (p: ReturnType<typeof prepareSnippet>) => PutResult;

  constructor(opts: SqliteStoreOptions) {
    this.salt = opts.salt ?? DEFAULT_ID_SALT;
    this.now = opts.now ?? (() => new Date());
    mkdirSync(opts.dataDir, { recursive: true });
    // A runtime path: tells Turbopack not to trace (and bundle) whatever folder this might name.
    this.file = join(/*turbopackIgnore: true*/ opts.dataDir, opts.fileName ?? SNIPPET_DB_FILE);
    try {
      this.db = new Database(this.file, { timeout: opts.busyTimeoutMs ?? 10_000 });
    } catch (e) {
      throw new Error(`cannot open the snippet database ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const timeout = opts.busyTimeoutMs ?? 10_000;
      // Several processes opening a new file at once race to switch it to WAL; SQLite answers the
      // loser SQLITE_BUSY at once (the busy handler is not used there), so retry for a while.
      retryWhileBusy(() => this.db.pragma('journal_mode = WAL'), timeout);
      // In WAL mode NORMAL never corrupts the file; at worst a power cut loses the last shares.
      this.db.pragma('synchronous = NORMAL');
      retryWhileBusy(() => migrate(this.db, this.file), timeout);
    } catch (e) {
      this.db.close();
      throw e;
    }
    this.selectById = this.db.prepare(
      'SELECT id, hash, body, size, forked_from, created_at FROM snippets WHERE id = ?',
    );
    this.exists = this.db.prepare('SELECT 1 AS one FROM snippets WHERE id = ?');
    this.insert = this.db.prepare(
      'INSERT INTO snippets (id, hash, body, size, forked_from, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const tx = this.db.transaction((p: ReturnType<typeof prepareSnippet>): PutResult => {
      const forkedFrom = p.forkedFrom !== undefined && this.exists.get(p.forkedFrom) ? p.forkedFrom : null;
      for (const id of p.candidates) {
        const row = this.selectById.get(id);
        if (row === undefined) {
          this.insert.run(id, p.hash, p.body, p.size, forkedFrom, this.now().toISOString());
          return { id, created: true };
        }
        if (row.hash === p.hash) return { id, created: false };
      }
      throw exhaustedError(p.hash);
    });
    this.putTx = (p) => tx.immediate(p);
    this.rooms = new SqliteRoomStore(this.db, this.now);
  }

  async put(snippet: ShareState, meta: PutMeta = {}): Promise<PutResult> {
    return this.putTx(prepareSnippet(snippet, meta, this.salt));
  }

  async get(id: string): Promise<StoredSnippet | undefined> {
    const row = this.selectById.get(id);
    return row && storedOfRow(row);
  }

  /** Number of stored snippets (tests, metrics). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM snippets').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
