import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';
import type { SourceLookup } from './disasm.js';
import { SYSTEM_BPF_INCLUDE } from './toolchain.js';

/**
 * Source text for the disassembly's `source` lines. File names come from the object's DWARF,
 * which the user controls (`#line 1 "/etc/shadow"`), so this reads only from a fixed list:
 * the snippet's own files, our include folder, the generated vmlinux.h and libbpf's headers.
 * Any other name gets no text, never a read from disk.
 */
export function makeSourceLookup(files: readonly SnippetFile[], headers: ReadonlyMap<string, string>): SourceLookup {
  const split = new Map<string, string[]>();
  for (const f of files) split.set(f.name, f.content.split('\n'));
  return (file, line) => {
    let lines = split.get(file);
    if (!lines) {
      const host = headers.get(file);
      if (host === undefined) return undefined;
      try {
        lines = readFileSync(host, 'utf8').split('\n');
      } catch {
        return undefined;
      }
      split.set(file, lines);
    }
    return lines[line - 1]?.replace(/\r$/, '');
  };
}

/** Display name → host path of every header a `source` line may quote (see paths.displayPath). */
export function knownHeaders(includeDir: string, vmlinuxPath: string): Map<string, string> {
  const map = new Map<string, string>([['<bpfplay>/vmlinux.h', vmlinuxPath]]);
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.isFile() && e.name.endsWith('.h')) map.set(`<bpfplay>/${prefix}${e.name}`, join(dir, e.name));
    }
  };
  walk(includeDir, '');
  for (const name of readdirSync(SYSTEM_BPF_INCLUDE)) {
    if (name.endsWith('.h')) map.set(`${SYSTEM_BPF_INCLUDE}/${name}`, join(SYSTEM_BPF_INCLUDE, name));
  }
  return map;
}
