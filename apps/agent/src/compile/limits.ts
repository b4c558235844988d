/**
 * Every limit the compile stage enforces, in one place. The sandbox (sandbox.ts) turns the rlimits
 * below into `prlimit` flags with `rlimitArgs`, the wall clock into a timer that kills the whole
 * sandbox, and the output cap into a `[Truncated]` marker; cache.ts and queue.ts read the rest.
 */
export interface CompileLimits {
  /**
   * RLIMIT_CPU for clang, seconds. A hello-world takes 0.2–0.5 s; a 64 KiB snippet a few seconds
   * (4096 programs from one macro: ~6 s). Every second above that is a compile slot of two held by
   * one snippet.
   */
  cpuSeconds: number;
  /**
   * RLIMIT_AS for clang, bytes. Measured: clang-19 with vmlinux.h (6.18, 2.8 MB) fails under 300 MB
   * and works at 500 MB, for a plain compile and for the PCH build alike; 1.5 GiB leaves room for
   * big programs while two compiles still fit easily in RAM.
   */
  addressSpaceBytes: number;
  /** RLIMIT_FSIZE: largest file clang may write. The PCH is ~16 MB; objects are KiBs. */
  fileSizeBytes: number;
  /**
   * RLIMIT_NPROC. Counted per real uid across the whole machine, and every sandbox runs as the one
   * sandbox user (sandbox-user.ts), so this caps all sandboxed tools together, not one compile.
   */
  processes: number;
  /** Wall clock for one sandboxed run; on expiry the whole process tree is SIGKILLed. */
  wallMs: number;
  /** Size of the sandbox's private /tmp (tmpfs), where clang puts temporary files. */
  tmpfsBytes: number;
  /** How much of clang's text we keep (stdout+stderr), for `CompileResult.output`. */
  outputBytes: number;
  /** Parsed diagnostics kept per compile; clang's own `-ferror-limit` stops errors earlier. */
  maxDiagnostics: number;
  /** On-disk object cache size; the least recently used objects go first. */
  cacheBytes: number;
  /** Compiles running at once; more wait in a queue. The machine has 2 cores. */
  concurrency: number;
  /** Compiles allowed to wait; beyond this, compile() fails at once with "compile queue is full". */
  maxQueued: number;
}

export const DEFAULT_COMPILE_LIMITS: Readonly<CompileLimits> = Object.freeze({
  cpuSeconds: 10,
  addressSpaceBytes: 1536 * 1024 * 1024,
  fileSizeBytes: 64 * 1024 * 1024,
  processes: 256,
  wallMs: 30_000,
  tmpfsBytes: 64 * 1024 * 1024,
  outputBytes: 64 * 1024,
  maxDiagnostics: 200,
  cacheBytes: 256 * 1024 * 1024,
  concurrency: 2,
  maxQueued: 64,
});

export function resolveLimits(overrides: Partial<CompileLimits> = {}): CompileLimits {
  const limits: CompileLimits = { ...DEFAULT_COMPILE_LIMITS };
  for (const [k, v] of Object.entries(overrides) as [keyof CompileLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`compile limit ${k} must be a positive number, got ${v}`);
    limits[k] = v;
  }
  return limits;
}

/**
 * `prlimit` flags (util-linux) that apply the rlimits; soft = hard so clang cannot raise them,
 * except CPU: its hard limit is one second later so the soft one delivers SIGXCPU first, which
 * tells "CPU limit" apart from any other SIGKILL.
 */
export function rlimitArgs(limits: CompileLimits): string[] {
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  return [
    `--cpu=${cpu}:${cpu + 1}`,
    `--as=${Math.floor(limits.addressSpaceBytes)}`,
    `--fsize=${Math.floor(limits.fileSizeBytes)}`,
    `--nproc=${Math.floor(limits.processes)}`,
    // No core files: a crashing clang would otherwise write one as big as RLIMIT_AS allows.
    '--core=0',
  ];
}

/** Says which limit a killed or failed run most likely hit, in words a user can act on. */
export function describeLimitHit(
  limits: CompileLimits,
  exit: { signal: NodeJS.Signals | null; timedOut: boolean; stderr: string; durationMs?: number; aborted?: boolean },
): string | undefined {
  if (exit.timedOut) return `compile took longer than ${limits.wallMs / 1000} s (wall-clock limit) and was stopped`;
  if (
    exit.signal === 'SIGXCPU' ||
    ((exit.signal === 'SIGKILL' || exit.signal === 'SIGABRT') && cpuLimitKill(limits, exit)) ||
    (exit.signal === null && cpuLimitSurvived(limits, exit))
  )
    return `compile took too long: CPU limit (${limits.cpuSeconds} s of CPU time) reached and clang was stopped; make the program smaller (fewer programs, fewer unrolled loops or macro expansions)`;
  if (exit.signal === 'SIGXFSZ')
    return `compile tried to write a file over ${mib(limits.fileSizeBytes)} and was stopped`;
  // "failed to map segment": the limit is so low that clang's own libLLVM.so cannot be mapped.
  if (/out of memory|std::bad_alloc|Cannot allocate memory|Allocation failed|failed to map segment/i.test(exit.stderr))
    return `compile needed more than ${mib(limits.addressSpaceBytes)} of memory and was stopped`;
  return undefined;
}

/**
 * A SIGKILL we did not send (no wall-clock stop, no cancel) after at least the CPU limit's worth of
 * wall time is the hard RLIMIT_CPU: clang catches the soft limit's SIGXCPU in its crash handler
 * (measured: it printed a stack dump and went on until the hard limit killed it, ~21 s for a 20 s
 * limit, which used to read "clang crashed (SIGKILL)"). One clang is one thread, so it cannot have
 * used its CPU seconds in less wall time. SIGABRT the same: under load, a clang past the soft limit
 * was seen to end by abort() from that crash handler (reported as "clang crashed (SIGABRT)").
 */
function cpuLimitKill(
  limits: CompileLimits,
  exit: { timedOut: boolean; stderr: string; durationMs?: number; aborted?: boolean },
): boolean {
  if (exit.timedOut || exit.aborted) return false;
  return /CPU time/i.test(exit.stderr) || (exit.durationMs ?? 0) >= limits.cpuSeconds * 1000;
}

/**
 * The other ending of the soft limit: clang's crash handler prints its stack dump for SIGXCPU, deletes
 * the output's temporary file and returns; clang then finishes and fails to rename the file it no
 * longer has ("unable to rename temporary … No such file or directory", exit 1, no signal). Measured
 * with `prlimit --cpu=1:2 clang-19` on a compile needing ~1.4 s: 3 of 3 ended so. A stack dump
 * without a signal after at least the CPU limit's wall time is that, not a clang bug.
 */
function cpuLimitSurvived(
  limits: CompileLimits,
  exit: { timedOut: boolean; stderr: string; durationMs?: number; aborted?: boolean },
): boolean {
  if (exit.timedOut || exit.aborted) return false;
  return /^Stack dump:$/m.test(exit.stderr) && (exit.durationMs ?? 0) >= limits.cpuSeconds * 1000;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
