/**
 * The compile stage: snippet → BPF object, diagnostics, disassembly.
 *
 *   compile(): validate → object cache (hit) → same snippet already compiling? share it →
 *              PCH if the program starts with vmlinux.h → queue (2 at once) → clang in bwrap as
 *              the user bpfplay-sandbox (sandbox.ts, sandbox-user.ts, limits.ts) → diagnostics.ts →
 *              cache the object.
 *   disassemble(): llvm-objdump in the same sandbox → disasm.ts, source lines from sources.ts.
 *
 * Modules: vmlinux.ts (vmlinux.h by BTF hash), pch.ts, cache.ts, queue.ts, clang.ts,
 * toolchain.ts (paths, flags), paths.ts (sandbox paths → the user's names), storage.ts, spawner.ts
 * (the small process that starts every sandbox, so the agent itself never forks for one).
 */
import { createHash } from 'node:crypto';
import { access, chmod, constants as fsConstants, mkdir } from 'node:fs/promises';
import { type Diagnostic, type DisasmLine, describeIssues, mainFileOf, Snippet } from '@bpfplay/protocol';
import { cacheKey, ObjectCache } from './cache.js';
import { ClangPool, pchRejected } from './clang.js';
import { parseDiagnostics } from './diagnostics.js';
import { explainStackLimit, hasStackLimitError } from './stack-limit.js';
import { loadHelperNames, parseDisassembly, runObjdump } from './disasm.js';
import { type CompileLimits, describeLimitHit, resolveLimits } from './limits.js';
import { displayText } from './paths.js';
import { canUsePch, PrecompiledHeader, preludeMacros } from './pch.js';
import { CompileQueue, QueueFullError } from './queue.js';
import { abortError, BWRAP, runSandboxed } from './sandbox.js';
import { knownHeaders, makeSourceLookup } from './sources.js';
import { BASE_FLAGS, clangVersion, DEFAULT_INCLUDE_DIR, headersHash, OBJDUMP } from './toolchain.js';
import { ensureVmlinuxHeader } from './vmlinux.js';
import { sweepStaleRunDirs } from './storage.js';
import { SANDBOX_USER, sandboxIds } from './sandbox-user.js';
import { decodeHostFunction, HostFunctionCache, type HostInstruction } from './host-disasm.js';

export { type CompileLimits, DEFAULT_COMPILE_LIMITS } from './limits.js';
export { QueueFullError } from './queue.js';
export type { HostInstruction } from './host-disasm.js';

export interface CompileResult {
  ok: boolean;
  object?: Buffer;
  diagnostics: Diagnostic[];
  /** clang's own text, sandbox paths replaced by the snippet's names, capped with `[Truncated]`. */
  output: string;
  /** Time spent compiling (or looking up the cache), not waiting in the queue. */
  durationMs: number;
  cache: 'hit' | 'pch' | 'cold';
  /** clang was already started and waiting for the source (ClangPool), which saves its start-up. */
  warm?: boolean;
  /** sha256 of the object bytes, hex. */
  objectHash?: string;
}

export interface Compiler {
  /** Rejects only when cancelled (AbortError) or the queue is full (QueueFullError); every other failure is a result. */
  compile(
    snippet: Snippet,
    opts?: { signal?: AbortSignal; onQueued?: (position: number) => void },
  ): Promise<CompileResult>;
  disassemble(
    object: Buffer,
    snippet: Snippet,
  ): Promise<{ section: string; programs: string[]; lines: DisasmLine[] }[]>;
  /**
   * The instructions in [from, to) of a host binary (a function decoded from its entry), for the
   * uprobe policy; llvm-objdump in the sandbox, through the compile queue, remembered per function.
   */
  decodeHostFunction(path: string, from: number, to: number): Promise<HostInstruction[]>;
  readonly info: { clangVersion: string; btfHash: string; vmlinuxHeader: string };
  /** Stops the clang kept waiting for the next compile; resolves once it and every cache write are done. */
  close(): Promise<void>;
}

