import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { type CompileLimits, rlimitArgs } from './limits.js';
import { sandboxIds } from './sandbox-user.js';
import { sandboxSpawner, type Spawner } from './spawner.js';
import { BWRAP } from './spawner-wire.js';

export { BWRAP } from './spawner-wire.js';

/**
 * Runs a tool (clang, llvm-objdump) inside bubblewrap. What the tool can see:
 *   /usr read-only (+ the /lib, /lib64, /bin, /sbin symlinks merged-usr needs), a fresh /dev, a
 *   private tmpfs /tmp, and exactly the mounts the caller names. No /proc, /etc, /home, /root,
 *   /sys, no network (empty net namespace), no other process (own pid namespace).
 *
 * Why bwrap runs as root and `setpriv` drops to the sandbox user (sandbox-user.ts) inside, instead
 * of `--unshare-user --uid N`: a user namespace created by root maps the sandbox uid to real uid 0,
 * so "N" would still own every root-owned file it can reach. Here the compiler really runs as the
 * sandbox user, with no capabilities and no_new_privs. The price is that `--unshare-all` cannot be
 * used (it adds a user namespace in which that uid is unmapped, and setpriv then fails with EINVAL),
 * so every other namespace is listed by hand below.
 */

const SETPRIV = '/usr/bin/setpriv';
const PRLIMIT = '/usr/bin/prlimit';

export interface SandboxMount {
  host: string;
  /** Absolute path inside the sandbox. */
  sandbox: string;
  /** Read-only unless set. */
  writable?: boolean;
}

export interface SandboxRun {
  /** argv[0] must be an absolute path under /usr. */
  argv: string[];
  mounts: SandboxMount[];
  cwd?: string;
  limits: CompileLimits;
  signal?: AbortSignal;
}

export interface SandboxExit {
  code: number | null;
  /** The signal that ended the tool (decoded from bwrap's 128+n exit status). */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  stdout: string;
  stderr: string;
  /** Some output was dropped because it exceeded `limits.outputBytes`. */
  truncated: boolean;
  durationMs: number;
}

export function sandboxArgs(run: Omit<SandboxRun, 'signal'>): string[] {
  const { argv, mounts, cwd, limits } = run;
  if (!argv[0]?.startsWith('/usr/')) throw new Error(`sandboxed tool must live under /usr: ${argv[0]}`);
  const user = sandboxIds();
  const args = [
    // bwrap dies with its parent (the spawner, or the agent for clangd), and with it (pid 1 of the
    // namespace) every process inside.
    '--die-with-parent',
    '--new-session',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-uts',
    '--unshare-cgroup',
    '--hostname',
    'bpfplay-compile',
    '--cap-drop',
    'ALL',
    // Only what setpriv needs to drop to the sandbox user; it clears them again with the uid change.
    '--cap-add',
    'CAP_SETUID',
    '--cap-add',
    'CAP_SETGID',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin',
    '--setenv',
    'LANG',
    'C.UTF-8',
    // A clang stopped by RLIMIT_CPU's SIGXCPU runs its crash handler; symbolizing the stack dump took
    // seconds of the little CPU left and ended in the hard limit's SIGKILL instead of SIGXCPU.
    '--setenv',
    'LLVM_DISABLE_SYMBOLIZATION',
    '1',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--dev',
    '/dev',
    '--size',
    String(Math.floor(limits.tmpfsBytes)),
    // bwrap makes new folders 0700 root; the sandbox user must be able to use /tmp and reach the mounts.
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
  ];
  const made = new Set<string>();
  for (const m of mounts) {
    if (!/^\/[A-Za-z0-9_./-]+$/.test(m.sandbox) || m.sandbox.includes('..') || /^\/(usr|tmp|dev)(\/|$)/.test(m.sandbox))
      throw new Error(`bad sandbox mount point ${m.sandbox}`);
    const parts = m.sandbox.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!made.has(dir)) args.push('--perms', '0755', '--dir', dir);
      made.add(dir);
    }
    args.push(m.writable ? '--bind' : '--ro-bind', m.host, m.sandbox);
  }
  if (cwd !== undefined) args.push('--chdir', cwd);
  args.push(
    '--',
    SETPRIV,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    PRLIMIT,
    ...rlimitArgs(limits),
    ...argv,
  );
  return args;
}

export function runSandboxed(run: SandboxRun): Promise<SandboxExit> {
  if (run.signal?.aborted) return Promise.reject(abortError(run.signal));
  return startSandboxed(run).feed(undefined, run.signal);
}

