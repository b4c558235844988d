import { z } from 'zod';
import { Diagnostic, SourceLocation, TargetName, Value } from './common';
import { RecordLayout } from './decode/layout';
import { frame, NodeName, runFrame } from './frame';
import { CheckedMessage, LspDiagnosticsMessage, LspResponseMessage, LspStatusMessage } from './lsp';
import { ExpectationResult } from './lessons';
import { ProjectMessage } from './project';
import { TestRunMessage } from './packet-lab';

/** What this kernel can attach, probed at agent start (never hard-coded: hosts differ). */
export const AttachSupport = z.object({
  /** `tracepoint`, `raw_tp`, `tp_btf`, `uprobe`, `kprobe`, `fentry`, `iter`, `perf_event`, `xdp`, ... */
  kind: z.string(),
  supported: z.boolean(),
  /** Why not, in the kernel's words plus ours (e.g. "CONFIG_KPROBES is off: kprobe PMU missing"). */
  reason: z.string().optional(),
  /** What to use instead. */
  hint: z.string().optional(),
});
export type AttachSupport = z.infer<typeof AttachSupport>;

/** A kernel of the matrix, as setup fetched it (scripts/kernels.sh): a run target and a CO-RE target. */
export const KernelInfo = z.object({
  /** The target's name, e.g. `6.1`. */
  name: z.string(),
  /** `uname -r` inside its guest. */
  release: z.string(),
  /** The Debian package it came from. */
  source: z.string(),
  /** Read from its build configuration. */
  highlights: z.object({
    btf: z.boolean(),
    kprobes: z.boolean(),
    fentry: z.boolean(),
    ringbuf: z.boolean(),
    lsm: z.boolean(),
    uprobes: z.boolean(),
  }),
  /** What its guests can attach (the same shape as the host's `attach`). */
  attach: z.array(AttachSupport),
  /** `tcg` (emulated) or `kvm`. */
  accel: z.string(),
});
export type KernelInfo = z.infer<typeof KernelInfo>;

export const Limits = z.object({
  maxRunSeconds: z.number(),
  defaultRunSeconds: z.number(),
  maxSnippetBytes: z.number(),
  maxFiles: z.number(),
  maxEventsPerSec: z.number(),
  maxMapBytes: z.number(),
  maxPrograms: z.number(),
  maxConcurrentRuns: z.number(),
});
export type Limits = z.infer<typeof Limits>;

/**
 * How busy an agent is when it says hello (or answers GET /api/info): the web app places learners
 * and shows a fleet's nodes by it. Absent on agents older than issue 19.
 */
export const AgentLoad = z.object({
  /** Runs loaded or starting now (the agent admits `limits.maxConcurrentRuns`). */
  runs: z.number().int().nonnegative(),
  /** Open sessions (browser tabs, CLI runs, relayed learners). */
  sessions: z.number().int().nonnegative(),
  /** The machine's 1-minute load average (os.loadavg), to compare with `capabilities.cpus`. */
  loadAvg1: z.number().nonnegative(),
});
export type AgentLoad = z.infer<typeof AgentLoad>;

