import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_COMPILE_LIMITS, type CompileLimits } from '../compile/limits.js';
import { type AgentConfig } from '../config.js';
import { DEFAULT_LIMITS, type AgentLimits } from '../limits.js';
import type { Policy } from './policy.js';

/**
 * The operator's file (`bpfplay agent --policy FILE`): the program policy plus every quota, in one
 * JSON document an operator can read top to bottom. Everything is optional; what is given is merged
 * over the defaults (policy/policy.ts, limits.ts DEFAULT_LIMITS, compile/limits.ts). It is checked
 * strictly on load — an unknown key is a typo that would otherwise leave a limit at its default, so
 * the agent refuses to start and says which key and what it expected. See SECURITY.md and
 * apps/agent/policy.example.json.
 */
export interface OperatorConfig {
  policy: Partial<Policy>;
  limits: Partial<AgentLimits>;
  compile: Partial<CompileLimits>;
}

/** Program families a file may name (attach/kinds.ts, plus `raw_tp.w`, the writable raw tracepoint). */
export const POLICY_KINDS = [
  'tracepoint',
  'raw_tp',
  'raw_tp.w',
  'tp_btf',
  'kprobe',
  'kretprobe',
  'ksyscall',
  'uprobe',
  'uretprobe',
  'usdt',
  'fentry',
  'fexit',
  'fmod_ret',
  'lsm',
  'iter',
  'perf_event',
  'xdp',
  'tc',
  'socket',
  'cgroup',
  'struct_ops',
  'syscall',
] as const;

const Kind = z.enum(POLICY_KINDS, { error: `must be one of: ${POLICY_KINDS.join(', ')}` });
const Reason = z.string().min(1, { error: 'give the sentence the user will see (why it is refused)' });
const CName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a C function name' });
const Count = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be positive' });

function limitsShape<T extends object>(defaults: T): Record<keyof T, typeof Count> {
  return Object.fromEntries(Object.keys(defaults).map((k) => [k, Count])) as Record<keyof T, typeof Count>;
}

const OperatorFile = z.strictObject({
  /** Free text for the operator's own notes; JSON has no comments. */
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  deniedHelpers: z.record(CName, Reason).optional(),
  deniedKfuncs: z.record(CName, Reason).optional(),
  allowedKfuncs: z.array(CName).optional(),
  allowedKinds: z.array(Kind).optional(),
  deniedKinds: z.partialRecord(Kind, Reason).optional(),
  /** Replaces the defaults: `{}` closes the packet lab to flow dissectors too. */
  packetLabKinds: z.partialRecord(z.enum(['flow_dissector']), Reason).optional(),
  uprobeBinaries: z.array(z.string().startsWith('/', { error: 'must be an absolute path' })).optional(),
  limits: z.strictObject(limitsShape(DEFAULT_LIMITS)).partial().optional(),
  compile: z.strictObject(limitsShape(DEFAULT_COMPILE_LIMITS)).partial().optional(),
});

export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
}

/** 1-based line and column of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? issue.path.join('.') : 'the top level';
    const known = Object.keys(
      issue.path[0] === 'limits'
        ? DEFAULT_LIMITS
        : issue.path[0] === 'compile'
          ? DEFAULT_COMPILE_LIMITS
          : OperatorFile.shape,
    );
    const guesses = issue.keys
      .map((k) => known.find((n) => editDistance(k.toLowerCase(), n.toLowerCase()) <= 2))
      .filter(Boolean);
    const hint = guesses.length ? ` (did you mean ${guesses.map((g) => `"${g}"`).join(', ')}?)` : '';
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${hint}; known keys: ${known.join(', ')}`;
  }
  return `${path}: ${issue.message}`;
}

/** Levenshtein distance, for "did you mean" on a mistyped key. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Cross-field rules the per-key schema cannot see. */
function checkMerged(limits: AgentLimits, compile: CompileLimits): string[] {
  const bad: string[] = [];
  if (limits.defaultRunSeconds > limits.maxRunSeconds)
    bad.push(
      `limits.defaultRunSeconds (${limits.defaultRunSeconds}) is above limits.maxRunSeconds (${limits.maxRunSeconds})`,
    );
  if (limits.lowWaterBytes >= limits.highWaterBytes)
    bad.push(
      `limits.lowWaterBytes (${limits.lowWaterBytes}) must be below limits.highWaterBytes (${limits.highWaterBytes})`,
    );
  if (limits.maxSessionsPerToken > limits.maxSessions)
    bad.push(
      `limits.maxSessionsPerToken (${limits.maxSessionsPerToken}) is above limits.maxSessions (${limits.maxSessions})`,
    );
  if (limits.maxBtfUploadBytes > limits.maxBtfUploadBytesTotal)
    bad.push(
      `limits.maxBtfUploadBytes (${limits.maxBtfUploadBytes}) is above limits.maxBtfUploadBytesTotal (${limits.maxBtfUploadBytesTotal})`,
    );
  if (compile.cpuSeconds * 1000 > compile.wallMs * 4)
    bad.push(
      `compile.cpuSeconds (${compile.cpuSeconds}) cannot be reached within compile.wallMs (${compile.wallMs}); the wall clock would always stop it first`,
    );
  return bad;
}

/** Parse and check a policy file's text; `source` names it in errors. Throws PolicyFileError. */
export function parsePolicyFile(text: string, source: string): OperatorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /at position (\d+)/.exec(msg);
    const at = pos ? `:${lineCol(text, Number(pos[1]))}` : '';
    throw new PolicyFileError(`policy file ${source}${at}: not valid JSON: ${msg}`);
  }
  const r = OperatorFile.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 10).map(describe);
    throw new PolicyFileError(
      `policy file ${source} is not valid:\n  ${lines.join('\n  ')}\nsee apps/agent/policy.example.json for the format`,
    );
  }
  const { limits = {}, compile = {}, $comment: _, ...policy } = r.data;
  const bad = checkMerged({ ...DEFAULT_LIMITS, ...limits }, { ...DEFAULT_COMPILE_LIMITS, ...compile });
  if (bad.length) throw new PolicyFileError(`policy file ${source} is not valid:\n  ${bad.join('\n  ')}`);
  return { policy: policy as Partial<Policy>, limits, compile };
}

export function loadPolicyFile(path: string): OperatorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyFileError(`cannot read the policy file ${path}: ${(e as Error).message}`);
  }
  return parsePolicyFile(text, path);
}

/** Put a loaded file into the agent's config: the policy, the quotas, the compile limits. */
export function applyOperatorConfig(config: AgentConfig, op: OperatorConfig): void {
  config.policy = { ...(config.policy ?? {}), ...op.policy };
  Object.assign(config.limits, op.limits);
  config.compileLimits = { ...(config.compileLimits ?? {}), ...op.compile };
  // hello and the runners read the list from the config; the policy check reads it from the policy.
  if (op.policy.uprobeBinaries) config.uprobeBinaries = [...op.policy.uprobeBinaries];
}
