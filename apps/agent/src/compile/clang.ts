import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';
import type { CompileLimits } from './limits.js';
import { type SandboxExit, type SandboxMount, type SandboxProcess, startSandboxed } from './sandbox.js';
import { makeRunDir, readSandboxOutput, removeDir, RUN_FILE_MODE } from './storage.js';
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
  /** Test hook (CompileTestHooks.holdSource, compile/index.ts). */
  holdSource?: (main: string) => Promise<void> | undefined;
}

/** A clang in its sandbox, started and waiting for its source on stdin, with its two folders. */
interface Started {
  proc: SandboxProcess;
  src: string;
  out: string;
  pchPath: string | undefined;
}

/**
 * The main file reaches clang on stdin, behind a line marker that names it: diagnostics, DWARF
 * line tables and BTF line info then say `hello.bpf.c:12` exactly as a compile of the file would
 * (only the compile unit's name becomes "-"), and `#include "x.h"` finds the snippet's headers in
 * the working directory /src. Every compile goes this way, warm or not, so the same snippet always
 * gives the same object bytes.
 */
export function stdinSource(main: string, content: string): string {
  return `# 1 "${main}"\n${content}`;
}

/** What a compile asks of clang after the flags: the object from stdin. */
const COMPILE_ARGS = ['-c', '-x', 'c', '-', '-o', `${SANDBOX.out}/prog.o`];

async function start(
  pchPath: string | undefined,
  run: Omit<ClangRun, 'files' | 'main' | 'pchPath' | 'signal' | 'holdSource'>,
  idle: boolean,
  tail: readonly string[] = COMPILE_ARGS,
): Promise<Started> {
  const src = await makeRunDir('readable');
  const out = await makeRunDir('writable');
  const mounts: SandboxMount[] = [
    // The snippet's files are written into `src` later; the bind shows them to the running clang.
    { host: src, sandbox: SANDBOX.src },
    { host: run.includeDir, sandbox: SANDBOX.include },
    { host: run.vmlinuxDir, sandbox: SANDBOX.gen },
    { host: out, sandbox: SANDBOX.out, writable: true },
  ];
  if (pchPath !== undefined) mounts.push({ host: pchPath, sandbox: SANDBOX.pch });
  const argv = [CLANG, ...BASE_FLAGS, ...(pchPath !== undefined ? ['-include-pch', SANDBOX.pch] : []), ...tail];
  const proc = startSandboxed({ argv, mounts, cwd: SANDBOX.src, limits: run.limits }, { idle });
  return { proc, src, out, pchPath };
}

async function finish(s: Started, run: ClangRun): Promise<{ exit: SandboxExit; object?: Buffer }> {
  try {
    // The main file too, for a header that includes it back.
    for (const f of run.files) await writeFile(join(s.src, f.name), f.content, { mode: RUN_FILE_MODE });
    const mainFile = run.files.find((f) => f.name === run.main);
    const content = mainFile?.content ?? '';
    const exit = await s.proc.feed(stdinSource(run.main, content), run.signal, run.holdSource?.(content));
    if (exit.code !== 0) return { exit };
    return { exit, object: await readSandboxOutput(s.out, 'prog.o', run.limits.fileSizeBytes) };
  } finally {
    // Not awaited: the run waits for the object, not for the clean-up (a few ms here).
    void discard(s);
  }
}

/** One clang run in the sandbox, started now (no spare). */
export async function runClang(run: ClangRun): Promise<{ exit: SandboxExit; object?: Buffer }> {
  return finish(await start(run.pchPath, run, false), run);
}

/**
 * clang asked a question about the source instead of compiling it (`-fsyntax-only` with an AST
 * dump, for stack-limit.ts): same sandbox, flags and stdin source as a compile, so what it
 * answers is about the program that failed. `args` replace `-c … -o prog.o`; the answer is stdout.
 */