/** What an agent is: `hello` without its session, and the body of GET /api/info (the registry reads it). */
export const AgentInfo = z.object({
  version: z.number().int(),
  agent: z.object({ version: z.string(), hostname: z.string() }),
  capabilities: z.object({
    kernelRelease: z.string(),
    arch: z.string(),
    cpus: z.number().int(),
    btf: z.boolean(),
    attach: z.array(AttachSupport),
    /** Bundled BTF files a run can check CO-RE relocations against. */
    coreTargets: z.array(z.string()),
    /** Where a run may happen (RunOptions.targets): `host` and the kernels' names; `host` is absent on an `--isolate` agent. */
    runTargets: z.array(z.string()),
    /** The kernel matrix: one entry per kernel in `runTargets`. */
    kernels: z.array(KernelInfo).optional(),
    /**
     * How the matrix's guests run, probed at agent start: `kvm` only where /dev/kvm exists and a
     * probe guest booted with it in time; `why` says what the probe found (e.g. no /dev/kvm).
     */
    guestAccel: z.object({ accel: z.enum(['tcg', 'kvm']), why: z.string() }).optional(),
    /** Binaries uprobes may attach to. */
    uprobeBinaries: z.array(z.string()),
    /** Gallery examples whose meta.json trigger this agent runs on request (client `trigger`); absent on older agents. */
    triggers: z.array(z.string()).optional(),
    /** The agent runs objects compiled elsewhere (RunMessage.object): started with --accept-objects. */
    prebuiltObjects: z.boolean().optional(),
  }),
  limits: Limits,
  load: AgentLoad.optional(),
});
export type AgentInfo = z.infer<typeof AgentInfo>;

export const HelloMessage = frame('hello', {
  ...AgentInfo.shape,
  session: z.object({ id: z.string() }),
});

export const RunState = z.enum([
  'queued',
  /**
   * A kernel-matrix target waits for its microVM to finish booting (a cold guest, or a warm one
   * still booting); a run handed a guest that is already booted goes straight to loading.
   */
  'booting',
  'compiling',
  'compiled',
  'loading',
  'loaded',
  'attaching',
  'running',
  'stopping',
  'stopped',
]);
export type RunState = z.infer<typeof RunState>;

export const StatusMessage = runFrame('status', {
  state: RunState,
  /** Milliseconds since the agent received the run. */
  t: z.number(),
  message: z.string().optional(),
  queuePosition: z.number().int().optional(),
});

export const CompiledMessage = runFrame('compiled', {
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  durationMs: z.number(),
  /**
   * `hit`: object cache; `pch`: compiled with the precompiled vmlinux.h; `cold`: full compile;
   * `shipped`: compiled by another agent of a fan-out run (RunMessage.object).
   */
  cache: z.enum(['hit', 'pch', 'cold', 'shipped']),
  objectHash: z.string().optional(),
  objectBytes: z.number().optional(),
  /** The object itself, base64, when the run asked for it (RunOptions.returnObject). */
  object: z.string().optional(),
  /** clang's own text (capped), for what the parser did not turn into diagnostics. */
  output: z.string(),
});

export const Violation = z.object({
  /** The policy rule, e.g. `helper-denied`, `program-type-denied`, `uprobe-target`. */
  rule: z.string(),
  message: z.string(),
  program: z.string().optional(),
  helper: z.string().optional(),
  location: SourceLocation.optional(),
});
export type Violation = z.infer<typeof Violation>;

export const RefusedMessage = runFrame('refused', { violations: z.array(Violation) });

export const VerifierStats = z.object({
  insnsProcessed: z.number().optional(),
  insnLimit: z.number().optional(),
  totalStates: z.number().optional(),
  peakStates: z.number().optional(),
  markRead: z.number().optional(),
  verificationTimeUs: z.number().optional(),
  stackDepth: z.string().optional(),
});
export type VerifierStats = z.infer<typeof VerifierStats>;

export const ProgramInfo = z.object({
  name: z.string(),
  section: z.string(),
  /** Attach kind derived from the section (`tracepoint`, `uprobe`, ...). */
  kind: z.string(),
  insns: z.number().int(),
  loaded: z.boolean(),
  /** Set when the playground switched the program off before load (attach kind unsupported here). */
  skipped: z.string().optional(),
  stats: VerifierStats.optional(),
  jitedBytes: z.number().optional(),
});
export type ProgramInfo = z.infer<typeof ProgramInfo>;

export const MapInfo = z.object({
  name: z.string(),
  type: z.string(),
  keySize: z.number(),
  valueSize: z.number(),
  maxEntries: z.number(),
  keyType: z.string().optional(),
  valueType: z.string().optional(),
});
export type MapInfo = z.infer<typeof MapInfo>;

