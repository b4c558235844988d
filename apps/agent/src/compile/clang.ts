import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';
import type { CompileLimits } from './limits.js';
import { runSandboxed, type SandboxExit, type SandboxMount } from './sandbox.js';
import { makeRunDir, removeDir } from './storage.js';
import { BASE_FLAGS, CLANG, SANDBOX } from './toolchain.js';

export interface ClangRun {
  files: readonly SnippetFile[];
  main: string;
  /** Host path of the PCH to use, or undefined for a full compile. */
  pchPath: string | undefined;
  includeDir: string;
  vmlinuxDir: string;
  limits: CompileLimits;
  signal?: AbortSignal;
}

/**
 * One clang run in the sandbox. The snippet is written to a fresh folder (0644 files, mounted
 * read-only at /src, the working directory, so diagnostics and DWARF name files as the user
 * did); the object comes back through a writable /out that only uid 65534 owns.
 */
export async function runClang(run: ClangRun): Promise<{ exit: SandboxExit; object?: Buffer }> {
  const src = await makeRunDir('readable');
  const out = await makeRunDir('writable');
  try {
    for (const f of run.files) await writeFile(join(src, f.name), f.content, { mode: 0o644 });
    const mounts: SandboxMount[] = [
      { host: src, sandbox: SANDBOX.src },
      { host: run.includeDir, sandbox: SANDBOX.include },
      { host: run.vmlinuxDir, sandbox: SANDBOX.gen },
      { host: out, sandbox: SANDBOX.out, writable: true },
    ];
    if (run.pchPath !== undefined) mounts.push({ host: run.pchPath, sandbox: SANDBOX.pch });
    const argv = [
      CLANG,
      ...BASE_FLAGS,
      ...(run.pchPath !== undefined ? ['-include-pch', SANDBOX.pch] : []),
      '-c',
      '-x',
      'c',
      run.main,
      '-o',
      `${SANDBOX.out}/prog.o`,
    ];
    const exit = await runSandboxed({
      argv,
      mounts,
      cwd: SANDBOX.src,
      limits: run.limits,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    if (exit.code !== 0) return { exit };
    return { exit, object: await readFile(join(out, 'prog.o')) };
  } finally {
    await Promise.all([removeDir(src), removeDir(out)]);
  }
}

/** clang's words when a PCH does not fit (stale, built with other flags): retry without it. */
export function pchRejected(stderr: string): boolean {
  return /precompiled header|PCH file|AST file/i.test(stderr);
}
