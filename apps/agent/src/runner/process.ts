import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ROOT } from '../config.js';
import type { Socket } from 'node:net';
import { FramePipeReader } from './frame-pipe.js';
import { RUNNER_NICE_ENV, type FromRun, type FromRunner, type ToRunner } from './ipc.js';

/** The bundled runner entry; `npm run build` (esbuild, well under a second) produces it. */
export const RUNNER_ENTRY = join(AGENT_ROOT, 'dist', 'runner.js');

/**
 * glibc malloc settings for runner processes. Every load with CO-RE makes libbpf read and copy the
 * kernel's BTF (/sys/kernel/btf/vmlinux, 6 MB here) into fresh malloc'd buffers, which glibc maps
 * and unmaps per load (above its default 128 KiB mmap threshold): every page faults in again, and
 * page faults are dear on this VM. Measured, open + load + close of hello-world 30 times in one
 * process: 57–66 ms of CPU each by default, 9–10 ms with these (the buffers come from the heap and
 * stay there for the next load), at the same RSS (94 MiB after the 30 loads).
 */
const RUNNER_MALLOC = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';

function runnerEnv(): NodeJS.ProcessEnv {
  // A runner never opens a TLS connection, and Node reads and parses NODE_EXTRA_CA_CERTS at start
  // whether it will or not: with Debian's bundle (~140 certificates) that was 60 ms of each runner's
  // ~150 ms of CPU to start (measured here: an empty IPC child, 150 ms with it, 85 ms without).
  const { NODE_EXTRA_CA_CERTS: _tls, ...env } = process.env;
  const own = env.GLIBC_TUNABLES;
  return { ...env, GLIBC_TUNABLES: own ? `${own}:${RUNNER_MALLOC}` : RUNNER_MALLOC };
}

export interface RunnerEvents {
  /** Messages about no run (`probed`); a run's messages go to its slot's listener (attach). */
  message: (m: FromRunner) => void;
  /** The process ended and everything it wrote has been read (so a `done` it sent came first). */
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** What one run's agent side hears from its slot of a runner process. */
export interface SlotEvents {
  message: (m: FromRun) => void;
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * The agent's handle on one runner child process, which hosts one run or several (runner/pool.ts),
 * each in a numbered slot. Killing it is always safe for the kernel — it frees the programs and maps
 * with the process's file descriptors — and ends every run the process hosts.
 */
export class RunnerProcess {
  private readonly child: ChildProcess;
  /** The runner's fd 4: frames, state and done (frame-pipe.ts); the IPC channel carries the rest. */
  private readonly frames: Socket;
  readonly ready: Promise<void>;
  /** Resolves with the boot time when a guest this runner was told to boot is ready (`boot`). */
  readonly booted: Promise<number>;
  private listener: Partial<RunnerEvents> = {};
  private readonly slots = new Map<number, Partial<SlotEvents>>();
  exited = false;

  /**
   * With `netns`, the runner starts in a network namespace of its own (util-linux `unshare --net`
   * execs Node in place, so the IPC channel and PDEATHSIG still work). The namespace is not pinned:
   * it ends with the process, taking XDP programs and tc filters with it.
   */
  constructor(entry = RUNNER_ENTRY, opts: { netns?: boolean; nice?: number } = {}) {
    if (!existsSync(entry)) throw new Error(`runner entry ${entry} is missing: run \`npm run build\` first`);
    const common = {
      serialization: 'advanced' as const,
      env: { ...runnerEnv(), ...(opts.nice ? { [RUNNER_NICE_ENV]: String(opts.nice) } : {}) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'] as ('ignore' | 'inherit' | 'ipc' | 'pipe')[],
    };
    this.child = opts.netns
      ? spawn('/usr/bin/unshare', ['--net', '--', process.execPath, '--enable-source-maps', entry], common)
      : fork(entry, [], { ...common, execArgv: ['--enable-source-maps'] });
    let markReady!: () => void;
    let fail!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      markReady = res;
      fail = rej;
    });
    let markBooted!: (ms: number) => void;
    let bootFailed!: (e: Error) => void;
    this.booted = new Promise<number>((res, rej) => {
      markBooted = res;
      bootFailed = rej;
    });
    this.booted.catch(() => {});
    const dispatch = (m: FromRunner) => {
      if (m.t === 'ready') markReady();
      else if (m.t === 'booted') markBooted(m.bootMs);
      else if (m.t === 'boot-failed') bootFailed(new Error(m.message));
      else if ('slot' in m) this.slots.get(m.slot)?.message?.(m);
      else this.listener.message?.(m);
    };
    this.child.on('message', dispatch);
    const reader = new FramePipeReader(dispatch);
    this.frames = this.child.stdio[4] as Socket;
    this.frames.on('data', (chunk: Buffer) => reader.push(chunk));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      fail(new Error(`runner exited before it was ready (code ${code}, signal ${signal})`));
      bootFailed(new Error(`runner exited (code ${code}, signal ${signal})`));
    });
    // 'close' comes after the pipes are drained: whatever the runner wrote has been dispatched.
    this.child.on('close', (code, signal) => {
      for (const l of [...this.slots.values()]) l.exit?.(code, signal);
      this.listener.exit?.(code, signal);
    });
    this.child.on('error', (e) => fail(e));
  }

  /** Keep the agent's event loop alive for this runner (it is in use). */
  ref(): void {
    this.child.ref();
    this.child.channel?.ref();
    this.frames.ref();
  }

  /** A warm, idle runner must not keep the agent alive on its own. */
  unref(): void {
    this.child.unref();
    this.child.channel?.unref();
    this.frames.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  on(events: Partial<RunnerEvents>): void {
    this.listener = events;
    this.ref();
  }

  /** Listen to one slot's run: its messages, and the process's end. */
  attach(slot: number, events: Partial<SlotEvents>): void {
    this.slots.set(slot, events);
  }

  detach(slot: number): void {
    this.slots.delete(slot);
  }

  /** Runs whose agent side listens to this process now. */
  get attached(): number {
    return this.slots.size;
  }

  send(m: ToRunner): boolean {
    if (this.exited || !this.child.connected) return false;
    return this.child.send(m);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