/**
 * A sandboxed tool started now and given its input later: clang reading its source from stdin
 * loads its libraries and parses its flags (~0.1 s of CPU here, half of a small compile) before it
 * blocks on the read, so a process started ahead of time answers in half the time (ClangPool in
 * clang.ts).
 */
export interface SandboxProcess {
  /**
   * Writes `input` to stdin (undefined: nothing, stdin closed) and waits for the exit. The wall
   * clock (`limits.wallMs`) starts here, not at spawn. With `hold`, stdin stays open (the tool
   * keeps waiting for the rest of its input) until `hold` settles: a test hook (CompileTestHooks)
   * that keeps a compile running for as long as a test needs, on any machine. Call once.
   */
  feed(input: string | undefined, signal?: AbortSignal, hold?: Promise<void>): Promise<SandboxExit>;
  /** Exited already (killed, crashed) before being fed: its answer is not worth waiting for. */
  readonly exited: boolean;
  kill(): void;
}

/**
 * Starts bwrap with the tool inside, stdin/stdout/stderr piped, straight from this process.
 * detached: bwrap leads its own process group, so killing that group (`process.kill(-pid)`) ends
 * the tool and cannot reach the agent. Long-lived tools (clangd, lsp/clangd.ts) use this directly;
 * short ones go through the spawner (startSandboxed).
 */
export function spawnSandboxed(run: Omit<SandboxRun, 'signal'>): ChildProcessWithoutNullStreams {
  return spawn(BWRAP, sandboxArgs(run), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: '/usr/bin' } });
}

/**
 * Starts bwrap with the tool inside through the agent's spawner process (spawner.ts): the same
 * arguments, so the same sandbox, without forking the agent for every compile and disassembly.
 */
export function startSandboxed(
  run: Omit<SandboxRun, 'signal'>,
  o: { idle?: boolean; spawner?: Spawner } = {},
): SandboxProcess {
  const { limits } = run;
  let started = performance.now();
  const out = new CappedText(limits.outputBytes);
  const err = new CappedText(limits.outputBytes);
  let spawnError: Error | undefined;
  let closed: { code: number | null; sig: NodeJS.Signals | null } | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const tool = (o.spawner ?? sandboxSpawner()).spawn(sandboxArgs(run), limits.outputBytes, {
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
    error: (e, spawnerDied) => {
      spawnError = spawnerDied
        ? e
        : new Error(`cannot start the compile sandbox (${BWRAP}): ${e.message}; install bubblewrap`);
      wake();
    },
    close: (code, sig) => {
      closed = { code, sig };
      wake();
    },
  });
  // A process kept waiting for work must not keep the agent (or a test) from exiting.
  if (o.idle) tool.unref();
  const kill = () => tool.kill();
  return {
    get exited() {
      return closed !== undefined || spawnError !== undefined;
    },
    kill,
    feed(input, signal, hold) {
      if (o.idle) {
        tool.ref();
        started = performance.now();
      }
      return new Promise((resolve, reject) => {
        let timedOut = false;
        let aborted = false;
        const timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, limits.wallMs);
        const onAbort = () => {
          aborted = true;
          kill();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        // Cancelled while the caller was getting ready (writing the snippet): the listener never fires.
        if (signal?.aborted) onAbort();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (spawnError) return reject(spawnError);
          const { code, sig } = closed!;
          // bwrap reports a child killed by signal n as exit status 128+n.
          let toolSignal: NodeJS.Signals | null = sig;
          if (toolSignal === null && code !== null && code > 128) toolSignal = signalName(code - 128);
          resolve({
            code,
            signal: toolSignal,
            timedOut,
            aborted,
            stdout: out.text(),
            stderr: err.text(),
            truncated: out.truncated || err.truncated,
            durationMs: performance.now() - started,
          });
        };
        if (closed || spawnError) return done();
        waiters.push(done);
        if (!hold) return void tool.end(input);
        if (input !== undefined) tool.write(input);
        const release = () => void tool.end();
        hold.then(release, release);
      });
    },
  };
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('compile was cancelled');
  e.name = 'AbortError';
  return e;
}

function signalName(n: number): NodeJS.Signals | null {
  for (const [name, num] of Object.entries(osConstants.signals)) if (num === n) return name as NodeJS.Signals;
  return null;
}

/** Keeps the first `cap` bytes of a stream; what follows is counted, not stored. */
class CappedText {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(b: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = b.length > room ? b.subarray(0, room) : b;
    if (part.length < b.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${s}\n[Truncated]` : s;
  }
}
