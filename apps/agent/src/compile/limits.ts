/**
 * Every limit the compile stage enforces, in one place. The sandbox (sandbox.ts) turns the rlimits
 * below into `prlimit` flags with `rlimitArgs`, the wall clock into a timer that kills the whole
 * sandbox, and the output cap into a `[Truncated]` marker; cache.ts and queue.ts read the rest.
 */
export interface CompileLimits {
  /** RLIMIT_CPU for clang, seconds. A hello-world takes 0.2–0.5 s; a 64 KiB snippet a few seconds. */
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
   * RLIMIT_NPROC. Counted per real uid across the whole machine, and every sandbox runs as 65534,
   * so this caps all compiles (and any other `nobody` process) together, not one compile.
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
  cpuSeconds: 20,
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
  exit: { signal: NodeJS.Signals | null; timedOut: boolean; stderr: string },
): string | undefined {
  if (exit.timedOut) return `compile took longer than ${limits.wallMs / 1000} s (wall-clock limit) and was stopped`;
  if (exit.signal === 'SIGXCPU' || (exit.signal === 'SIGKILL' && /CPU time/i.test(exit.stderr)))
    return `compile used more than ${limits.cpuSeconds} s of CPU time and was stopped`;
  if (exit.signal === 'SIGXFSZ')
    return `compile tried to write a file over ${mib(limits.fileSizeBytes)} and was stopped`;
  // "failed to map segment": the limit is so low that clang's own libLLVM.so cannot be mapped.
  if (/out of memory|std::bad_alloc|Cannot allocate memory|Allocation failed|failed to map segment/i.test(exit.stderr))
    return `compile needed more than ${mib(limits.addressSpaceBytes)} of memory and was stopped`;
  return undefined;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
