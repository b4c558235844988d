import type pg from 'pg';
import { DEFAULT_ID_SALT } from '../id';
import type { ShareState } from '../state';
import { redactDatabaseUrl } from './config';
import { migratePostgres, SNIPPET_PG_MIGRATIONS } from './pgMigrations';
import { newPgPool, sharedPgPool } from './pgPool';
import { PostgresRoomStore } from './pgRooms';
import { exhaustedError, prepareSnippet, storedOfRow, type SnippetRow } from './prepare';
import type { PutMeta, PutResult, SnippetStore, StoreOptions, StoredSnippet } from './types';

export interface PostgresStoreOptions extends StoreOptions {
  /** postgres://user@host:port/db (a password may come from PGPASSWORD/PGPASSFILE instead). */
  connectionString: string;
  /**
   * 'shared' (the web app): one pool per URL per process, left open by close() because other
   * stores use it too. 'own' (tests, tools): a pool of its own, ended by close().
   */
  pool?: 'shared' | 'own';
}

/**
 * Snippets in PostgreSQL (node-postgres), for a web app that runs as several replicas: they all
 * see every snippet. Each put is single statements that are safe side by side: the insert takes a
 * free id or does nothing (ON CONFLICT), and a taken id is then compared by hash, so two replicas
 * sharing the same code at once get the same id and one row.
 */
export class PostgresStore implements SnippetStore {
  /** The database, without its password: for messages. */
  readonly where: string;
  /** Workshop rooms, on the same pool (their own tables and migrations). */
  readonly rooms: PostgresRoomStore;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly salt: string;
  private readonly now: () => Date;
  private ready?: Promise<unknown>;
  private closed = false;

  constructor(opts: PostgresStoreOptions) {
    this.salt = opts.salt ?? DEFAULT_ID_SALT;
    this.now = opts.now ?? (() => new Date());
    this.where = `PostgreSQL ${redactDatabaseUrl(opts.connectionString)}`;
    this.ownsPool = opts.pool === 'own';
    this.pool = this.ownsPool ? newPgPool(opts.connectionString) : sharedPgPool(opts.connectionString);
    this.rooms = new PostgresRoomStore(this.pool, this.where, (e) => this.explain(e), this.now);
  }

  /** Migrate once, at the first use; a failure (database not up yet) is retried by the next request. */
  private init(): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('snippet store is closed'));
    this.ready ??= migratePostgres(this.pool, 'snippets', SNIPPET_PG_MIGRATIONS, this.where).catch((e: Error) => {
      this.ready = undefined;
      throw this.explain(e);
    });
    return this.ready;
  }

  /** Connection failures name the database (never its password) and what to check. */
  private explain(e: Error): Error {
    if (e.message.startsWith(this.where)) return e;
    // A constraint the caller handles (a learner name taken) is no connection problem.
    if ((e as { code?: string }).code === '23505') return e;
    return new Error(`${this.where}: ${e.message}; check BPFPLAY_DATABASE_URL and that the server is up`, {
      cause: e,
    });
  }

  async put(snippet: ShareState, meta: PutMeta = {}): Promise<PutResult> {
    const p = prepareSnippet(snippet, meta, this.salt);
    await this.init();
    try {
      for (const id of p.candidates) {
        // The parent is recorded only if it exists, so the page never links to a 404.
        const ins = await this.pool.query(
          `INSERT INTO snippets (id, hash, body, size, forked_from, created_at)
           SELECT $1, $2, $3, $4, (SELECT id FROM snippets WHERE id = $5), $6
           ON CONFLICT (id) DO NOTHING`,
          [id, p.hash, p.body, p.size, p.forkedFrom ?? null, this.now()],
        );
        if (ins.rowCount === 1) return { id, created: true };
        // Taken (READ COMMITTED: a racing insert has committed by the time ON CONFLICT decided).
        const got = await this.pool.query<{ hash: string }>('SELECT hash FROM snippets WHERE id = $1', [id]);
        if (got.rows[0]?.hash === p.hash) return { id, created: false };
      }
    } catch (e) {
      throw this.explain(e as Error);
    }
    throw exhaustedError(p.hash);
  }

  async get(id: string): Promise<StoredSnippet | undefined> {
    await this.init();
    let row: SnippetRow | undefined;
    try {
      const r = await this.pool.query<SnippetRow>(
        'SELECT id, hash, body, size, forked_from, created_at FROM snippets WHERE id = $1',
        [id],
      );
      row = r.rows[0];
    } catch (e) {
      throw this.explain(e as Error);
    }
    return row && storedOfRow(row);
  }

  /** Number of stored snippets (tests, metrics). */
  async count(): Promise<number> {
    await this.init();
    const r = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM snippets');
    return Number(r.rows[0]!.n);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}
