import type { GuestBoot } from './ipc.js';
import { GUEST_LIMITS } from '../guest/limits.js';
import { RunnerLease } from './lease.js';
import { RunnerProcess, RUNNER_ENTRY } from './process.js';

/**
 * Warm guests of the kernel matrix: per kernel, runner processes whose microVM is booted and waiting
 * for an object, the way the runner pool keeps Node started and the compiler keeps a clang waiting.
 * A kernel's pool starts filling at its first run (an agent that never runs on a kernel boots none),
 * or at start for the kernels named by --warm-guests. Bounded: `perKernel` guests each, and at most
 * `maxBooting` booting at once, so keeping guests warm never takes every core from the runs.
 */
export class GuestPools {
  private readonly idle = new Map<string, RunnerProcess[]>();
  private readonly wanted = new Set<string>();
  private booting = 0;
  private closed = false;
  private readonly queue: GuestBoot[] = [];

  constructor(
    private readonly perKernel: number,
    private readonly maxBooting: number,
    private readonly entry = RUNNER_ENTRY,
    /** A warm guest is booted and waiting (the agent logs it; the bench waits on that line). */
    private readonly onBooted: (kernel: string, bootMs: number) => void = () => {},
    /**
     * A warm guest ended before it was ready (GUEST_LIMITS.bootSeconds, a kernel that panics, a
     * broken initramfs): the agent logs why and stays up. Booted again up to
     * GUEST_LIMITS.warmBootAttempts times in a row — a boot that was only slow (TCG on a machine
     * whose cores are busy) must not leave a workshop without warm guests — then `gaveUp`: a kernel
     * that cannot boot costs no more boots until a run asks for it again.
     */
    private readonly onBootFailed: (kernel: string, message: string, gaveUp: boolean) => void = () => {},
  ) {}

  /** Warm boots that failed in a row, per kernel (a success resets it). */
  private readonly failedInARow = new Map<string, number>();

  /** Start keeping this kernel's guests warm. */
  warm(boot: GuestBoot): void {
    this.wanted.add(boot.kernel.name);
    this.fill(boot);
  }

  private fill(boot: GuestBoot): void {
    const name = boot.kernel.name;
    const list = this.idle.get(name) ?? [];
    this.idle.set(name, list);
    const queued = this.queue.filter((b) => b.kernel.name === name).length;
    for (let n = list.length + queued; n < this.perKernel && !this.closed; n++) this.queue.push(boot);
    this.next();
  }

  private next(): void {
    while (!this.closed && this.booting < this.maxBooting && this.queue.length) {
      const boot = this.queue.shift()!;
      const r = new RunnerProcess(this.entry);
      r.unref();
      this.booting++;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        this.booting--;
        this.next();
      };
      r.booted.then(
        (ms) => {
          this.failedInARow.delete(boot.kernel.name);
          settle();
          this.onBooted(boot.kernel.name, ms);
        },
        (e: Error) => {
          settle();
          if (!this.remove(boot.kernel.name, r)) return;
          const failed = (this.failedInARow.get(boot.kernel.name) ?? 0) + 1;
          this.failedInARow.set(boot.kernel.name, failed);
          const gaveUp = failed >= GUEST_LIMITS.warmBootAttempts;
          this.onBootFailed(boot.kernel.name, e.message, gaveUp);
          if (!gaveUp) this.fill(boot);
        },
      );
      void r.ready.then(
        () => r.send({ t: 'boot', guest: boot }),
        () => {},
      );
      this.idle.get(boot.kernel.name)!.push(r);
    }
  }

  /** Drop a guest that failed; true when it was still idle (a run that took it reports it itself). */
  private remove(name: string, r: RunnerProcess): boolean {
    const list = this.idle.get(name) ?? [];
    const i = list.indexOf(r);
    if (i < 0) return false;
    list.splice(i, 1);
    r.kill();
    return true;
  }

  /** A runner for a run on this kernel: a warm guest when one waits (booted or booting), else a cold one. */
  async acquire(boot: GuestBoot): Promise<RunnerLease> {
    const list = this.idle.get(boot.kernel.name) ?? [];
    const r = list.shift() ?? new RunnerProcess(this.entry);
    r.ref();
    this.warm(boot);
    await r.ready;
    // A guest's runner is its run's alone: one VM, thrown away with the run.
    return new RunnerLease(r, 0, true);
  }

  /** Idle guests by kernel, and whether each is booted (for the bench and the agent's log). */
  status(): Record<string, { idle: number }> {
    return Object.fromEntries([...this.idle].map(([k, v]) => [k, { idle: v.length }]));
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const r of list.splice(0)) r.kill();
  }
}
