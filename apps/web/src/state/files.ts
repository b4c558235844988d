import { FileName, SNIPPET_LIMITS, mainFileOf } from '@bpfplay/protocol';
import type { EditorFile } from './workspace';

export type FileOp = { ok: true; files: EditorFile[] } | { ok: false; error: string };

/** Null when `name` can be a snippet file name; otherwise the reason, in the protocol's words. */
export function fileNameProblem(name: string, files: readonly EditorFile[], except?: string): string | null {
  const r = FileName.safeParse(name);
  if (!r.success) return r.error.issues[0]?.message ?? 'invalid file name';
  if (files.some((f) => f.name === name && f.name !== except)) return `${name} already exists`;
  return null;
}

export function addFile(files: readonly EditorFile[], name: string, content = ''): FileOp {
  if (files.length >= SNIPPET_LIMITS.maxFiles)
    return { ok: false, error: `a snippet holds at most ${SNIPPET_LIMITS.maxFiles} files` };
  const problem = fileNameProblem(name, files);
  if (problem) return { ok: false, error: problem };
  return { ok: true, files: [...files, { name, content: content || starterContent(name) }] };
}

export function renameFile(files: readonly EditorFile[], from: string, to: string): FileOp {
  if (from === to) return { ok: true, files: [...files] };
  if (!files.some((f) => f.name === from)) return { ok: false, error: `${from} does not exist` };
  const problem = fileNameProblem(to, files, from);
  if (problem) return { ok: false, error: problem };
  return { ok: true, files: files.map((f) => (f.name === from ? { ...f, name: to } : f)) };
}

export function deleteFile(files: readonly EditorFile[], name: string): FileOp {
  if (!files.some((f) => f.name === name)) return { ok: false, error: `${name} does not exist` };
  if (files.length === 1) return { ok: false, error: 'a snippet needs at least one file' };
  return { ok: true, files: files.filter((f) => f.name !== name) };
}

export function updateFile(files: readonly EditorFile[], name: string, content: string): EditorFile[] {
  return files.map((f) => (f.name === name && f.content !== content ? { ...f, content } : f));
}

/** The file clang will compile, as the agent will choose it, or why none can be chosen. */
export function mainFile(files: readonly EditorFile[], main?: string): { name: string } | { error: string } {
  const name = mainFileOf(files, main && files.some((f) => f.name === main) ? main : undefined);
  if (name !== undefined) return { name };
  const bpf = files.filter((f) => f.name.endsWith('.bpf.c')).length;
  return {
    error:
      bpf > 1 ? `${bpf} files end in .bpf.c: keep one, or mark the main file` : 'no .bpf.c file to compile: add one',
  };
}

export function languageOf(name: string): string {
  if (/\.(c|h)$/.test(name)) return 'c';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.md')) return 'markdown';
  return 'plaintext';
}

function starterContent(name: string): string {
  if (name.endsWith('.h')) {
    const guard = `__${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
    return `#ifndef ${guard}\n#define ${guard}\n\n#endif /* ${guard} */\n`;
  }
  return '';
}
