import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LESSONS_FOLDER } from '@bpfplay/protocol';
import { LESSONS_DIR_ENV } from '@bpfplay/lessons';
import type { CompileLimits } from './compile/limits.js';
import type { Policy } from './policy/policy.js';
import { DEFAULT_LIMITS, RUNNER_SHARING, type AgentLimits } from './limits.js';

export interface AgentConfig {
  host: string;
  port: number;
  token: string;
  /** Origins (scheme://host:port) browsers may connect from, besides the agent's own. */
  allowedOrigins: string[];
  /**
   * Peers whose X-Bpfplay-Client / X-Forwarded-For name the client they forward for (a relay or
   * reverse proxy; `--trust-proxy ADDR`); everyone else is counted by their own address.
   */
  trustedProxies: string[];
  dataDir: string;
  limits: AgentLimits;
  /** Binaries uprobes may attach to. */
  uprobeBinaries: string[];
  /** Warm runner processes with room for a run kept ready, so a run does not wait for Node to start. */
  warmRunners: number;
  /** Host runs one runner process hosts at once (--runs-per-runner; limits.ts RUNNER_SHARING says why 8). */
  runsPerRunner: number;
  /**
   * Every run goes to a kernel-matrix guest (a microVM thrown away after the run); `host` is not a
   * run target. For public workshops and untrusted users: see SECURITY.md, "Isolated mode".
   */
  isolate: boolean;
  /** Kernels whose guests are booted at agent start rather than at their first run (`all`, or names). */
  warmGuests: string[];
  /**
   * The name hello gives for this machine (BPFPLAY_NODE_NAME; default the hostname). In a
   * Kubernetes pod the hostname is the pod's, so the DaemonSet passes the node's name.
   */
  nodeName: string;
  /**
   * Run objects compiled by another agent (RunMessage.object, a fan-out run that compiles once).
   * Off by default: it hands libbpf's ELF parser bytes clang did not write. Turn it on for agents
   * that only the web app's relay or a fleet operator's CLI reach (docker/k8s does).
   */
  acceptObjects: boolean;
  /** Serve https/wss with this certificate and key (PEM files): TLS between the web app and agents. */
  tls?: { certFile: string; keyFile: string };
  /** URL of the web app, printed with the token so one URL opens the playground. */
  webUrl?: string;
  /** The lesson track (bpf/lessons): checks read their lesson, trigger included, from here only. */
  lessonsDir: string;
  /** The gallery (bpf/): the agent runs the `trigger` of an example's meta.json from here, and nothing else. */
  examplesDir: string;
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
    trustedProxies: [],
    dataDir: process.env.BPFPLAY_DATA_DIR ?? join(REPO_ROOT, 'var'),
    lessonsDir: process.env[LESSONS_DIR_ENV] ?? join(REPO_ROOT, 'bpf', LESSONS_FOLDER),
    limits: { ...DEFAULT_LIMITS },
    uprobeBinaries: ['/usr/bin/bash', '/bin/bash', '/usr/bin/python3', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
    warmRunners: 1,
    runsPerRunner: RUNNER_SHARING.runsPerRunner,
    examplesDir: join(REPO_ROOT, 'bpf'),
    ...(process.env.BPFPLAY_TEST_HOLD_COMPILE ? { testHoldCompileMarker: process.env.BPFPLAY_TEST_HOLD_COMPILE } : {}),
    isolate: false,
    warmGuests: [],
    nodeName: process.env.BPFPLAY_NODE_NAME || hostname(),
    acceptObjects: false,
    ...overrides,
  };
}
