import { BpfObject, collectLibbpfLog, LibbpfError, numPossibleCpus } from '@bpfplay/libbpf';
import type { MapInfo, ProgramInfo, StopReason } from '@bpfplay/protocol';
import { attachKindOf } from '../attach/kinds.js';
import { checkMapQuota } from '../policy/map-quota.js';
import type { Emit } from '../stream/outbox.js';
import { parseVerifierLog } from './verifier-log.js';
import { replaceFailed, type ProgramPlan } from './program-choice.js';
import type { MapSize } from './map-sizes.js';

/** A run that cannot continue; `reason` becomes the `stopped` frame's reason. */
export class RunFailure extends Error {
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

/** Level 4 (BPF_LOG_STATS): statistics on success, the error line on failure, no per-insn trace. */
const STATS_LOG = { level: 4, size: 64 * 1024 };
/**
 * Level 1|4 for the retry of a failed program: the trace with `; source @ file:line` annotations.
 * One 4 MiB buffer: the kernel keeps the log's tail when it overflows, and the tail is where the
 * error is; growing it costs seconds on a million-instruction program and megabytes per frame.
 */
const FULL_LOG = { level: 5, size: 4 << 20 };
/** What the `verifier` frame carries of a log: its tail, marked as truncated when cut. */
const MAX_SENT_LOG = 1 << 20;

export interface OpenSpec {
  object: Uint8Array;
  objectName: string;
  skip: Record<string, string>;
  /** Variants to switch on in place of a program that fails to load (load/program-choice.ts). */
  fallbacks?: Record<string, string[]>;
  /** Map sizes to set after open, as the program's C loader would (load/map-sizes.ts). */
  mapSizes?: Record<string, MapSize>;
  /** Called after open and before load, e.g. to write `const volatile` parameters. */
  configure?: (obj: BpfObject) => void;
  /** Map memory quota (policy/map-quota.ts): over it, the run fails with reason `quota` before load. */
  maxMapBytes?: number;
  /** libbpf's btf_custom_path: a BTF to resolve CO-RE relocations against (load/core-btf.ts). */
  coreBtfPath?: string;
}

/**
 * Opening parses the ELF, and libbpf has things to say about it; captured like the load's log, or
 * libbpf's default printer writes them to the runner's stderr (and so into a terminal run's output)
 * when nothing in the process captured a log before.
 */
function open(spec: OpenSpec, emit: Emit = () => {}): BpfObject {
  const opened = collectLibbpfLog(() =>
    BpfObject.openMem(spec.object, {
      name: spec.objectName,
      ...(spec.coreBtfPath ? { btfCustomPath: spec.coreBtfPath } : {}),
    }),
  );
  emitLibbpfLog(emit, opened.log);
  if (opened.error !== undefined) throw opened.error;
  const obj = opened.result!;
  try {
    for (const p of obj.programs()) if (spec.skip[p.name] !== undefined) p.autoload = false;
    for (const [name, size] of Object.entries(spec.mapSizes ?? {})) {
      const map = obj.map(name);
      if (!map) continue;
      if (size.keySize !== undefined) map.keySize = size.keySize;
      if (size.valueSize !== undefined) map.valueSize = size.valueSize;
      if (size.maxEntries !== undefined) map.maxEntries = size.maxEntries;
    }
    spec.configure?.(obj);
    return obj;
  } catch (e) {
    obj.close();
    throw e;
  }
}

function emitLibbpfLog(emit: Emit, log: string): void {
  const lines = log.split('\n').filter(Boolean);
  if (lines.length) emit('log', { source: 'libbpf', level: 'info', text: lines.join('\n') });
}

/**
 * Open and load the object, sending `verifier` frames (stats per program, or the parsed failure) and
 * `loaded`. When a program fails and a variant of it waits (tp_btf → raw_tp, fentry → kprobe), the
 * failing one is switched off with a warning and the object opened and loaded again; otherwise the
 * failing program is loaded a second time in a fresh object with the full log: the first, fast load
 * only asks for statistics.
 */
export function loadObject(spec: OpenSpec, emit: Emit): BpfObject {
  const t0 = performance.now();
  let plan: ProgramPlan = { off: spec.skip, fallbacks: spec.fallbacks ?? {} };
  for (;;) {
    const attempt = loadOnce({ ...spec, skip: plan.off }, emit);
    if (attempt.obj) return reportLoaded(attempt.obj, plan.off, emit, t0);
    const next = attempt.failed ? replaceFailed(plan, attempt.programs, attempt.failed, attempt.why) : undefined;
    if (!next) throw explainLoadFailure({ ...spec, skip: plan.off }, attempt.error, attempt.log, emit);
    for (const [program, message] of Object.entries(next.off))
      if (plan.off[program] !== message) emit('warning', { program, message });
    plan = next;
  }
}

type Attempt =
  | { obj: BpfObject }
  | {
      obj?: undefined;
      error: unknown;
      log: string;
      failed?: string;
      why: string;
      programs: { program: string; section: string }[];
    };

function loadOnce(spec: OpenSpec, emit: Emit): Attempt {
  let obj: BpfObject;
  try {
    obj = open(spec, emit);
  } catch (e) {
    throw new RunFailure('load-error', `libbpf could not open the object: ${(e as Error).message}`);
  }
  // Every map libbpf will create at load: each map, and each map-in-map's inner template.
  const created = obj.maps().flatMap((m) => {
    const inner = m.innerMap();
    return inner ? [m, inner] : [m];
  });
  // The agent refused `pinning` already (policy/map-definitions.ts); this is libbpf's own view, the
  // last word: a pin path would make load reuse a map pinned by other software, or leave a pin.
  const pinned = created.filter((m) => m.pinPath);
  if (pinned.length) {
    const which = pinned.map((m) => `${m.name} (${m.pinPath})`).join(', ');
    obj.close();
    throw new RunFailure(
      'refused',
      `map ${which} would be pinned; the playground never pins: remove the pinning attribute`,
    );
  }
  if (spec.maxMapBytes !== undefined) {
    // After open, libbpf knows each map's final shape (including .bss/.data sizes); nothing is allocated yet.
    const shapes = created.map((m) => ({
      name: m.name,
      type: m.typeName,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
    }));
    const quota = checkMapQuota(shapes, spec.maxMapBytes, numPossibleCpus());
    if (quota.error) {
      obj.close();
      throw new RunFailure('quota', quota.error);
    }
  }
  for (const p of obj.programs()) if (p.autoload) p.setLog(STATS_LOG.size, STATS_LOG.level);
  const r = collectLibbpfLog(() => obj.load());
  emitLibbpfLog(emit, r.log);
  if (r.error === undefined) return { obj };
  // Any per-program failure counts here, also one before the verifier (a tp_btf target this kernel's
  // BTF lacks): libbpf 1.4 ends each with "prog 'x': failed to load".
  const failed = failedProgram(r.log) ?? /prog '([^']+)': failed to load/.exec(r.log)?.[1];
  const programs = obj.programs().map((p) => ({ program: p.name, section: p.section }));
  const why = failed === undefined ? '' : shortReason(obj.program(failed)?.log().text ?? '', r.log, r.error);
  obj.close();
  return { error: r.error, log: r.log, programs, why, ...(failed !== undefined ? { failed } : {}) };
}

