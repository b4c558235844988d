/**
 * Snippet ids are the first 11 characters (66 bits) of a base64url SHA-256, as the Go playground's
 * are: short enough to read out, long enough that a collision is a theoretical event. An id grows
 * past 11 when it would end in `_` or `-` (chat apps do not linkify a trailing one) or when a
 * shorter prefix is already taken by other content. This file is browser-safe; hashing is in id.ts.
 */
export const SNIPPET_ID_LENGTH = 11;
export const SNIPPET_ID_MAX_LENGTH = 43; // a whole base64url SHA-256

const ID_PATTERN = /^[A-Za-z0-9_-]{11,43}$/;

export function isSnippetId(id: string): boolean {
  return ID_PATTERN.test(id);
}
