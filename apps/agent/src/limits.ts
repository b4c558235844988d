import type { Limits } from '@bpfplay/protocol';
import { SNIPPET_LIMITS } from '@bpfplay/protocol';

/*
 * Every limit the agent applies, in one module, each with the reason for its value:
 *   AgentLimits / DEFAULT_LIMITS — what the operator may change (flags, --policy FILE);
 *   RUN_TIMES — the fixed times of a run's life on the agent (run/controller.ts);
 *   the compile sandbox's limits (CPU, memory, wall clock, queue) are CompileLimits in
 *   compile/limits.ts, next to the prlimit flags that apply them, re-exported here.
 * The snippet's own size and file count come from the protocol (SNIPPET_LIMITS, snippetBytes).
 */
export { DEFAULT_COMPILE_LIMITS, type CompileLimits } from './compile/limits.js';

/**
 * The limits an operator may change, with the reason for each default. Flags and a policy file
 * override them; the code that applies each limit reads it from the agent's config.
 */
export interface AgentLimits extends Limits {
  /** Open WebSocket sessions per token and in total. */
  maxSessionsPerToken: number;
  maxSessions: number;
  /**
   * Open sessions per client (server/client-key.ts: the peer address, or the client a trusted
   * proxy forwards for), so one participant cannot take every session the shared token allows.
   */
  maxSessionsPerClient: number;
  /** CO-RE target BTF files one session may upload (another kernel's vmlinux BTF is ~5 MB). */
  maxBtfUploadsPerSession: number;
  /** Largest single BTF upload, bytes (decoded). Parsing it holds the agent's event loop (~25 ms per MB here). */
  maxBtfUploadBytes: number;
  /** All sessions' BTF uploads together on disk, bytes: measured, 30 unbounded uploads took 158 MB. */
  maxBtfUploadBytesTotal: number;
  /** Concurrent runs in one session (a second tab of the same user is another session). */
  maxRunsPerSession: number;
  /** printk lines per second per session before lines are dropped and counted. */
  maxPrintkPerSec: number;
  /**
   * Bytes per second of streamed records (events + printk, as JSON) per session before records are
   * dropped and counted. With `maxEventsPerSec` (also per session) this is what one flooding program
   * can cost the agent; a session's runs share both budgets equally.
   */
  maxBytesPerSec: number;
  /** Map entries sent per map per snapshot; the rest is reported as "N more". */
  maxMapEntries: number;
  /** Frames per second per session (design: ≤ 60, each holding many records). */
  maxFramesPerSec: number;
  /** Socket bytes queued before the agent stops sending bulk frames to that client and counts drops. */
  highWaterBytes: number;
  lowWaterBytes: number;
  /** Protocol errors a connection may cause before the agent closes it. */
  maxProtocolErrors: number;
  /**
   * clangd processes alive at once (the editor's completion, hover, diagnostics), the waiting
   * spare included. A session holds at most one; past this, the least recently used session's
   * goes (it starts again at that session's next edit). See lsp/pool.ts for the measurement.
   */
  lspMaxProcesses: number;
  /** A session's clangd ends after this long without an edit or request. */
  lspIdleMs: number;
  /** RLIMIT_AS of one clangd, bytes (measured peak with vmlinux.h ≈ 0.95 GB of address space). */
  lspAddressSpaceBytes: number;
  /** RLIMIT_CPU of one clangd over its whole life, seconds; past it the process ends and starts again on demand. */
  lspCpuSeconds: number;
  /** Editor requests (completion, hover...) a session may have waiting at once; more are answered "busy". */
  lspMaxPendingRequests: number;
  /** Milliseconds clangd may take to answer one request before the editor is told it timed out. */
  lspRequestTimeoutMs: number;
  /** Example triggers (client `trigger`) running at once on the agent; one per session at most. */
  maxTriggers: number;
  /** Seconds an example trigger may run before it is killed. */
  triggerSeconds: number;
}