export interface CompilerOptions {
  cacheDir: string;
  /** Default /sys/kernel/btf/vmlinux. */
  btfPath?: string;
  limits?: Partial<CompileLimits>;
  /** Compiles at once; same as limits.concurrency. */
  concurrency?: number;
  /** Our headers (printk shim, bpfplay.h); default apps/agent/include. */
  includeDir?: string;
  /** Where problems that do not stop compiles go (read-only cache, PCH build failure). */
  warn?: (message: string) => void;
  /** Keep a clang started ahead of time for the next compile (default true; see ClangPool). */
  warm?: boolean;
  /** For tests only: see CompileTestHooks. */
  testHooks?: CompileTestHooks;
}

/**
 * Lets a test hold a compile inside clang for as long as it needs, instead of hoping a big source
 * takes longer than the test's next step (it did not on a machine 2.5× faster than this one).
 */
export interface CompileTestHooks {
  /**
   * Called with the main file's text as it is written to clang's stdin. Return a promise to keep
   * stdin open — clang waits for the rest of its input, holding its compile slot — until it
   * settles (or the compile is cancelled or hits the wall-clock limit); undefined lets it go.
   */
  holdSource?(main: string): Promise<void> | undefined;
}

/**
 * The hook the agent installs when BPFPLAY_TEST_HOLD_COMPILE=<marker> is set (by tests that start
 * an agent process): a compile whose main file contains the marker stays in clang until cancelled
 * (Stop) or the wall-clock limit, and the agent says so on its log, so the test knows the slot is taken.
 */
export function holdMarkedCompiles(marker: string, log: (line: string) => void): CompileTestHooks {
  return {
    holdSource(main) {
      if (!main.includes(marker)) return undefined;
      log(`test hook: holding a compile in clang until it is cancelled (${marker})`);
      return new Promise<void>(() => {});
    },
  };
}

