import { BpfObject, collectLibbpfLog, LibbpfError, numPossibleCpus } from '@bpfplay/libbpf';
import type { MapInfo, ProgramInfo, StopReason } from '@bpfplay/protocol';
import { attachKindOf } from '../attach/kinds.js';
import { checkMapQuota } from '../policy/map-quota.js';
import type { Emit } from '../stream/outbox.js';
import { parseVerifierLog } from './verifier-log.js';

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
  /** Called after open and before load, e.g. to write `const volatile` parameters. */
  configure?: (obj: BpfObject) => void;
  /** Map memory quota (policy/map-quota.ts): over it, the run fails with reason `quota` before load. */
  maxMapBytes?: number;
}

/**
 * Opening parses the ELF, and libbpf has things to say about it; captured like the load's log, or
 * libbpf's default printer writes them to the runner's stderr (and so into a terminal run's output)
 * when nothing in the process captured a log before.
 */
function open(spec: OpenSpec, emit: Emit = () => {}): BpfObject {
  const opened = collectLibbpfLog(() => BpfObject.openMem(spec.object, { name: spec.objectName }));
  emitLibbpfLog(emit, opened.log);
  if (opened.error !== undefined) throw opened.error;
  const obj = opened.result!;
  try {
    for (const p of obj.programs()) if (spec.skip[p.name] !== undefined) p.autoload = false;
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
 * `loaded`. On a verifier rejection the failing program is loaded a second time in a fresh object with
 * the full log: the first, fast load only asks for statistics.
 */
export function loadObject(spec: OpenSpec, emit: Emit): BpfObject {
  const t0 = performance.now();
  let obj: BpfObject;
  try {
    obj = open(spec, emit);
  } catch (e) {
    throw new RunFailure('load-error', `libbpf could not open the object: ${(e as Error).message}`);
  }
  if (spec.maxMapBytes !== undefined) {
    // After open, libbpf knows each map's final shape (including .bss/.data sizes); nothing is allocated yet.
    const shapes = obj.maps().map((m) => ({
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
  if (r.error !== undefined) {
    obj.close();
    throw explainLoadFailure(spec, r.error, r.log, emit);
  }
  const programs: ProgramInfo[] = obj.programs().map((p) => {
    const info: ProgramInfo = {
      name: p.name,
      section: p.section,
      kind: attachKindOf(p.section),
      insns: p.insnCount,
      loaded: p.autoload,
    };
    const skipped = spec.skip[p.name];
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
