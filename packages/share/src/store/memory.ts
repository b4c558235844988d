import { DEFAULT_ID_SALT } from '../id';
import type { ShareState } from '../state';
import { exhaustedError, parseBody, prepareSnippet } from './prepare';
import type { PutMeta, PutResult, SnippetStore, StoreOptions, StoredSnippet } from './types';

interface Row {
  hash: string;
  body: string;
  size: number;
  forkedFrom: string | undefined;
  createdAt: string;
}

/** Snippets in a Map: for tests, and for a playground that need not remember shares across restarts. */
export class MemoryStore implements SnippetStore {
  private readonly rows = new Map<string, Row>();
  private readonly salt: string;
  private readonly now: () => Date;
  private closed = false;

  constructor(opts: StoreOptions = {}) {
    this.salt = opts.salt ?? DEFAULT_ID_SALT;
    this.now = opts.now ?? (() => new Date());
  }

  async put(snippet: ShareState, meta: PutMeta = {}): Promise<PutResult> {
    this.assertOpen();
    const p = prepareSnippet(snippet, meta, this.salt);
    // Only ids that exist are recorded as parents, so the page never links to a 404.
    const forkedFrom = p.forkedFrom !== undefined && this.rows.has(p.forkedFrom) ? p.forkedFrom : undefined;
    for (const id of p.candidates) {
      const row = this.rows.get(id);
      if (row === undefined) {
        this.rows.set(id, {
          hash: p.hash,
          body: p.body,
          size: p.size,
          forkedFrom,
          createdAt: this.now().toISOString(),
        });
        return { id, created: true };
      }
      if (row.hash === p.hash) return { id, created: false };
    }
    throw exhaustedError(p.hash);
  }

  async get(id: string): Promise<StoredSnippet | undefined> {
    this.assertOpen();
    const row = this.rows.get(id);
    if (!row) return undefined;
    return {
      id,
      snippet: parseBody(row.body),
      ...(row.forkedFrom !== undefined ? { forkedFrom: row.forkedFrom } : {}),
      createdAt: row.createdAt,
      size: row.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('snippet store is closed');
  }
}
