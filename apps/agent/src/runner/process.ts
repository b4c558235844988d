import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ROOT } from '../config.js';
import type { Socket } from 'node:net';
import { FramePipeReader } from './frame-pipe.js';
import type { FromRunner, ToRunner } from './ipc.js';

/** The bundled runner entry; `npm run build` (esbuild, well under a second) produces it. */
export const RUNNER_ENTRY = join(AGENT_ROOT, 'dist', 'runner.js');

export interface RunnerEvents {
  message: (m: FromRunner) => void;
  /** The process ended and everything it wrote has been read (so a `done` it sent came first). */
  exit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * The agent's handle on one runner child process. Killing it is always safe: the kernel frees the
 * run's programs and maps with the process's file descriptors.
 */
export class RunnerProcess {
  private readonly child: ChildProcess;
  /** The runner's fd 4: frames, state and done (frame-pipe.ts); the IPC channel carries the rest. */
  private readonly frames: Socket;
  readonly ready: Promise<void>;
  /** Resolves with the boot time when a guest this runner was told to boot is ready (`boot`). */
  readonly booted: Promise<number>;
  private listener: Partial<RunnerEvents> = {};
  exited = false;

  /**
   * With `netns`, the runner starts in a network namespace of its own (util-linux `unshare --net`
   * execs Node in place, so the IPC channel and PDEATHSIG still work). The namespace is not pinned:
   * it ends with the process, taking XDP programs and tc filters with it.
   */
  constructor(entry = RUNNER_ENTRY, opts: { netns?: boolean } = {}) {
    if (!existsSync(entry)) throw new Error(`runner entry ${entry} is missing: run \`npm run build\` first`);
    const common = {
      serialization: 'advanced' as const,
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
    this.child.on('close', (code, signal) => this.listener.exit?.(code, signal));
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

  send(m: ToRunner): boolean {
    if (this.exited || !this.child.connected) return false;
    return this.child.send(m);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Measured on the 2-core bench machine: load + attach + first event of hello-world take ~60 ms. */
const REFILL_DELAY_MS = 250;

/**
 * Keeps `warm` runners started and ready, so a Run does not pay for Node's startup and module
 * loading (~100 ms) on the critical path.
 */
export class RunnerPool {
  private readonly idle: RunnerProcess[] = [];
  private closed = false;
  private warmupObject?: Uint8Array;

  constructor(
    private readonly warm: number,
    private readonly entry = RUNNER_ENTRY,
  ) {
    this.fill();
  }

  /** A small object every idle runner loads once (runner/warm-up.ts), e.g. hello-world. */
  setWarmup(object: Uint8Array): void {
    this.warmupObject = object;
    for (const r of this.idle)
      void r.ready.then(
        () => r.send({ t: 'warm', object }),
        () => {},
      );
  }

  private fill(): void {
    while (!this.closed && this.idle.length < this.warm) {
      const r = new RunnerProcess(this.entry);
      r.unref();
      void r.ready.then(
        () => this.warmupObject && r.send({ t: 'warm', object: this.warmupObject }),
        () => {},
      );
      r.ready.catch(() => {
        const i = this.idle.indexOf(r);
        if (i >= 0) this.idle.splice(i, 1);
      });
      this.idle.push(r);
    }
  }

  async acquire(opts: { netns?: boolean } = {}): Promise<RunnerProcess> {
    if (opts.netns) {
      // Namespaced runners are made to order: the warm ones live in the host's namespace.
      const own = new RunnerProcess(this.entry, { netns: true });
      await own.ready;
      return own;
    }
    const r = this.idle.shift() ?? new RunnerProcess(this.entry);
    r.ref();
    // Refill a moment later: a Node process starting (~0.15 s of CPU) would compete with this run's
    // load and attach on a 2-core machine, right on the path to its first event.
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    await r.ready;
    return r;
  }

  close(): void {
    this.closed = true;
    for (const r of this.idle.splice(0)) r.kill();
  }
}
