import type { RunOptions, ServerPayload, Snippet } from '@bpfplay/protocol';
import type { AgentContext } from '../agent-context.js';

/** What the stages of one run share on the agent side (prepare, side information). */
export interface RunScope {
  ctx: AgentContext;
  runId: string;
  sessionId: string;
  snippet: Snippet;
  options: RunOptions;
  send: (p: ServerPayload) => void;
  /** Side information (disassembly, CO-RE report) starts once this settles; default at once. */
  startAfter?: Promise<void>;
}
