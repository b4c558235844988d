import { c, errno } from './native.js';
import { LibbpfError } from './errors.js';

const SYS_perf_event_open = 298; // x86_64
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_CPU_CLOCK = 0;
const PERF_FLAG_FD_CLOEXEC = 8;
const ATTR_SIZE = 112; // PERF_ATTR_SIZE_VER5: every field we set is in it
const FLAG_FREQ = 1n << 10n;

/**
 * Open a software cpu-clock sampling event on one CPU (all processes), for `SEC("perf_event")`
 * programs. With `freq`, the kernel adjusts the period to reach `hz` samples per second.
 */
export function openCpuClock(cpu: number, hz: number): number {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(PERF_TYPE_SOFTWARE, 0);
  attr.writeUInt32LE(ATTR_SIZE, 4);
  attr.writeBigUInt64LE(BigInt(PERF_COUNT_SW_CPU_CLOCK), 8);
  attr.writeBigUInt64LE(BigInt(hz), 16); // sample_freq (union with sample_period)
  attr.writeBigUInt64LE(FLAG_FREQ, 40);
  const fd = c.syscall(
    SYS_perf_event_open,
    'void *',
    attr,
    'int',
    -1,
    'int',
    cpu,
    'int',
    -1,
    'unsigned long',
    PERF_FLAG_FD_CLOEXEC,
  );
  if (fd < 0) throw new LibbpfError(`perf_event_open(cpu-clock, cpu ${cpu})`, errno());
  return fd;
}

/** Online CPUs, from sysfs ("0-1,4"). */
export function onlineCpus(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

export function closeFd(fd: number): void {
  if (fd >= 0) c.close(fd);
}