export const LoadedMessage = runFrame('loaded', {
  programs: z.array(ProgramInfo),
  maps: z.array(MapInfo),
  durationMs: z.number(),
});

export const LinkInfo = z.object({
  program: z.string(),
  kind: z.string(),
  target: z.string(),
  ok: z.boolean(),
  message: z.string().optional(),
  /** The program's SEC("...") line: where a failed attach is marked in the editor. */
  location: SourceLocation.optional(),
});
export type LinkInfo = z.infer<typeof LinkInfo>;

export const AttachedMessage = runFrame('attached', { links: z.array(LinkInfo), durationMs: z.number() });

export const VerifierFailure = z.object({
  /** Index of the instruction the verifier stopped at. */
  insn: z.number().int().optional(),
  insnText: z.string().optional(),
  location: SourceLocation.optional(),
  /** The source line's text, as the verifier printed it. */
  sourceText: z.string().optional(),
  /** Plain-language reason, e.g. "pointer may be NULL: check it before reading". */
  reason: z.string(),
  /** The verifier's own error line. */
  message: z.string(),
  hint: z.string().optional(),
});
export type VerifierFailure = z.infer<typeof VerifierFailure>;

export const VerifierMessage = runFrame('verifier', {
  program: z.string(),
  ok: z.boolean(),
  log: z.string(),
  /** True when the kernel kept only the log's tail (the buffer could not grow further). */
  truncated: z.boolean(),
  stats: VerifierStats.optional(),
  failure: VerifierFailure.optional(),
});

export const CoreResult = z.object({
  /** `this kernel` or the name of the BTF checked against. */
  target: z.string(),
  ok: z.boolean(),
  value: z.number().optional(),
  message: z.string().optional(),
  /** The access as resolved in the target's BTF, e.g. `0:2:1`. */
  targetSpec: z.string().optional(),
  /** libbpf poisons an unresolved instruction: the load fails only if the program reaches it. */
  poisoned: z.boolean().optional(),
});

export const CoreRelocation = z.object({
  program: z.string(),
  insn: z.number().int(),
  /** `field_byte_offset`, `field_exists`, `type_exists`, `enumval_value`, ... */
  kind: z.string(),
  typeName: z.string(),
  /** As the user wrote it, e.g. `task_struct->real_parent->tgid`. */
  access: z.string(),
  spec: z.string(),
  location: SourceLocation.optional(),
  sourceText: z.string().optional(),
  /** The value clang compiled in, from the program's own BTF. */
  localValue: z.number().optional(),
  results: z.array(CoreResult),
});
export type CoreRelocation = z.infer<typeof CoreRelocation>;

export const CoreMessage = runFrame('core', { relocations: z.array(CoreRelocation) });

export const DisasmLine = z.object({
  kind: z.enum(['insn', 'source', 'label']),
  text: z.string(),
  insn: z.number().int().optional(),
  location: SourceLocation.optional(),
});
export type DisasmLine = z.infer<typeof DisasmLine>;

export const DisasmMessage = runFrame('disasm', {
  sections: z.array(z.object({ section: z.string(), programs: z.array(z.string()), lines: z.array(DisasmLine) })),
});

export const PrintkLine = z.object({
  /** Milliseconds since the run was attached. */
  t: z.number(),
  cpu: z.number().int(),
  text: z.string(),
});
export type PrintkLine = z.infer<typeof PrintkLine>;

export const PrintkMessage = runFrame('printk', {
  lines: z.array(PrintkLine),
  /** Lines lost since the last frame (ring full or over the rate limit). */
  dropped: z.number().int().nonnegative(),
});

export const FieldInfo = z.object({ name: z.string(), type: z.string() });
export type FieldInfo = z.infer<typeof FieldInfo>;

