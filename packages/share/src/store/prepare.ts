import { snippetHash, idCandidates, DEFAULT_ID_SALT } from '../id';
import { SnippetTooLargeError, checkSnippetSize } from '../limits';
import { type ShareState, canonicalJson, canonicalState } from '../state';
import { isSnippetId } from '../idFormat';
import type { PutMeta, StoredSnippet } from './types';

/** Everything a store needs to write one snippet, computed the same way for every implementation. */
export interface PreparedSnippet {
  hash: string;
  candidates: string[];
  body: string;
  size: number;
  forkedFrom: string | undefined;
}

export function prepareSnippet(snippet: ShareState, meta: PutMeta, salt: string = DEFAULT_ID_SALT): PreparedSnippet {
  const size = checkSnippetSize(snippet.files);
  if (!size.ok) throw new SnippetTooLargeError(size.bytes, size.error);
  if (meta.forkedFrom !== undefined && !isSnippetId(meta.forkedFrom)) {
    throw new Error(`forkedFrom "${meta.forkedFrom}" is not a snippet id`);
  }
  const hash = snippetHash(snippet, salt);
  return {
    hash,
    candidates: idCandidates(hash),
    body: canonicalJson(snippet),
    size: size.bytes,
    forkedFrom: meta.forkedFrom,
  };
}

export function parseBody(body: string): ShareState {
  return canonicalState(JSON.parse(body) as ShareState);
}

/**
 * A row of the `snippets` table as an SQL store reads it. `created_at` is what the driver gives:
 * ISO text from SQLite, a Date from PostgreSQL (a timestamptz column).
 */
export interface SnippetRow {
  id: string;
  hash: string;
  body: string;
  size: number;
  forked_from: string | null;
  created_at: string | Date;
}

/** The stored snippet one row of the `snippets` table holds. */
export function storedOfRow(row: SnippetRow): StoredSnippet {
  return {
    id: row.id,
    snippet: parseBody(row.body),
    ...(row.forked_from !== null ? { forkedFrom: row.forked_from } : {}),
    createdAt: typeof row.created_at === 'string' ? row.created_at : row.created_at.toISOString(),
    size: row.size,
  };
}

/** Every candidate was taken by other content: 2^-258 territory, but say so rather than loop. */
export function exhaustedError(hash: string): Error {
  return new Error(`no free id for snippet hash ${hash}: every prefix is taken by other content`);
}
