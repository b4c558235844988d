import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Limits } from '@bpfplay/protocol';
import { LESSONS_FOLDER, SNIPPET_LIMITS } from '@bpfplay/protocol';
import { LESSONS_DIR_ENV } from '@bpfplay/lessons';
import type { CompileLimits } from './compile/limits.js';
import type { Policy } from './policy/policy.js';

/**
 * Every limit the agent enforces, in one place, with the reason for its default. The operator can
 * override them with flags or a policy file; the code that applies each limit imports it from here.
 */
export interface AgentLimits extends Limits {
  /** Open WebSocket sessions per token and in total. */
  maxSessionsPerToken: number;
  maxSessions: number;
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
};

export interface AgentConfig {
  host: string;
  port: number;
  token: string;
  /** Origins (scheme://host:port) browsers may connect from, besides the agent's own. */
  allowedOrigins: string[];
  dataDir: string;
  limits: AgentLimits;
  /** Binaries uprobes may attach to. */
  uprobeBinaries: string[];
  /** Warm runner processes kept ready, so a run does not wait for Node to start. */
  warmRunners: number;
  /** URL of the web app, printed with the token so one URL opens the playground. */
  webUrl?: string;
  /** The lesson track (bpf/lessons): checks read their lesson, trigger included, from here only. */
  lessonsDir: string;
  /** Operator additions to the program policy (policy/policy.ts), from --policy FILE. */
  policy?: Partial<Policy>;
  /** Operator overrides of the compile sandbox limits (compile/limits.ts), from --policy FILE. */
  compileLimits?: Partial<CompileLimits>;
  /**
   * Tests only, from BPFPLAY_TEST_HOLD_COMPILE: compiles whose main file contains this marker are
   * held in clang until cancelled (compile/index.ts, holdMarkedCompiles).
   */
  testHoldCompileMarker?: string;
}

/** apps/agent/ (works from src/ under tsx and from dist/ when bundled). */
export const AGENT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(AGENT_ROOT, '..', '..');

export function defaultConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    host: '127.0.0.1',
    port: 7100,
    token: randomBytes(24).toString('base64url'),
    allowedOrigins: ['http://127.0.0.1:3000', 'http://localhost:3000'],
    dataDir: process.env.BPFPLAY_DATA_DIR ?? join(REPO_ROOT, 'var'),
    lessonsDir: process.env[LESSONS_DIR_ENV] ?? join(REPO_ROOT, 'bpf', LESSONS_FOLDER),
    limits: { ...DEFAULT_LIMITS },
    uprobeBinaries: ['/usr/bin/bash', '/bin/bash', '/usr/bin/python3', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
    warmRunners: 1,
    ...(process.env.BPFPLAY_TEST_HOLD_COMPILE ? { testHoldCompileMarker: process.env.BPFPLAY_TEST_HOLD_COMPILE } : {}),
    ...overrides,
  };
}

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