/** Sent before the first `events` frame of a source: the record's C type, for table columns. */
export const SchemaMessage = runFrame('schema', {
  source: z.string(),
  recordType: z.string().optional(),
  fields: z.array(FieldInfo),
  /** Why records of this source are shown as hex (no `struct event`, size mismatch...). */
  undecodedReason: z.string().optional(),
  /** Binary events only (`eventFormat: 'binary'`): how to decode a record's bytes; absent: show them as hex. */
  layout: RecordLayout.optional(),
  /**
   * Fields holding bpf_get_stack() frames (decode/stacks.ts), with the fields saying whose they are;
   * their names come in `symbols` frames.
   */
  stacks: z
    .array(
      z.object({
        field: z.string(),
        off: z.number().int().nonnegative(),
        n: z.number().int().nonnegative(),
        pid: z.string().optional(),
        comm: z.string().optional(),
      }),
    )
    .optional(),
});

/**
 * Names of stack frames seen in records (the `stacks` fields of a source's schema), sent before the
 * events frame that first holds them, each name once per run. Keys as decode/stacks.ts `symbolKey`
 * makes them: `0xffffffff81…` for kernel frames, `<pid>:0x55…` for user frames; values
 * `func+0x1a`, `func+0x1a [module]`, `func+0x10 (/usr/lib/…/libc.so.6)`, or the address with why
 * it has no name.
 */
export const SymbolsMessage = runFrame('symbols', {
  names: z.record(z.string(), z.string()),
});

export const EventRecord = z.object({
  t: z.number(),
  cpu: z.number().int().optional(),
  /** The record as decoded: raw numbers (what scripts, lesson checks and gallery expectations compare). */
  value: Value,
  /**
   * Readable forms of the fields that have one, by top-level field name (`{ ret: '-ENOENT', sig:
   * 'SIGKILL', saddr: '10.0.0.1' }`; packages/protocol decode/formatters.ts says which fields);
   * absent when none has. JSON events only: clients of binary events compute it from the layout.
   */
  shown: z.record(z.string(), Value).optional(),
});
export type EventRecord = z.infer<typeof EventRecord>;

export const EventsMessage = runFrame('events', {
  /** The ring buffer or perf buffer map the records came from. */
  source: z.string(),
  records: z.array(EventRecord),
  dropped: z.number().int().nonnegative(),
});

export const MapEntry = z.object({
  key: Value,
  value: Value,
  /** Per-CPU maps: one value per possible CPU; `value` then holds the sum where summing makes sense. */
  cpus: z.array(Value).optional(),
});
export type MapEntry = z.infer<typeof MapEntry>;

export const MapSnapshot = z.object({
  name: z.string(),
  type: z.string(),
  keyType: z.string().optional(),
  valueType: z.string().optional(),
  entries: z.array(MapEntry),
  /** Entries not sent (the map is larger than the snapshot limit). */
  more: z.number().int().nonnegative(),
  /**
   * How the UI should draw it. `log2-hist`: each entry's value is `{ slots: number[], ...other fields }`
   * (bucket i = floor(log2(v)) counts values in [2^i, 2^(i+1)), libbpf-tools' convention; bucket 0 also holds 0); an array map of buckets arrives folded into one entry.
   * `counters`: integer values, worth charting over time. `globals`: .bss/.data/.rodata variables.
   */
  render: z.enum(['table', 'log2-hist', 'counters', 'globals']),
  /**
   * What the values measure (a log2-hist's buckets): `ns`, `us`, `ms`, `s`, `bytes`, from a
   * BPFPLAY_UNIT annotation or the map's or field's name (log2-hist.ts), else absent.
   */
  unit: z.string().max(32).optional(),
  error: z.string().optional(),
});
export type MapSnapshot = z.infer<typeof MapSnapshot>;

/**
 * A stack profile: a map of counts keyed by stack ids (libbpf-tools' profile, offcputime, stackcount),
 * joined with its stack-trace map and symbolized (kernel frames from kallsyms, user frames of
 * allowlisted binaries from their ELF symbols). Samples are drawn as a flame graph and a table.
 */