export async function createCompiler(opts: CompilerOptions): Promise<Compiler> {
  const limits = resolveLimits({
    ...opts.limits,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
  });
  const warn = opts.warn ?? ((m: string) => console.warn(`[compile] ${m}`));
  const includeDir = opts.includeDir ?? DEFAULT_INCLUDE_DIR;
  const { cacheDir } = opts;
  await preflight();
  // Folders left by agents that were killed mid-compile.
  await sweepStaleRunDirs();
  // Root's alone: the sandbox reaches what it needs in there (vmlinux.h, the PCH) through its mounts.
  await mkdir(cacheDir, { recursive: true, mode: 0o700 })
    .then(() => chmod(cacheDir, 0o700))
    .catch((e: Error) => warn(`cannot create cache folder ${cacheDir}: ${e.message}`));

  const [clang, vmlinux, hHash, helpers] = await Promise.all([
    clangVersion(),
    ensureVmlinuxHeader({ cacheDir, btfPath: opts.btfPath ?? '/sys/kernel/btf/vmlinux', warn }),
    headersHash(includeDir),
    loadHelperNames(),
  ]);
  await smokeTest(limits);
  const macros = await preludeMacros(includeDir, vmlinux.path);
  const pch = new PrecompiledHeader({
    cacheDir,
    key: sha256([clang, ...BASE_FLAGS, vmlinux.headerHash, hHash].join('\0')),
    includeDir,
    vmlinuxDir: vmlinux.dir,
    limits,
    warn,
  });
  const pool = new ClangPool({ includeDir, vmlinuxDir: vmlinux.dir, limits }, opts.warm ?? true);
  // Start building now so the first compile finds it ready (~1 s, once per kernel and clang), and
  // then a clang waiting for that first compile.
  void pch.get().then((p) => pool.prepare(p));
  const cache = await ObjectCache.open(cacheDir, limits.cacheBytes, warn);
  const queue = new CompileQueue(limits.concurrency, limits.maxQueued);
  const headers = knownHeaders(includeDir, vmlinux.path);
  const inflight = new Map<string, Promise<CompileResult>>();
  const decoded = new HostFunctionCache();
  /** Objects on their way to the disk cache: the run that compiled one does not wait for the write. */
  const writing = new Map<string, Promise<void>>();

  async function compile(
    input: Snippet,
    o: { signal?: AbortSignal; onQueued?: (position: number) => void } = {},
  ): Promise<CompileResult> {
    const t0 = performance.now();
    const parsed = Snippet.safeParse(input);
    if (!parsed.success) return refuse(`the snippet is not valid: ${describeIssues(parsed.error)}`, t0);
    const snippet = parsed.data;
    const main = mainFileOf(snippet.files, snippet.main)!;
    if (!main.endsWith('.c')) return refuse(`the main file ${main} is not a .c file; name a .bpf.c file as main`, t0);

    const key = cacheKey({
      files: snippet.files,
      main,
      flags: BASE_FLAGS,
      clangVersion: clang,
      btfHash: vmlinux.btfHash,
      vmlinuxHash: vmlinux.headerHash,
      headersHash: hHash,
    });
    // A result still being written to the cache is as good as a hit.
    await writing.get(key);
    const hit = await cache.get(key);
    if (hit) {
      return { ok: true, ...hit, durationMs: performance.now() - t0, cache: 'hit', objectHash: sha256(hit.object) };
    }
    // The same snippet already compiling (a workshop pressing Run on one example at once): wait
    // for that result instead of queueing another clang. If that compile was cancelled, do our own.
    const running = inflight.get(key);
    if (running) {
      const shared = await untilAborted(
        running.catch(() => undefined),
        o.signal,
      );
      if (shared) return { ...shared, durationMs: performance.now() - t0, cache: shared.ok ? 'hit' : shared.cache };
    }
    const mine = compileUncached(snippet.files, main, key, o).catch((e: Error) => {
      if (o.signal?.aborted || e instanceof QueueFullError) throw e;
      // The agent's own trouble (no space in /tmp, bwrap vanished): still an answer, not a throw.
      return refuse(`the agent could not run the compiler: ${e.message}`, t0);
    });
    inflight.set(key, mine);
    try {
      return await mine;
    } finally {
      if (inflight.get(key) === mine) inflight.delete(key);
    }
  }

  async function compileUncached(
    files: Snippet['files'],
    main: string,
    key: string,
    o: { signal?: AbortSignal; onQueued?: (position: number) => void },
  ): Promise<CompileResult> {
    // Outside the queue: the PCH build does not take a compile slot, so nothing can wait on itself.
    let pchPath = canUsePch(files, main, macros) ? await pch.get() : undefined;
    if (o.signal?.aborted) throw abortError(o.signal);

    return queue.run(
      async () => {
        const started = performance.now();
        const common = {
          files,
          main,
          includeDir,
          vmlinuxDir: vmlinux.dir,
          limits,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(opts.testHooks?.holdSource ? { holdSource: (m: string) => opts.testHooks!.holdSource!(m) } : {}),
        };
        let r = await pool.run({ ...common, pchPath });
        if (r.exit.aborted) throw abortError(o.signal!);
        if (pchPath !== undefined && r.exit.code !== 0 && pchRejected(r.exit.stderr)) {
          warn(`clang refused the precompiled header; rebuilding it. clang said:\n${r.exit.stderr}`);
          pch.invalidate();
          pool.replacePch(pch.get());
          pchPath = undefined;
          r = await pool.run({ ...common, pchPath });
          if (r.exit.aborted) throw abortError(o.signal!);
        }
        const { exit, object } = r;
        const output = displayText([exit.stdout, exit.stderr].filter(Boolean).join('\n'));
        let diagnostics = parseDiagnostics(exit.stderr, limits.maxDiagnostics);
        if (!object && hasStackLimitError(diagnostics))
          diagnostics = await explainStackLimit(diagnostics, { ...common, pchPath });
        const limitHit = describeLimitHit(limits, exit);
        // First: the limit is why it failed; whatever clang said before it was stopped follows.
        if (limitHit) diagnostics.unshift({ file: '', line: 0, col: 0, severity: 'fatal', message: limitHit });
        else if (!object && !diagnostics.some((d) => d.severity === 'error' || d.severity === 'fatal')) {
          diagnostics.push({
            file: '',
            line: 0,
            col: 0,
            severity: 'fatal',
            // bwrap turns "killed by signal n" into exit 128+n; sandbox.ts decodes it into exit.signal.
            message: exit.signal
              ? `clang crashed (killed by ${exit.signal}) without a diagnostic; the agent goes on — see the output, and report it if it happens again`
              : `clang failed without a diagnostic (exit ${exit.code}); see the output`,
          });
        }
        const result: CompileResult = {
          ok: object !== undefined,
          diagnostics,
          output,
          durationMs: performance.now() - started,
          cache: pchPath !== undefined ? 'pch' : 'cold',
          warm: r.warm,
        };
        if (object) {
          result.object = object;
          result.objectHash = sha256(object);
          const put = cache.put(key, { object, diagnostics, output }).finally(() => {
            if (writing.get(key) === put) writing.delete(key);
          });
          writing.set(key, put);
        }
        return result;
      },
      { ...(o.signal ? { signal: o.signal } : {}), ...(o.onQueued ? { onQueued: o.onQueued } : {}) },
    );
  }

  async function disassemble(object: Buffer, input: Snippet) {
    const snippet = Snippet.parse(input);
    const text = await queue.run(() => runObjdump(object, limits), { background: true });
    return parseDisassembly(text, makeSourceLookup(snippet.files, headers), helpers);
  }

  return {
    compile,
    disassemble,
    decodeHostFunction: (path, from, to) =>
      decoded.get(path, from, to, () => queue.run(() => decodeHostFunction(path, from, to, limits))),
    info: { clangVersion: clang, btfHash: vmlinux.btfHash, vmlinuxHeader: vmlinux.path },
    close: async () => {
      await pool.close();
      await Promise.all(writing.values());
    },
  };
}

