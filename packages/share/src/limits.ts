import { SNIPPET_LIMITS, snippetBytes } from '@bpfplay/protocol';

/**
 * The share size cap: SNIPPET_LIMITS.maxTotalBytes (64 KiB) of file contents, the same cap the
 * agent applies to a run, so anything that can be run can be shared. Browser-safe: the editor
 * can warn before the user presses Share.
 */
export const MAX_SHARE_BYTES = SNIPPET_LIMITS.maxTotalBytes;

/**
 * Largest POST body read at all. JSON escaping can grow text up to 6x (`\u0001`), so a valid
 * 64 KiB snippet may need more than 64 KiB of JSON; past this the body is refused unread.
 */
export const MAX_REQUEST_BYTES = MAX_SHARE_BYTES * 6 + 16 * 1024;

export function describeBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes} bytes (${bytes / 1024} KiB)` : `${bytes} bytes`;
}

/** Total UTF-8 bytes of the files' contents: the quantity the cap applies to (the protocol's rule). */
export const contentBytes = snippetBytes;

export type SizeCheck = { ok: true; bytes: number } | { ok: false; bytes: number; error: string };

export function checkSnippetSize(files: readonly { content: string }[]): SizeCheck {
  const bytes = contentBytes(files);
  if (bytes <= MAX_SHARE_BYTES) return { ok: true, bytes };
  return {
    ok: false,
    bytes,
    error:
      `snippet is ${bytes} bytes; the limit is ${describeBytes(MAX_SHARE_BYTES)} for all files together: ` +
      'remove or shorten files and share again',
  };
}

export function checkRequestSize(bytes: number): SizeCheck {
  if (bytes <= MAX_REQUEST_BYTES) return { ok: true, bytes };
  return {
    ok: false,
    bytes,
    error: `request body is ${bytes} bytes; the limit is ${describeBytes(MAX_REQUEST_BYTES)} (snippets may hold ${describeBytes(MAX_SHARE_BYTES)} of files)`,
  };
}

/** Thrown by a store asked to keep a snippet over the cap (the API checks first and answers 413). */
export class SnippetTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    message: string,
  ) {
    super(message);
    this.name = 'SnippetTooLargeError';
  }
}
