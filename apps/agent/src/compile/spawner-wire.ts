/**
 * What the agent and its spawner process (spawner.ts, spawner-main.ts) say to each other over the
 * spawner's IPC channel. The spawner starts one program only, bubblewrap, with the arguments the
 * agent's sandbox.ts built; everything else (which mounts, which user, which limits) stays there.
 */

/** The one program the spawner starts. */
export const BWRAP = '/usr/bin/bwrap';

export type ToSpawner =
  /** Start bwrap with `args`; relay at most `outputCap` bytes of each of stdout and stderr. */
  | { t: 'spawn'; id: number; args: string[]; outputCap: number }
  /** Write to its stdin; `end` closes stdin after `data`. */
  | { t: 'stdin'; id: number; data?: string; end: boolean }
  /** SIGKILL its whole process group (bwrap leads it), unless it has already been reaped. */
  | { t: 'kill'; id: number };

export type FromSpawner =
  | { t: 'ready' }
  | { t: 'out'; id: number; fd: 1 | 2; data: Uint8Array }
  /** bwrap could not be started at all (ENOENT, EAGAIN). */
  | { t: 'error'; id: number; message: string }
  /** bwrap has exited and its output pipes are drained. */
  | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };
