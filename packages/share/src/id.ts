import { createHash } from 'node:crypto';
import type { RunOptions } from '@bpfplay/protocol';
import { SNIPPET_ID_LENGTH, SNIPPET_ID_MAX_LENGTH } from './idFormat';
import { type ShareState, canonicalJson } from './state';

/**
 * Mixed into every id hash. Not a secret (it is checked in): it only makes our ids differ from a
 * bare SHA-256 of the same JSON. Changing it changes every id made from then on; ids already
 * stored keep resolving because lookups are by id, not by hash.
 */
export const DEFAULT_ID_SALT = 'bpfplay snippet id, salt 1\n';

/** Full base64url SHA-256 (43 characters) of the salted canonical JSON. */
export function snippetHash(
  state: ShareState,
  salt: string = DEFAULT_ID_SALT,
  defaults: Partial<RunOptions> = {},
): string {
  return createHash('sha256').update(salt).update(canonicalJson(state, defaults)).digest('base64url');
}

/** Ids to try, shortest first: each prefix of the hash from 11 characters on that does not end in `_` or `-`. */
export function idCandidates(hash: string): string[] {
  const out: string[] = [];
  for (let n = SNIPPET_ID_LENGTH; n <= Math.min(hash.length, SNIPPET_ID_MAX_LENGTH); n++) {
    const id = hash.slice(0, n);
    if (!/[-_]$/.test(id) || n === hash.length) out.push(id);
  }
  return out;
}

/** The id a state gets in an empty store: the first candidate. */
export function snippetId(state: ShareState, salt: string = DEFAULT_ID_SALT): string {
  return idCandidates(snippetHash(state, salt))[0]!;
}
