import type { Btf } from '@bpfplay/btf';
import type { AttachSupport } from '@bpfplay/protocol';
import type { Policy } from './policy/policy.js';
import type { Compiler } from './compile/index.js';
import type { AgentConfig } from './config.js';
import type { AuditLog } from './audit/audit-log.js';
import type { RunRegistry } from './run/registry.js';
import type { RunnerPool } from './runner/pool.js';
import type { CoReTargets } from './co-re/targets.js';
import type { LspService } from './lsp/service.js';
import type { GuestPools } from './runner/guest-pool.js';
import type { RunTargetEnv } from './run/target-env.js';

/**
 * What every session and run of one agent shares: services, never their users (it imports nothing
 * from session/ or run/controller, so no module that takes a context is imported back by it).
 */
export interface AgentContext {
  config: AgentConfig;
  compiler: Compiler;
  pool: RunnerPool;
  /** Warm guests of the kernel matrix, per kernel (runner/guest-pool.ts). */
  guests: GuestPools;
  /** Where runs may happen, by name: `host` (unless --isolate) and each kernel of the matrix. */
  targets: Map<string, RunTargetEnv>;
  /** The target of a run that names none: `host`, or with --isolate a kernel of the matrix. */
  defaultTarget: string;
  capabilities: AttachSupport[];
  policy: Policy;
  /** One JSON line per finished run in <dataDir>/audit.log. */
  audit?: AuditLog;
  /** This kernel's BTF, parsed once (≈100 ms) and shared by CO-RE reports and the policy. */
  vmlinux(): Btf;
  /** Helper id → name, from this kernel's enum bpf_func_id. */
  helperNames(): Map<number, string>;
  /** clangd processes and what the editor's channels share (lsp/service.ts). */
  lsp: LspService;
  /** BTF files to check CO-RE relocations against: bundled ones, plus each session's uploads. */
  coReTargets: CoReTargets;
  /** Every active run of the agent (for limits.maxConcurrentRuns). */
  runs: RunRegistry;
  /** Example name → its meta.json trigger (trigger/example-triggers.ts). */
  triggers: Map<string, string>;
  /** Counts a trigger in if the agent-wide limit allows it; false when it does not. */
  triggerStarted(): boolean;
  triggerEnded(): void;
}