function refuse(message: string, t0: number): CompileResult {
  return {
    ok: false,
    diagnostics: [{ file: '', line: 0, col: 0, severity: 'fatal', message }],
    output: message,
    durationMs: performance.now() - t0,
    cache: 'cold',
  };
}

/** Waits for `p`, or rejects with AbortError as soon as `signal` fires. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Says what is missing before the first compile does, in terms of what to install or change. */
async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the compile sandbox must be started as root: bwrap sets it up and setpriv then drops clang to the user ${SANDBOX_USER}; run the agent as root`,
    );
  }
  sandboxIds(); // throws, with the fix, when setup has not created the sandbox user
  const tools: [string, string][] = [
    [BWRAP, 'bubblewrap'],
    ['/usr/bin/setpriv', 'util-linux'],
    ['/usr/bin/prlimit', 'util-linux'],
    [OBJDUMP, 'llvm-19'],
  ];
  for (const [path, pkg] of tools) {
    try {
      await access(path, fsConstants.X_OK);
    } catch {
      throw new Error(`${path} is missing; install the Debian package ${pkg}`);
    }
  }
}

/** One trivial sandboxed run, so a host that cannot make namespaces fails at start, clearly. */
async function smokeTest(limits: CompileLimits): Promise<void> {
  const exit = await runSandboxed({ argv: ['/usr/bin/true'], mounts: [], limits });
  if (exit.code !== 0) {
    throw new Error(
      `the compile sandbox (bwrap) does not work on this host (exit ${exit.code ?? exit.signal}): ${exit.stderr.trim()}`,
    );
  }
}
