import { basename } from 'node:path';
import type { Snippet, SourceLocation } from '@bpfplay/protocol';

/**
 * clang records the paths it compiled (sandbox paths); users know their snippet's file names. A path
 * whose base name is a snippet file becomes that name; anything else (vmlinux.h, system headers)
 * keeps its path so the user can still tell where it is.
 */
export function snippetFileName(file: string, snippet: Snippet): string {
  const base = basename(file);
  return snippet.files.some((f) => f.name === base) ? base : file;
}

export function snippetLocation(loc: SourceLocation | undefined, snippet: Snippet): SourceLocation | undefined {
  return loc ? { ...loc, file: snippetFileName(loc.file, snippet) } : undefined;
}
