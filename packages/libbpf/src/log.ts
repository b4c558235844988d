import { bpf, c, koffi, PrintFn } from './native.js';

export type LibbpfLogLevel = 'warn' | 'info' | 'debug';
export type LibbpfLogSink = (level: LibbpfLogLevel, text: string) => void;

const LEVELS: LibbpfLogLevel[] = ['warn', 'info', 'debug'];

/**
 * libbpf has one global print callback per process. Calls into libbpf are synchronous and on this
 * thread, so "the sink of the call in progress" is well defined: a stack of sinks, the innermost wins.
 * Outside any capture, messages are dropped (libbpf's default would write them to our stderr, which
 * mixes runs and confuses the CLI's output).
 */
const sinks: LibbpfLogSink[] = [];
let installed = false;
const scratch = Buffer.alloc(16 * 1024);

function install(): void {
  if (installed) return;
  const cb = koffi.register((level: number, fmt: bigint, args: bigint): number => {
    const sink = sinks[sinks.length - 1];
    if (sink === undefined) return 0;
    const n = c.vsnprintf(scratch, scratch.length, fmt, args);
    if (n <= 0) return 0;
    const text = scratch.toString('utf8', 0, Math.min(n, scratch.length - 1));
    sink(LEVELS[level] ?? 'debug', text);
    return 0;
  }, koffi.pointer(PrintFn));
  bpf.set_print(cb);
  installed = true;
}

/** Run `fn` with libbpf's messages (already formatted, one call per message) going to `sink`. */
export function withLibbpfLog<T>(sink: LibbpfLogSink, fn: () => T): T {
  install();
  sinks.push(sink);
  try {
    return fn();
  } finally {
    sinks.pop();
  }
}

/** Collect libbpf's messages of one call as text, e.g. to attach them to an error. */
export function collectLibbpfLog<T>(fn: () => T): { result?: T; error?: unknown; log: string } {
  let log = '';
  try {
    const result = withLibbpfLog((_l, t) => (log += t), fn);
    return { result, log };
  } catch (error) {
    return { error, log };
  }
}
