import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { DEFAULT_INCLUDE_DIR } from '../../src/compile/toolchain.js';
import { ensureVmlinuxHeader } from '../../src/compile/vmlinux.js';
import type { ClangdProcess } from '../../src/lsp/clangd.js';
import { ClangdPool, type PoolOwner } from '../../src/lsp/pool.js';
import { REPO } from '../harness/agent-process.js';
import { requireKernel } from '../harness/kernel.js';
import { isAlive, until } from '../harness/wait.js';

/** An owner that records why its clangd was taken away. */
function owner(): PoolOwner & { why: string[] } {
  const why: string[] = [];
  return { why, stopped: (w) => why.push(w) };
}

/** The pool with real clangd processes (they only initialize: no document, almost no CPU). */
describe('clangd pool: bounded, least recently used first, idle ones end', () => {
  const pools: ClangdPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  async function pool(limits: Partial<typeof DEFAULT_LIMITS>): Promise<ClangdPool> {
    requireKernel();
    const vmlinux = await ensureVmlinuxHeader({
      cacheDir: join(REPO, 'var/cache'),
      btfPath: '/sys/kernel/btf/vmlinux',
      warn: () => {},
    });
    // No spare unless a test asks for one (warmUp): each would parse vmlinux.h.
    const p = new ClangdPool({
      includeDir: DEFAULT_INCLUDE_DIR,
      vmlinuxDir: vmlinux.dir,
      limits: { ...DEFAULT_LIMITS, ...limits },
      spareDelayMs: 3_600_000,
    });
    pools.push(p);
    return p;
  }

  it('never runs more than K; the least recently used session gives its clangd up and is told why', async () => {
    const p = await pool({ lspMaxProcesses: 2 });
    const a = owner();
    const b = owner();
    const c = owner();
    const pa = (await p.acquire(a)).proc;
    const pb = (await p.acquire(b)).proc;
    p.touch(pa); // b is now the least recently used
    const pc = (await p.acquire(c)).proc;
    expect(p.size).toBe(2);
    expect(b.why).toEqual([
      'the agent runs at most 2 code analysers and gave yours to a more recent session; it starts again when you type',
    ]);
    expect(await pb.exited).toBe('given to another session');
    expect(a.why).toEqual([]);
    expect([pa.alive, pc.alive]).toEqual([true, true]);
  });

  it('ends a session’s clangd with the session', async () => {
    const p = await pool({});
    const proc = (await p.acquire(owner())).proc;
    await proc.ready;
    const pid = await proc.clangdPid();
    expect(pid).toBeGreaterThan(0);
    p.release(proc);
    expect(await proc.exited).toBe('the session ended');
    expect(p.size).toBe(0);
    // The kernel kills the sandbox's pid namespace with it; the process is reaped a moment later.
    await until('the clangd is gone', () => !isAlive(pid!));
  });

  it('ends a clangd nobody used for lspIdleMs', async () => {
    const p = await pool({ lspIdleMs: 400 });
    const o = owner();
    const proc = (await p.acquire(o)).proc;
    expect(await proc.exited).toBe('idle');
    expect(o.why[0]).toMatch(/^idle for 0 min; the code analyser starts again when you type/);
  });

  it('hands a session the spare, already started, and raises it from the spare’s low priority', async () => {
    const p = await pool({});
    p.warmUp();
    await until('a spare clangd is started', () => p.stats().spare);
    const { proc, warm } = await p.acquire(owner());
    expect(warm).toBe(true);
    expect(proc.open.has('file:///src/.main.bpf.c')).toBe(true);
    expect(await nices(proc)).toEqual([0]);
  });

  it('runs clangd as the sandbox user, capped by the sandbox rlimits', async () => {
    const p = await pool({ lspAddressSpaceBytes: 1536 * 1024 * 1024 });
    const proc: ClangdProcess = (await p.acquire(owner())).proc;
    await proc.ready;
    const pid = (await proc.clangdPid())!;
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)![1]).not.toBe('0');
    expect(/^CapEff:\s+(\w+)/m.exec(status)![1]).toBe('0000000000000000');
    const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(new RegExp(`Max address space\\s+${1536 * 1024 * 1024}\\s`));
    expect(limits).toMatch(/Max cpu time\s+900\s/);
    expect(await nices(proc)).toEqual([0]);
  });
});

/** The distinct nice values of a clangd's threads (field 19 of /proc/<tid>/stat). */
async function nices(proc: ClangdProcess): Promise<number[]> {
  const { readFile, readdir } = await import('node:fs/promises');
  const pid = (await proc.clangdPid())!;
  const out = new Set<number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    out.add(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return [...out];
}
