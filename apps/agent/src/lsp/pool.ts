import { access, constants } from 'node:fs/promises';
import type { AgentLimits } from '../limits.js';
import { removeDir } from '../compile/storage.js';
import { ClangdProcess } from './clangd.js';
import { CLANGD, MAIN_URI_PATH, WARM_TEXT, writeLspConfig } from './layout.js';

/** The session side of a clangd: told when its process is taken away. */
export interface PoolOwner {
  stopped(why: string): void;
}

interface Entry {
  owner: PoolOwner | undefined;
  /** Date.now() of the last use, for the idle timeout. */
  lastUsed: number;
  /** Order of the last use (a counter: two uses in one millisecond still have an order), for LRU. */
  useOrder: number;
}

/**
 * The agent's clangd processes: at most `lspMaxProcesses` alive, the least recently used one
 * given up when a session needs one and there is no room; each ended after `lspIdleMs` without
 * use; and one spare started ahead of time with the common prelude already parsed, so a new
 * session's first completion does not wait for vmlinux.h (1.5–2.5 s of CPU here).
 *
 * Measured on this machine (2 cores, 24 GiB; bench/src/lsp.ts): one clangd holding a libbpf
 * program with vmlinux.h resides in ~230–350 MB (~90 MB of it libLLVM/libclang pages shared by
 * every clangd) with 4 threads (-j 1). The default of 24 processes is ≈ 6–8 GB, a third of the
 * machine; 50 workshop sessions fit because a session holds a process only while it edits:
 * sessions idle for 10 minutes give theirs back, and beyond 24 editing at once the least recent
 * waits ~0.1–0.3 s (spare) or ~2 s (cold start) at its next keystroke.
 */
export class ClangdPool {
  private readonly live = new Map<ClangdProcess, Entry>();
  private uses = 0;
  private spare: ClangdProcess | undefined;
  private spareTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  private warming = false;
  private configDir: Promise<string> | undefined;
  /** Set when clangd cannot run here (not installed): every acquire fails with this. */
  private unavailable: string | undefined;
  private checked: Promise<void> | undefined;

  constructor(
    private readonly o: {
      includeDir: string;
      vmlinuxDir: string;
      limits: AgentLimits;
      /** Delay before a new spare is started after one was taken (not during the taker's own parse). */
      spareDelayMs?: number;
    },
  ) {
    this.sweepTimer = setInterval(() => this.sweepIdle(), Math.min(30_000, o.limits.lspIdleMs / 2));
    this.sweepTimer.unref();
  }

  get size(): number {
    return this.live.size;
  }

  /** Processes and who holds them, for tests and the bench. */
  stats(): { live: number; spare: boolean; owned: number } {
    const owned = [...this.live.values()].filter((e) => e.owner).length;
    return { live: this.live.size, spare: this.spare !== undefined, owned };
  }

  /**
   * A clangd for `owner`: the spare if there is one (warm: it has the prelude parsed, or is
   * parsing it), else a new one, after ending the least recently used if the pool is full.
   */
  async acquire(owner: PoolOwner): Promise<{ proc: ClangdProcess; warm: boolean }> {
    await (this.checked ??= this.check());
    if (this.unavailable !== undefined) throw new Error(this.unavailable);
    if (this.closed) throw new Error('the agent is shutting down');
    let proc = this.spare;
    let warm = true;
    this.spare = undefined;
    if (!proc?.alive) {
      warm = false;
      this.makeRoom();
      proc = await this.startProcess();
    }
    this.live.set(proc, { owner, lastUsed: Date.now(), useOrder: ++this.uses });
    // A user waits on it now: the priority of everything else (compiles, runs), not the spare's.
    await proc.ready.catch(() => {});
    await proc.setNice(0);
    this.scheduleSpare();
    return { proc, warm };
  }

  touch(proc: ClangdProcess): void {
    const e = this.live.get(proc);
    if (!e) return;
    e.lastUsed = Date.now();
    e.useOrder = ++this.uses;
  }

  /** The owner is done with it (session closed): the process ends. */
  release(proc: ClangdProcess): void {
    if (!this.live.delete(proc)) return;
    proc.kill('the session ended');
  }

  /** Starts the spare now if there is room (the agent's first session calls this through acquire). */
  warmUp(): void {
    if (this.spare || this.warming || this.closed || this.unavailable !== undefined) return;
    if (this.live.size >= this.o.limits.lspMaxProcesses) return;
    this.warming = true;
    void this.startProcess().then(
      (p) => {
        this.warming = false;
        if (this.closed || this.spare) {
          this.live.delete(p);
          p.kill();
          return;
        }
        this.spare = p;
        this.live.set(p, { owner: undefined, lastUsed: Date.now(), useOrder: ++this.uses });
        // The preamble of the common prelude, parsed while nobody waits for it.
        p.sync(`file://${MAIN_URI_PATH}`, WARM_TEXT, 0);
      },
      () => {
        this.warming = false;
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.spareTimer) clearTimeout(this.spareTimer);
    const procs = [...this.live.keys()];
    this.live.clear();
    this.spare = undefined;
    for (const p of procs) p.kill('the agent is shutting down');
    await Promise.all(procs.map((p) => p.exited));
    const dir = await this.configDir?.catch(() => undefined);
    if (dir) await removeDir(dir);
  }

  private async check(): Promise<void> {
    try {
      await access(CLANGD, constants.X_OK);
    } catch {
      this.unavailable = `${CLANGD} is not installed (Debian package clangd-19; scripts/setup.sh installs it): no completion, hover or live diagnostics`;
    }
  }

  private async startProcess(): Promise<ClangdProcess> {
    const configDir = await (this.configDir ??= writeLspConfig());
    const proc = await ClangdProcess.start({
      configDir,
      includeDir: this.o.includeDir,
      vmlinuxDir: this.o.vmlinuxDir,
      limits: this.o.limits,
    });
    void proc.exited.then((why) => {
      const e = this.live.get(proc);
      this.live.delete(proc);
      if (this.spare === proc) this.spare = undefined;
      e?.owner?.stopped(why);
    });
    return proc;
  }

  /** Ends the least recently used sessions' processes until one more fits. */
  private makeRoom(): void {
    while (this.live.size >= this.o.limits.lspMaxProcesses) {
      let victim: [ClangdProcess, Entry] | undefined;
      for (const e of this.live) if (!victim || e[1].useOrder < victim[1].useOrder) victim = e;
      if (!victim) return;
      const [proc, entry] = victim;
      this.live.delete(proc);
      if (this.spare === proc) this.spare = undefined;
      entry.owner?.stopped(
        `the agent runs at most ${this.o.limits.lspMaxProcesses} code analysers and gave yours to a more recent session; it starts again when you type`,
      );
      proc.kill('given to another session');
    }
  }

  private scheduleSpare(): void {
    if (this.closed || this.spare || this.spareTimer) return;
    this.spareTimer = setTimeout(() => {
      this.spareTimer = undefined;
      this.warmUp();
    }, this.o.spareDelayMs ?? 3000);
    this.spareTimer.unref();
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const [proc, e] of [...this.live]) {
      if (!e.owner || now - e.lastUsed < this.o.limits.lspIdleMs) continue;
      this.live.delete(proc);
      e.owner.stopped(
        `idle for ${Math.round(this.o.limits.lspIdleMs / 60_000)} min; the code analyser starts again when you type`,
      );
      proc.kill('idle');
    }
  }
}