export async function queryClang(run: ClangRun, args: readonly string[]): Promise<SandboxExit> {
  const s = await start(run.pchPath, run, false, [...args, '-x', 'c', '-']);
  try {
    for (const f of run.files) await writeFile(join(s.src, f.name), f.content, { mode: RUN_FILE_MODE });
    const mainFile = run.files.find((f) => f.name === run.main);
    return await s.proc.feed(stdinSource(run.main, mainFile?.content ?? ''), run.signal);
  } finally {
    void discard(s);
  }
}

/**
 * Keeps one sandboxed clang started ahead of time for the PCH compile (the common case), so a new
 * source skips clang's start-up: measured here, `clang --version` alone costs ~0.1 s of CPU
 * (loading and initialising libLLVM and libclang-cpp), as much as compiling a hello-world with the
 * PCH. The spare is started a moment after each compile, not during it, so it does not compete
 * with the compile or with the load that follows on two cores. It costs one idle process
 * (measured: 78 MB RSS, 11 MB of it its own, the rest libLLVM pages shared with every clang) per
 * agent; `warm: false` turns it off.
 */
export class ClangPool {
  private spare: Promise<Started> | undefined;
  private refill: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly base: Omit<ClangRun, 'files' | 'main' | 'pchPath' | 'signal' | 'holdSource'>,
    private readonly warm: boolean,
    /** How long after a compile the next spare is started. */
    private readonly refillDelayMs = 300,
  ) {}

  /** Starts a spare for `pchPath` now (the agent calls it once the PCH is ready). */
  prepare(pchPath: string | undefined): void {
    if (!this.warm || this.closed || pchPath === undefined) return;
    if (this.refill) clearTimeout(this.refill);
    this.refill = undefined;
    const old = this.spare;
    this.spare = start(pchPath, this.base, true);
    // A spare nobody takes (its start failed) is reported by the compile that would have used it.
    this.spare.catch(() => {});
    if (old) void old.then(discard, () => {});
  }

  /**
   * The PCH file was replaced (rebuilt at the same path): a spare binds the old file, so it goes,
   * and a new one is started on the new file once it is built.
   */
  replacePch(next: Promise<string | undefined>): void {
    const old = this.spare;
    this.spare = undefined;
    if (old) void old.then(discard, () => {});
    void next.then((p) => this.prepare(p));
  }

  /** One compile: the spare if it fits (same PCH, still alive), otherwise a clang started now. */
  async run(r: ClangRun): Promise<{ exit: SandboxExit; object?: Buffer; warm: boolean }> {
    const spare = await this.takeSpare(r.pchPath);
    try {
      if (spare) return { ...(await finish(spare, r)), warm: true };
      return { ...(await finish(await start(r.pchPath, this.base, false), r)), warm: false };
    } finally {
      this.scheduleRefill(r.pchPath);
    }
  }

  /** Kills the spare and removes its folders (what an agent killed outright leaves, the next one sweeps). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill);
    const spare = this.spare;
    this.spare = undefined;
    const s = await spare?.catch(() => undefined);
    if (s) await discard(s);
  }

  private async takeSpare(pchPath: string | undefined): Promise<Started | undefined> {
    const p = this.spare;
    this.spare = undefined;
    if (!p) return undefined;
    const s = await p.catch(() => undefined);
    if (!s) return undefined;
    if (s.pchPath !== pchPath || s.proc.exited) {
      await discard(s);
      return undefined;
    }
    return s;
  }

  private scheduleRefill(pchPath: string | undefined): void {
    if (!this.warm || this.closed || pchPath === undefined || this.spare) return;
    if (this.refill) clearTimeout(this.refill);
    this.refill = setTimeout(() => {
      this.refill = undefined;
      if (!this.spare) this.prepare(pchPath);
    }, this.refillDelayMs);
    this.refill.unref();
  }
}

async function discard(s: Started): Promise<void> {
  s.proc.kill();
  await Promise.all([removeDir(s.src), removeDir(s.out)]);
}

/** clang's words when a PCH does not fit (stale, built with other flags): retry without it. */
export function pchRejected(stderr: string): boolean {
  return /precompiled header|PCH file|AST file/i.test(stderr);
}
