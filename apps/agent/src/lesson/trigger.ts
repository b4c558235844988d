import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LessonTrigger } from '@bpfplay/protocol';
import { fillPlaceholders } from '@bpfplay/protocol';

/** Triggers run as nobody when the agent is root: they only need to exist, exec, open and write. */
const NOBODY = 65534;
/** A trigger that has not finished by then is killed (a lesson's trigger is a few quick commands). */
const TRIGGER_TIMEOUT_MS = 10_000;

/**
 * The processes a check starts for one lesson: without a shell, with the planted values filled in,
 * in a folder of their own, under a planted process name where the lesson asks for one (the
 * program is started through a symlink of that name: the kernel takes comm from the file name
 * exec'd), as an unprivileged user, each in its own process group so that `stop` ends them all.
 */
export class Triggers {
  private dir?: string;
  private readonly children = new Set<ChildProcess>();
  private stopped = false;
  /** What went wrong starting a trigger, in words for the verdict. */
  readonly problems: string[] = [];

  constructor(
    private readonly triggers: LessonTrigger[],
    private readonly planted: Record<string, string | number>,
  ) {}

  /** `before` triggers: started and running (exec'd) when this resolves; they live until stop(). */
  async startBefore(): Promise<void> {
    for (const t of this.triggers.filter((t) => t.when === 'before')) {
      try {
        await this.spawnOne(t);
      } catch (e) {
        this.problems.push((e as Error).message);
      }
    }
  }

  /** `running` triggers, one after the other, each `times` times; resolves when they are done. */
  async runRunning(): Promise<void> {
    for (const t of this.triggers.filter((t) => (t.when ?? 'running') === 'running')) {
      for (let i = 0; i < (t.times ?? 1) && !this.stopped; i++) {
        try {
          const child = await this.spawnOne(t);
          await exited(child);
        } catch (e) {
          this.problems.push((e as Error).message);
          return;
        }
      }
    }
  }

  /** End every trigger process and remove the folder. */
  stop(): void {
    this.stopped = true;
    for (const c of this.children) kill(c);
    this.children.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private folder(): string {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'bpfplay-trigger-'));
      chmodSync(this.dir, 0o755);
    }
    return this.dir;
  }

  private spawnOne(t: LessonTrigger): Promise<ChildProcess> {
    const argv = t.run.map((a) => fillPlaceholders(a, this.planted));
    const [program, ...args] = argv as [string, ...string[]];
    const cwd = this.folder();
    let file = program;
    if (t.comm) {
      const comm = fillPlaceholders(t.comm, this.planted);
      file = join(cwd, comm);
      try {
        symlinkSync(program, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const asRoot = process.getuid?.() === 0;
    const child = spawn(file, args, {
      cwd,
      argv0: program,
      detached: true,
      stdio: [t.stdin !== undefined ? 'pipe' : 'ignore', 'ignore', 'ignore'],
      env: { PATH: '/usr/bin:/bin', HOME: cwd, TERM: 'dumb', LANG: 'C' },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const timer = setTimeout(() => kill(child), TRIGGER_TIMEOUT_MS);
    timer.unref();
    child.once('exit', () => clearTimeout(timer));
    return new Promise((resolve, reject) => {
      child.once('error', (e) => reject(new Error(`the check could not start ${argv.join(' ')}: ${e.message}`)));
      child.once('spawn', () => {
        if (t.stdin !== undefined) {
          child.stdin!.on('error', () => {});
          child.stdin!.end(fillPlaceholders(t.stdin, this.planted));
        }
        resolve(child);
      });
    });
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
