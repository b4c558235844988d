import { posix } from 'node:path';
import { SANDBOX } from './toolchain.js';

/**
 * Turns a path as clang or llvm-objdump printed it inside the sandbox into the name the user
 * knows: snippet files by their own name, our headers and the generated vmlinux.h under
 * `<bpfplay>/`, system headers by their real /usr path, clang's pseudo-files (`<scratch space>`,
 * `<inline asm>`, `<built-in>`) unchanged.
 */
export function displayPath(raw: string): string {
  // DWARF and clang keep `/src/./helper.h` as written; normalize real paths, not `<built-in>`.
  const path = raw.startsWith('/') ? posix.normalize(raw) : raw;
  if (path.startsWith(`${SANDBOX.src}/`)) return path.slice(SANDBOX.src.length + 1);
  if (path.startsWith(`${SANDBOX.include}/`)) return `<bpfplay>/${path.slice(SANDBOX.include.length + 1)}`;
  if (path.startsWith(`${SANDBOX.gen}/`)) return `<bpfplay>/${path.slice(SANDBOX.gen.length + 1)}`;
  if (path.startsWith('./')) return displayPath(path.slice(2));
  return path;
}

/**
 * The same mapping for clang's full text. Only our mount points are rewritten: clang names
 * snippet files as the user wrote them (`prog.bpf.c`, `./helper.h` in include chains), and a
 * `/src/...` inside a message is the user's own text, left as they wrote it.
 */
export function displayText(text: string): string {
  return text
    .replaceAll(`${SANDBOX.include}/`, '<bpfplay>/')
    .replaceAll(`${SANDBOX.gen}/`, '<bpfplay>/')
    .replace(/^(\s*(?:In file included from |from )?)\.\/(?=[A-Za-z0-9_])/gm, '$1');
}
