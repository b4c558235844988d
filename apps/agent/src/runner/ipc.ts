import type { ParamValue, RunState, ServerMessage, SourceLocation, StopReason, TestPacket } from '@bpfplay/protocol';
import type { AttachSupport } from '@bpfplay/protocol';
import type { ProbeTarget } from '../policy/uprobes.js';
import type { MapSize } from '../load/map-sizes.js';
import type { GuestKernel } from '../guest/kernels.js';
import type { GuestMachine } from '../guest/qemu.js';

/**
 * Messages between the agent and a runner process. A runner is a child process that owns the kernel
 * objects of its runs: each run closes its own when it ends, and when the process exits — normally,
 * by crash, or because the agent died (PDEATHSIG) — the kernel closes its fds and every program,
 * link and map of its runs goes with them.
 */
export interface RunSpec {
  runId: string;
  object: Uint8Array;
  /** Name libbpf uses for the object (shows in its messages). */
  objectName: string;
  /** A small BTF to resolve the object's CO-RE relocations against instead of the kernel's (load/core-btf.ts). */
  coreBtfPath?: string;
  /** Programs the agent switched off before load, with the warning the user already got. */
  skip: Record<string, string>;
  /**
   * uprobe/uretprobe/USDT programs → the file (real path) and offset the policy checked. The runner
   * attaches to these and to nothing else: a probe program missing here is not attached.
   */
  probes: Record<string, ProbeTarget>;
  /** Each program's SEC("...") line in the snippet (run/prepare.ts), for attach results. */
  locations?: Record<string, SourceLocation>;
  /** Variants to load instead of a program that fails (load/program-choice.ts). */
  fallbacks?: Record<string, string[]>;
  /** Map sizes set after open as the program's loader would (load/map-sizes.ts). */
  mapSizes?: Record<string, MapSize>;
  /** `const volatile` values (map sizes are in mapSizes). */
  params: Record<string, ParamValue>;
  perfFrequency: number;
  mapIntervalMs: number;
  /** The session's output budgets (limits.ts); this run gets `rateShare` of each. */
  maxEventsPerSec: number;
  maxPrintkPerSec: number;
  maxBytesPerSec: number;
  rateShare: number;
  /** Map memory quota for the run (policy/map-quota.ts), checked after open and before load. */
  maxMapBytes: number;
  maxMapEntries: number;
  maxFramesPerSec: number;
  /** Ring and perf buffer records as their raw bytes in binary frames (RunOptions.eventFormat). */
  eventFormat?: 'binary';
  uprobeBinaries: string[];
  /** XDP/tc/socket programs: the runner is in its own network namespace; send this many packets a second. */
  network?: { pps: number; planted?: PlantedPackets };
  /** The packet lab (RunOptions.mode 'test-run'): test-run the packet programs on this packet instead of attaching. */
  testRun?: TestPacket;
  /** The run's target, written into every frame it sends (`host`, or a kernel's name such as `6.1`). */
  target?: string;
  /** Run in a microVM of this kernel (guest/guest-run.ts) instead of on the host. */
  guest?: GuestBoot;
}

/** A lesson check's UDP packets to a planted port, sent once right after attach (lesson/check-run.ts). */
export interface PlantedPackets {
  port: number;
  count: number;
}

/** What a runner needs to boot a kernel-matrix guest. */
export interface GuestBoot {
  kernel: GuestKernel;
  machine: GuestMachine;
}

/**
 * A runner process hosts up to `--runs-per-runner` runs at once (runner/pool.ts), each in a slot the
 * agent numbers; every message about a run names its slot.
 */
export type ToRunner =
  /** Start a run in `slot`. With `exitWhenDone` the process exits once it has sent the run's `done`. */
  | { t: 'start'; slot: number; spec: RunSpec; exitWhenDone: boolean }
  /** Stop the run: detach, send what is left, close its kernel objects, report `done`. */
  | { t: 'stop'; slot: number; reason: StopReason; message: string }
  /** Flow control: the client's socket is backed up; keep draining the kernel but drop (and count). */
  | { t: 'pause'; slot: number; paused: boolean }
  /** The session's run count changed: this run now gets `share` of the session's output budget. */
  | { t: 'share'; slot: number; share: number }
  | { t: 'probe'; probes: ProbeSpec[] }
  /** While idle in the pool: load this object once, unattached, and close it (runner/warm-up.ts). */
  | { t: 'warm'; object: Uint8Array }
  /** While idle in a guest pool: boot this guest now, so a run finds it waiting (a warm guest). */
  | { t: 'boot'; guest: GuestBoot };

/** The messages about one run, without their slot (RunnerLease adds it). */
export type ToRun =
  { t: 'stop'; reason: StopReason; message: string } | { t: 'pause'; paused: boolean } | { t: 'share'; share: number };

export interface ProbeSpec {
  kind: string;
  object: Uint8Array;
  /** How to attach: `auto` (bpf_program__attach), `iter`, `perf_event`, `load` (load only). */
  attach: 'auto' | 'iter' | 'perf_event' | 'load';
}

/** What a run's code in the runner reports (host-run.ts, guest-run.ts); the process adds the slot. */
export type FromRun =
  /**
   * A protocol frame without `seq`, already JSON, so the agent only stamps and forwards it. Bulk
   * frames (events) come as UTF-8 bytes, written straight from the ring buffer without a string.
   */
  | { t: 'frame'; type: ServerMessage['type']; json: string | Uint8Array }
  /** A binary events frame without `seq`: header JSON, and the records (u32 LE length + bytes each). */
  | {
      t: 'binary';
      header: string | Uint8Array;
      records: Uint8Array;
      /** On the agent's side: the whole WebSocket message (u32 header length, header, records), one buffer. */
      wire?: Uint8Array;
    }
  | { t: 'state'; state: RunState; message?: string }
  /** Sent after the run's programs, links, maps and buffers are closed. */
  | { t: 'done'; reason: StopReason; message: string; stats: RunStats };

export type FromRunner =
  | { t: 'ready' }
  | (FromRun & { slot: number })
  | { t: 'probed'; results: AttachSupport[] }
  /** A guest booted ahead of its run is ready (`boot`), after this long. */
  | { t: 'booted'; bootMs: number }
  | { t: 'boot-failed'; message: string };

export interface RunStats {
  events: number;
  printk: number;
  dropped: number;
}

/** The nice value a runner sets on all its threads when it starts (runner/main.ts), if given. */
export const RUNNER_NICE_ENV = 'BPFPLAY_RUNNER_NICE';
