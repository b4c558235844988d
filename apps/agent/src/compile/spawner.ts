import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ROOT } from '../config.js';
import type { FromSpawner, ToSpawner } from './spawner-wire.js';

/** The bundled spawner entry (spawner-main.ts); `npm run build` produces it with the runner's. */
export const SPAWNER_ENTRY = join(AGENT_ROOT, 'dist', 'spawner.js');

/** What sandbox.ts hears about one tool the spawner started. */
export interface ToolEvents {
  stdout(b: Buffer): void;
  stderr(b: Buffer): void;
  /** It could not be started, or (`spawnerDied`) the spawner died while it ran and the sandbox with it. */
  error(e: Error, spawnerDied: boolean): void;
  /** It exited; everything it wrote has arrived. */
  close(code: number | null, signal: NodeJS.Signals | null): void;
}

/** The agent's handle on one tool running under the spawner. */
export interface SpawnedTool {
  write(data: string): void;
  end(data?: string): void;
  /** SIGKILL to bwrap's whole process group (nothing once it has exited). */
  kill(): void;
  /** Keep the agent's event loop alive while this tool runs (a tool kept waiting for work does not). */
  ref(): void;
  unref(): void;
}

interface Entry {
  events: ToolEvents;
  refd: boolean;
}

/**
 * Starts sandboxed tools through one long-lived child process (spawner-main.ts says why). A
 * spawner that died (killed, crashed) fails the tools it was running with a clear error — their
 * sandboxes died with it — and the next spawn starts a new one.
 */
export class Spawner {
  private child: ChildProcess | undefined;
  private readonly tools = new Map<number, Entry>();
  private nextId = 1;
  private refs = 0;

  constructor(private readonly entry = SPAWNER_ENTRY) {}

  /** The spawner's pid, once one runs (tests kill it to see it come back). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  spawn(args: string[], outputCap: number, events: ToolEvents): SpawnedTool {
    const child = this.ensure();
    const id = this.nextId++;
    const entry: Entry = { events, refd: false };
    this.tools.set(id, entry);
    const send = (m: ToSpawner) => {
      if (this.child === child && child.connected) child.send(m);
    };
    send({ t: 'spawn', id, args, outputCap });
    const tool: SpawnedTool = {
      write: (data) => send({ t: 'stdin', id, data, end: false }),
      end: (data) => send({ t: 'stdin', id, ...(data !== undefined ? { data } : {}), end: true }),
      kill: () => {
        if (this.tools.has(id)) send({ t: 'kill', id });
      },
      ref: () => this.setRef(entry, true),
      unref: () => this.setRef(entry, false),
    };
    tool.ref();
    return tool;
  }

  /** Kills the spawner (and with it every tool it runs). */
  close(): void {
    this.child?.kill('SIGKILL');
  }

  private ensure(): ChildProcess {
    if (this.child?.connected) return this.child;
    if (!existsSync(this.entry)) throw new Error(`spawner entry ${this.entry} is missing: run \`npm run build\` first`);
    // No execArgv of ours (a profiler, a test loader): it runs Node's own modules and nothing else.
    const child = fork(this.entry, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    child.on('message', (m: FromSpawner) => this.receive(m));
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      const orphans = [...this.tools.values()];
      this.tools.clear();
      this.refs = 0;
      for (const t of orphans)
        t.events.error(new Error(`the sandbox spawner ${why} while the tool ran; try again`), true);
    };
    child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    child.on('error', (e) => gone(`failed: ${e.message}`));
    this.applyRef();
    return child;
  }

  private receive(m: FromSpawner): void {
    if (m.t === 'ready') return;
    const entry = this.tools.get(m.id);
    if (!entry) return;
    if (m.t === 'out') {
      const b = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      if (m.fd === 1) entry.events.stdout(b);
      else entry.events.stderr(b);
      return;
    }
    this.tools.delete(m.id);
    this.setRef(entry, false);
    if (m.t === 'error') entry.events.error(new Error(m.message), false);
    else entry.events.close(m.code, m.signal);
  }

  private setRef(entry: Entry, on: boolean): void {
    if (entry.refd === on) return;
    entry.refd = on;
    this.refs += on ? 1 : -1;
    this.applyRef();
  }

  /** The spawner holds the agent's event loop only while a tool someone waits for runs. */
  private applyRef(): void {
    const c = this.child;
    if (!c) return;
    if (this.refs > 0) {
      c.ref();
      c.channel?.ref();
    } else {
      c.unref();
      c.channel?.unref();
    }
  }
}

let shared: Spawner | undefined;

/** The agent's one spawner, started at the first sandboxed tool. */
export function sandboxSpawner(): Spawner {
  return (shared ??= new Spawner());
}