export const StackProfile = z.object({
  /** The map of counts. */
  name: z.string(),
  /** The BPF_MAP_TYPE_STACK_TRACE map its stack ids index (absent for stacks from records). */
  stackMap: z.string().optional(),
  /**
   * Stacks of bpf_get_stack() records instead: the source and field they came from, each record
   * weighing 1 (`unit` is `records`).
   */
  records: z.object({ source: z.string(), field: z.string() }).optional(),
  /** What a sample's value is: `count`, or the value field it came from (`delta` for offcputime: ns). */
  unit: z.string(),
  /** Root first: the command (when the key has one), user frames, kernel frames; identical paths merged. */
  samples: z.array(z.object({ frames: z.array(z.string()), value: z.number() })),
  /** Stacks lost: ids that were -EEXIST (the stack map was full) or are no longer in the stack map. */
  missing: z.number().int().nonnegative().optional(),
  /** Entries of the counts map beyond the snapshot limit, not in the samples. */
  more: z.number().int().nonnegative().optional(),
});
export type StackProfile = z.infer<typeof StackProfile>;

export const MapsMessage = runFrame('maps', {
  t: z.number(),
  maps: z.array(MapSnapshot),
  /** Stack profiles joined from these maps, when the program has any. */
  stacks: z.array(StackProfile).optional(),
});

export const IterMessage = runFrame('iter', { program: z.string(), text: z.string(), done: z.boolean() });

/**
 * A map size the playground sets because the program's C loader would (`bpf_map__set_max_entries`,
 * `bpf_map__set_value_size` before load): the param is named `map.<map>.<field>`.
 */
export const MapSizeParam = z.object({
  map: z.string(),
  field: z.enum(['max_entries', 'value_size']),
  /** Why the playground sets it, e.g. "hash map start declares no max_entries". */
  why: z.string(),
});
export type MapSizeParam = z.infer<typeof MapSizeParam>;

/**
 * The run's parameters, the one list clients show and edit: the program's `const volatile` globals
 * (its knobs) with their compiled-in values, and the map sizes the playground chose as its loader
 * (`loader` set), with the value it will use. Set any of them with `options.params` by `name`.
 */
export const ParamsMessage = runFrame('params', {
  params: z.array(z.object({ name: z.string(), type: z.string(), value: Value, loader: MapSizeParam.optional() })),
});

export const LogMessage = runFrame('log', {
  source: z.enum(['libbpf', 'agent', 'clang']),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  text: z.string(),
});

export const WarningMessage = frame('warning', {
  runId: z.string().optional(),
  target: TargetName.optional(),
  program: z.string().optional(),
  /** Where the warning is about, e.g. the SEC("...") line of a program switched off. */
  location: SourceLocation.optional(),
  message: z.string(),
});

export const StopReason = z.enum([
  'user',
  'timeout',
  'finished',
  'compile-error',
  'refused',
  'verifier',
  'load-error',
  'attach-error',
  'quota',
  'disconnect',
  'agent-exit',
  'runner-crash',
  'error',
]);
export type StopReason = z.infer<typeof StopReason>;

/**
 * A run that did what it was asked until it stopped: the user's Stop, its time limit, or its
 * program finished (an iterator's output, a compile-only check, an export). Every other reason is
 * a failure: the CLI exits 1, the page shows it as an error.
 */
export function endedWell(reason: StopReason): boolean {
  return reason === 'user' || reason === 'timeout' || reason === 'finished';
}

const RunStats = z.object({
  events: z.number().int(),
  printk: z.number().int(),
  dropped: z.number().int(),
});

/** How one target of a run ended. */
export const TargetOutcome = z.object({
  target: TargetName,
  reason: StopReason,
  message: z.string(),
  stats: RunStats,
});
export type TargetOutcome = z.infer<typeof TargetOutcome>;

