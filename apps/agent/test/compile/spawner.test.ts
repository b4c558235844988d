import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLimits } from '../../src/compile/limits.js';
import { BWRAP, startSandboxed } from '../../src/compile/sandbox.js';
import { sandboxIds } from '../../src/compile/sandbox-user.js';
import { Spawner } from '../../src/compile/spawner.js';
import { isAlive, until } from '../harness/wait.js';
import { COMPILE_TIMEOUT } from './helpers.js';

/**
 * Sandboxed tools are started by the spawner process (compile/spawner-main.ts), not by the agent.
 * Each test has its own spawner, so killing it cannot touch anyone else's tools; `sleep` with a
 * number no one else uses marks a test's own sandbox among the machine's processes.
 */
const spawner = new Spawner();
afterAll(() => spawner.close());

const limits = resolveLimits({ wallMs: 20_000 });
const marker = () => `${2000 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1e6)}`;

/** Processes whose command line contains every one of `words`, with their parent pids. */
function find(...words: string[]): { pid: number; ppid: number; cmd: string[] }[] {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!words.every((w) => cmd.includes(w))) continue;
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      out.push({ pid: Number(d), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The tool itself (not bwrap or setpriv, whose command lines name it too). */
const sleeping = (m: string) =>
  find('/usr/bin/sleep', m).filter((p) => p.cmd[0] === '/usr/bin/sleep' && isAlive(p.pid));

/** A sandboxed `sleep` under the test's spawner, running (and its marker, handle and exit). */
async function sleepInSandbox() {
  const m = marker();
  const proc = startSandboxed({ argv: ['/usr/bin/sleep', m], mounts: [], limits }, { spawner });
  const exit = proc.feed(undefined);
  await until('the sandbox is running', () => sleeping(m).length > 0);
  return { m, proc, exit };
}

describe('the sandbox spawner', () => {
  it(
    'starts the same bwrap sandbox as before, as a child of the spawner rather than of the agent',
    async () => {
      const { m, proc, exit } = await sleepInSandbox();
      const [bwrap] = find(BWRAP, '/usr/bin/sleep', m);
      expect(bwrap, 'no bwrap process runs the tool').toBeDefined();
      expect(bwrap!.ppid).toBe(spawner.pid);
      expect(bwrap!.ppid).not.toBe(process.pid);
      // The tool inside runs as the sandbox user, through setpriv and prlimit as always.
      expect(bwrap!.cmd).toEqual(expect.arrayContaining(['--unshare-net', '--die-with-parent', '/usr/bin/setpriv']));
      const [tool] = sleeping(m);
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${tool!.pid}/status`, 'utf8'))![1];
      expect(Number(uid)).toBe(sandboxIds().uid);
      proc.kill();
      expect((await exit).code).not.toBe(0);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'relays stdin, stdout, stderr and the exit status',
    async () => {
      const proc = startSandboxed(
        { argv: ['/usr/bin/sh', '-c', 'cat; echo oops >&2; exit 3'], mounts: [], limits },
        { spawner },
      );
      const exit = await proc.feed('from the agent\n');
      expect(exit).toMatchObject({ code: 3, stdout: 'from the agent\n', stderr: 'oops\n', truncated: false });
    },
    COMPILE_TIMEOUT,
  );

  it(
    'caps what crosses from the spawner at the output limit, and says it was truncated',
    async () => {
      const small = resolveLimits({ wallMs: 20_000, outputBytes: 1000 });
      const exit = await startSandboxed(
        { argv: ['/usr/bin/head', '-c', '5000000', '/dev/zero'], mounts: [], limits: small },
        { spawner },
      ).feed(undefined);
      expect(exit.truncated).toBe(true);
      expect(exit.stdout).toBe(`${'\0'.repeat(1000)}\n[Truncated]`);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'kills a cancelled tool, and everything in its sandbox',
    async () => {
      const m = marker();
      const ac = new AbortController();
      const proc = startSandboxed(
        { argv: ['/usr/bin/sh', '-c', `/usr/bin/sleep ${m} & /usr/bin/sleep ${m}; wait`], mounts: [], limits },
        { spawner },
      );
      const exit = proc.feed(undefined, ac.signal);
      await until('both sleeps run', () => sleeping(m).length === 2);
      ac.abort();
      expect((await exit).aborted).toBe(true);
      await until('the sandbox is gone', () => sleeping(m).length === 0);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'a dead spawner fails the tools it ran, which die with it, and the next tool gets a new spawner',
    async () => {
      const { m, exit } = await sleepInSandbox();
      const old = spawner.pid!;
      process.kill(old, 'SIGKILL');
      await expect(exit).rejects.toThrow(/the sandbox spawner exited \(SIGKILL\) while the tool ran/);
      // bwrap --die-with-parent: the sandbox does not outlive its spawner.
      await until('the orphaned sandbox is gone', () => sleeping(m).length === 0);
      const again = await startSandboxed({ argv: ['/usr/bin/echo', 'back'], mounts: [], limits }, { spawner }).feed(
        undefined,
      );
      expect(again).toMatchObject({ code: 0, stdout: 'back\n' });
      expect(spawner.pid).not.toBe(old);
    },
    COMPILE_TIMEOUT,
  );
});