/** The kernel's reason in a few words: the verifier's, else libbpf's errno text (EPERM for fentry here). */
function shortReason(verifierLog: string, libbpfLog: string, error: unknown): string {
  const parsed = parseVerifierLog(verifierLog, { failed: true }).failure;
  if (parsed) return parsed.reason;
  const m = /BPF program load failed: (.+)/.exec(libbpfLog);
  return m?.[1]?.trim() ?? (error instanceof Error ? error.message : String(error));
}

function reportLoaded(obj: BpfObject, skip: Record<string, string>, emit: Emit, t0: number): BpfObject {
  const programs: ProgramInfo[] = obj.programs().map((p) => {
    const info: ProgramInfo = {
      name: p.name,
      section: p.section,
      kind: attachKindOf(p.section),
      insns: p.insnCount,
      loaded: p.autoload,
    };
    const skipped = skip[p.name];
    if (skipped !== undefined) info.skipped = skipped;
    if (p.autoload) {
      try {
        info.jitedBytes = p.info().jitedBytes;
      } catch {
        // The size is a nicety; a kernel that will not say is not an error.
      }
      const log = p.log().text;
      const parsed = parseVerifierLog(log, { failed: false });
      if (parsed.stats) info.stats = parsed.stats;
      emit('verifier', {
        program: p.name,
        ok: true,
        log,
        truncated: false,
        ...(parsed.stats ? { stats: parsed.stats } : {}),
      });
    }
    return info;
  });
  const maps: MapInfo[] = obj.maps().map((m) => ({
    name: m.name,
    type: m.typeName,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
  }));
  emit('loaded', { programs, maps, durationMs: performance.now() - t0 });
  return obj;
}

function failedProgram(libbpfLog: string): string | undefined {
  return /prog '([^']+)': BPF program load failed/.exec(libbpfLog)?.[1];
}

function explainLoadFailure(spec: OpenSpec, error: unknown, libbpfLog: string, emit: Emit): RunFailure {
  const name = failedProgram(libbpfLog);
  if (name === undefined) {
    const detail = libbpfLog
      .split('\n')
      .filter((l) => /error|fail|invalid|not found|unrecognized/i.test(l))
      .slice(-6)
      .join('\n');
    const why = error instanceof LibbpfError ? error.message : String(error);
    return new RunFailure('load-error', `libbpf could not load the object: ${why}${detail ? `\n${detail}` : ''}`);
  }
  const full = fullVerifierLog(spec, name);
  const parsed = parseVerifierLog(full.log, { failed: true });
  const failure = parsed.failure ?? { reason: 'the verifier rejected the program', message: 'the kernel gave no log' };
  const cut = full.log.length > MAX_SENT_LOG;
  emit('verifier', {
    program: name,
    ok: false,
    log: cut ? full.log.slice(-MAX_SENT_LOG) : full.log,
    truncated: full.truncated || cut,
    failure,
    ...(parsed.stats ? { stats: parsed.stats } : {}),
  });
  const where = failure.location ? ` at ${failure.location.file}:${failure.location.line}` : '';
  return new RunFailure('verifier', `verifier rejected ${name}${where}: ${failure.reason}`);
}

/** Load again in a fresh object with the full trace for the program that failed. */
function fullVerifierLog(spec: OpenSpec, program: string): { log: string; truncated: boolean } {
  const obj = open(spec);
  try {
    for (const p of obj.programs()) if (p.name === program) p.setLog(FULL_LOG.size, FULL_LOG.level);
    collectLibbpfLog(() => obj.load());
    const { text, full } = obj.program(program)?.log() ?? { text: '', full: false };
    return { log: text, truncated: full };
  } finally {
    obj.close();
  }
}