/**
 * The run is over, on every target. With `target`: one target of a run with several ended (the
 * others go on). Without: the run's end; `reason` is the first failing target's (else the shared
 * one, e.g. `timeout`), `stats` add up the targets, and `targets` says how each one ended.
 */
/** How one node of a fan-out run ended (a node that was lost mid-run ends with `disconnect`). */
export const NodeOutcome = z.object({
  node: NodeName,
  reason: StopReason,
  message: z.string(),
  stats: RunStats,
});
export type NodeOutcome = z.infer<typeof NodeOutcome>;

export const StoppedMessage = runFrame('stopped', {
  reason: StopReason,
  message: z.string(),
  durationMs: z.number(),
  stats: RunStats,
  targets: z.array(TargetOutcome).optional(),
  /** A fan-out run's final `stopped` (the one without `node`): every node's outcome, side by side. */
  nodes: z.array(NodeOutcome).optional(),
});

/**
 * A lesson check's outcome, after the run's `stopped`: every expectation in plain words, and a
 * summary that names the first one that failed (or why the program never got to run).
 */
export const VerdictMessage = runFrame('verdict', {
  lesson: z.string(),
  passed: z.boolean(),
  summary: z.string(),
  expectations: z.array(ExpectationResult),
  /** The values this check planted (a random process name, file name, port...), by name. */
  planted: z.record(z.string(), z.union([z.string(), z.number()])),
  durationMs: z.number(),
});

export const ErrorCode = z.enum([
  'bad-json',
  'bad-message',
  'too-large',
  'unauthorized',
  'quota',
  'busy',
  'not-found',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** A protocol-level error: the message could not be acted on. The connection stays open. */
export const ErrorMessage = frame('error', {
  code: ErrorCode,
  message: z.string(),
  runId: z.string().optional(),
});

export const PongMessage = frame('pong', { t: z.number().optional() });

/** A gallery example's trigger ran (client `trigger`): what ran, how it ended, what it printed (capped). */
export const TriggeredMessage = frame('triggered', {
  example: z.string(),
  command: z.string(),
  /** Who it ran as, e.g. `nobody (uid 65534)`. */
  user: z.string(),
  exitCode: z.number().int().nullable(),
  /** Set when it was killed, e.g. by the time limit. */
  signal: z.string().optional(),
  timedOut: z.boolean(),
  output: z.string(),
  durationMs: z.number(),
});

export const BtfUploadedMessage = frame('btf-uploaded', { name: z.string(), types: z.number().int() });

export const ServerMessage = z.discriminatedUnion('type', [
  HelloMessage,
  StatusMessage,
  CompiledMessage,
  RefusedMessage,
  LoadedMessage,
  AttachedMessage,
  VerifierMessage,
  CoreMessage,
  DisasmMessage,
  PrintkMessage,
  SchemaMessage,
  SymbolsMessage,
  EventsMessage,
  MapsMessage,
  IterMessage,
  ParamsMessage,
  LogMessage,
  WarningMessage,
  StoppedMessage,
  VerdictMessage,
  ErrorMessage,
  PongMessage,
  BtfUploadedMessage,
  LspResponseMessage,
  LspDiagnosticsMessage,
  LspStatusMessage,
  CheckedMessage,
  TriggeredMessage,
  ProjectMessage,
  TestRunMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** A server message of one type, e.g. `ServerMessageOf<'events'>`. */
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What the agent builds before it stamps `seq`. */
export type ServerPayload = ServerMessage extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never;

/**
 * A frame of one type as a run's stages build it (the runner's `Emit`): without `type`, `seq` and
 * `runId`, which are added on the way out. The compiler checks every field against the schema.
 */
export type RunFrameBody<T extends ServerPayload['type']> = Omit<Extract<ServerPayload, { type: T }>, 'type' | 'runId'>;
