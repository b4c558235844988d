import type { ShareState } from '../state';

/** A snippet as kept: immutable once written. */
export interface StoredSnippet {
  id: string;
  /** Canonical form (see canonicalState): what was hashed for the id. */
  snippet: ShareState;
  /** The id this one was made from by editing a shared snippet, when the client said so. */
  forkedFrom?: string;
  /** ISO 8601, UTC: when this content was first shared. */
  createdAt: string;
  /** UTF-8 bytes of the files' contents. */
  size: number;
}

export interface PutMeta {
  forkedFrom?: string;
}

export interface PutResult {
  id: string;
  /** false when the same content was already stored: ids are content-addressed, so nothing changes. */
  created: boolean;
}

/**
 * Where shared snippets live. Implementations: MemoryStore (tests), SqliteStore (the default).
 * Async so a remote store can stand in without changing callers.
 */
export interface SnippetStore {
  /** Store a snippet; the first put of some content wins, including its forkedFrom. */
  put(snippet: ShareState, meta?: PutMeta): Promise<PutResult>;
  get(id: string): Promise<StoredSnippet | undefined>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Salt for ids; defaults to DEFAULT_ID_SALT. */
  salt?: string;
  /** Clock for createdAt; tests pass a fixed one. */
  now?: () => Date;
}