export const DEFAULT_LIMITS: AgentLimits = {
  // A workshop exercise runs for seconds to minutes; an hour stops forgotten tabs holding probes.
  maxRunSeconds: 3600,
  defaultRunSeconds: 60,
  maxSnippetBytes: SNIPPET_LIMITS.maxTotalBytes,
  maxFiles: SNIPPET_LIMITS.maxFiles,
  // A browser table cannot show more; the bench measures what the pipeline itself can carry.
  maxEventsPerSec: 200_000,
  // Sum of key+value bytes × max_entries over a run's maps, before load.
  maxMapBytes: 256 << 20,
  maxPrograms: 64,
  maxConcurrentRuns: 64,
  maxSessionsPerToken: 64,
  maxSessions: 256,
  // A person's tabs; a classroom behind one address comes through a trusted proxy naming each learner.
  maxSessionsPerClient: 16,
  maxBtfUploadsPerSession: 4,
  maxBtfUploadBytes: 16 << 20,
  maxBtfUploadBytesTotal: 64 << 20,
  maxRunsPerSession: 4,
  maxPrintkPerSec: 20_000,
  maxBytesPerSec: 32 << 20,
  maxMapEntries: 512,
  maxFramesPerSec: 60,
  highWaterBytes: 8 << 20,
  lowWaterBytes: 1 << 20,
  maxProtocolErrors: 100,
  lspMaxProcesses: 24,
  lspIdleMs: 10 * 60_000,
  lspAddressSpaceBytes: 2048 * 1024 * 1024,
  lspCpuSeconds: 900,
  lspMaxPendingRequests: 8,
  lspRequestTimeoutMs: 10_000,
  // Triggers are short shell loops (the longest, runqlat's, keeps three CPUs busy for 1 s).
  maxTriggers: 4,
  triggerSeconds: 20,
};

/**
 * The fixed times of one run's life on the agent (run/controller.ts): not operator settings,
 * because each follows from how the pieces behave, measured here.
 */
export const RUN_TIMES = Object.freeze({
  /**
   * Load + attach (the verifier included) must finish within this, whatever the run time: the run
   * time counts from attach, so a verifier that takes seconds on a big program does not use up a
   * short run, and this catches one that never finishes.
   */
  startupLimitS: 120,
  /**
   * How long a runner may stay silent after `stop` before it is killed. While it is still sending
   * (the final drain of a flooded ring, its last map snapshot) the wait is extended, up to
   * stopMaxMs: killing it mid-way would lose the frames that make "produced = delivered + dropped"
   * add up.
   */
  stopGraceMs: 3000,
  stopMaxMs: 20_000,
  /**
   * After `running`, how long side information (disassembly, CO-RE report) waits for the run's
   * first output before it starts anyway: spawning llvm-objdump forks the agent (tens of ms here)
   * and competes for the two cores with the path to the first event.
   */
  sideInfoDelayMs: 150,
  /** The final `stopped` frame waits this long at most for side information still being made. */
  sideInfoMaxWaitMs: 5000,
});

/**
 * How runner processes are shared between host runs (runner/pool.ts). Operator settings for the
 * count per process: --runs-per-runner N (config.runsPerRunner, default `runsPerRunner`).
 */
export const RUNNER_SHARING = Object.freeze({
  /**
   * Runs one runner process hosts at once. Bench figure 4 (50 learners pressing Run together on
   * 2 cores): a process per run spent ~0.4 s of CPU and ~70 MiB each just starting. Eight per
   * process keeps 50 runs in 7 processes, while a verifier busy with one run's load (the runner's
   * thread is blocked during bpf_prog_load) holds up the streams of at most 7 others.
   */
  runsPerRunner: 8,
  /**
   * Runs a process hosts over its life before it takes no more and exits when empty: whatever a
   * run leaves behind in the process (heap, libbpf caches, a leak nobody has found yet) is bounded.
   */
  lifetimeRuns: 64,
  /** An empty shared runner waits this long for the next run before it exits (learners press Run again). */
  idleLingerMs: 10_000,
  /**
   * Room for runs kept started for open sessions that have none (runner/pool.ts): at most this many
   * runs, i.e. 8 processes of ~50 MiB each when 64 or more learners sit in front of the agent.
   */
  roomForSessionsMax: 64,
  /**
   * Shared runners run at this nice value, below the compiles (0): when 50 learners press Run
   * together, the compile queue is what every one of them waits on, while the runs already attached
   * only stream (their lines come a little later; nothing is lost, the rings hold them). Bench
   * figure 4: the runners' streaming took CPU from the compiles that the last learners waited for.
   * On an idle machine nice changes nothing.
   */
  nice: 5,
});

export function publicLimits(l: AgentLimits): Limits {
  return {
    maxRunSeconds: l.maxRunSeconds,
    defaultRunSeconds: l.defaultRunSeconds,
    maxSnippetBytes: l.maxSnippetBytes,
    maxFiles: l.maxFiles,
    maxEventsPerSec: l.maxEventsPerSec,
    maxMapBytes: l.maxMapBytes,
    maxPrograms: l.maxPrograms,
    maxConcurrentRuns: l.maxConcurrentRuns,
  };
}
