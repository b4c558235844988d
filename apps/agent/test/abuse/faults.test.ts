/**
 * Crash safety and faults: the agent killed (SIGKILL) mid-XDP-run and mid-compile leaves no program
 * and no process behind, and a restarted agent serves again; a crashing clang, a hung clang, a
 * verifier that works for seconds, a full and a read-only data folder are each reported, and the
 * agent goes on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { requireKernel, uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { processTree } from '../examples/leftovers.js';
import { agentAlive, startPolicyAgent } from './agents.js';
import { describeEnd } from './cases.js';
import { percentile, programsHeldByAgent, runOnce } from './driver.js';
import { Tally } from './summary.js';

const tally = new Tally();
const started: AgentProcess[] = [];
const mounts: string[] = [];

beforeAll(() => requireKernel());
afterAll(async () => {
  // A child already killed has signalCode set and no exitCode: stop() would wait for an exit that happened.
  for (const a of started) if (a.child.exitCode === null && a.child.signalCode === null) await a.stop('SIGKILL');
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m]);
      rmSync(m, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
  const title = 'faults and crash safety';
  tally.save(title);
  console.log(tally.table(title));
});

async function agentWith(args: string[] = [], policy?: unknown): Promise<AgentProcess> {
  const a = policy ? await startPolicyAgent(policy, args) : await startAgentProcess(args);
  started.push(a);
  return a;
}

const tracepoint = (name: string) => ({
  'p.bpf.c': `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nSEC("tp/syscalls/sys_enter_getppid") int ${name}(void *c) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n`,
});
const xdp = (name: string) => ({
  'x.bpf.c': `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nu64 packets;\nSEC("xdp") int ${name}(struct xdp_md *ctx) { __sync_fetch_and_add(&packets, 1); return XDP_PASS; }\nchar LICENSE[] SEC("license") = "GPL";\n`,
});
/** Keeps clang busy for seconds (until a limit stops it): 2^30 tokens from 31 macros. */
function slowCompile(): Record<string, string> {
  const lines = ['#define A0 x'];
  for (let i = 1; i <= 30; i++) lines.push(`#define A${i} A${i - 1} A${i - 1}`);
  return { 'slow.bpf.c': `/* ${Math.random()} */\n${lines.join('\n')}\nint y = sizeof(#A30);\n` };
}

const isClang = (pid: number) => {
  try {
    return /^clang/.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
  } catch {
    return false;
  }
};
/**
 * The agent keeps one clang started ahead of time, blocked reading its source from stdin
 * (compile/clang.ts ClangPool): `read(0, …)` in /proc/<pid>/syscall. That one is not compiling.
 */
const waitingForSource = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('0 0x0 ');
  } catch {
    return false;
  }
};
/** A clang of the agent's that is compiling (not the one waiting for the next compile). */
async function findClang(agentPid: number, timeoutMs = 20_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pid = processTree(agentPid).find((p) => isClang(p) && !waitingForSource(p));
    if (pid) return pid;
    if (Date.now() > until) throw new Error('no clang process appeared under the agent');
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function gone(pids: number[], timeoutMs = 5000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((p) => {
      try {
        process.kill(p, 0);
        return !/^Z/m.test(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1] ?? '');
      } catch {
        return false;
      }
    });
    if (!alive.length || Date.now() > until) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent killed', () => {
  it('mid-XDP-run (runner in its own network namespace): no program, no process left; a new agent serves', async () => {
    const a = await agentWith();
    const name = uniqueName('f_xdp');
    const c = connect(a.wsUrl, { token: a.token });
    const done = runOnce(c, 'x', xdp(name), { options: { durationSec: 60, packetsPerSec: 200 } });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running');
    const tree = processTree(a.child.pid!);
    expect(tree.length).toBeGreaterThan(1); // the agent and the namespaced runner at least
    await a.stop('SIGKILL');
    void done;
    const leftPrograms = await waitNoPrograms(name, 5000);
    const leftProcs = await gone(tree);
    tally.record(
      'agent SIGKILL',
      'mid-XDP-run',
      leftPrograms.length || leftProcs.length ? `left: ${leftPrograms.length} programs, pids ${leftProcs}` : undefined,
    );
    tally.leaks += leftPrograms.length;
    expect(leftPrograms).toEqual([]);
    expect(leftProcs).toEqual([]);
    const b = await agentWith();
    const o = await runOnce(connect(b.wsUrl, { token: b.token }), 'again', tracepoint(uniqueName('f_again')), {
      options: { durationSec: 1 },
    });
    tally.record(
      'agent SIGKILL',
      'restarted agent serves',
      o.stopped?.reason === 'timeout' ? undefined : describeEnd(o),
    );
    expect(o.stopped?.reason).toBe('timeout');
    await b.stop();
  }, 90_000);

  it('mid-compile: clang and its sandbox go with the agent', async () => {
    const a = await agentWith([], { compile: { wallMs: 60_000, cpuSeconds: 30 } });
    const c = connect(a.wsUrl, { token: a.token });
    void runOnce(c, 'slow', slowCompile());
    const clang = await findClang(a.child.pid!);
    const tree = processTree(a.child.pid!);
    expect(tree).toContain(clang);
    await a.stop('SIGKILL');
    const left = await gone(tree);
    tally.record('agent SIGKILL', 'mid-compile', left.length ? `processes left: ${left}` : undefined);
    expect(left).toEqual([]);
  }, 90_000);
});

describe('toolchain faults', () => {
  let a: AgentProcess;
  beforeAll(async () => {
    a = await agentWith([], { compile: { wallMs: 4000, cpuSeconds: 10 } });
  });

  it('a clang killed by a signal is reported as a crash, and the next compile works', async () => {
    const c = connect(a.wsUrl, { token: a.token });
    const run = runOnce(c, 'crash', slowCompile());
    process.kill(await findClang(a.child.pid!), 'SIGSEGV');
    const o = await run;
    const said = `${o.stopped?.message}\n${o.compiled?.output ?? ''}`;
    const ok = o.stopped?.reason === 'compile-error' && /SIGSEGV|Segmentation|crash|PLEASE submit/i.test(said);
    tally.record('toolchain fault', 'clang crashes (SIGSEGV)', ok ? undefined : describeEnd(o));
    expect(o.stopped?.reason).toBe('compile-error');
    expect(said).toMatch(/SIGSEGV|Segmentation|crash|PLEASE submit/i);
    const next = await runOnce(c, 'next', tracepoint(uniqueName('f_next')), { options: { durationSec: 1 } });
    expect(next.stopped?.reason).toBe('timeout');
    c.close();
  }, 60_000);

  it('a hung clang is stopped at the wall-clock limit and reported as such', async () => {
    const c = connect(a.wsUrl, { token: a.token });
    const run = runOnce(c, 'hang', slowCompile());
    const clang = await findClang(a.child.pid!);
    process.kill(clang, 'SIGSTOP');
    const o = await run;
    const ok = o.stopped?.reason === 'compile-error' && /longer than 4 s \(wall-clock limit\)/.test(o.stopped.message);
    tally.record('toolchain fault', 'clang hangs (SIGSTOP)', ok ? undefined : describeEnd(o));
    expect(o.stopped?.message).toMatch(/compile took longer than 4 s \(wall-clock limit\) and was stopped/);
    expect(await gone([clang])).toEqual([]);
    const next = await runOnce(c, 'next2', tracepoint(uniqueName('f_next2')), { options: { durationSec: 1 } });
    expect(next.stopped?.reason).toBe('timeout');
    c.close();
  }, 60_000);

  it('a verifier working for seconds does not stall other sessions', async () => {
    const files = Object.fromEntries(
      ['broken-too-large.bpf.c'].map((f) => [f, readFileSync(join(REPO, 'bpf/broken-too-large', f), 'utf8')]),
    );
    const c = connect(a.wsUrl, { token: a.token });
    const probe = connect(a.wsUrl, { token: a.token });
    await probe.waitFor((m) => m.type === 'hello');
    const run = runOnce(c, 'heavy', files);
    const rtts: number[] = [];
    let ended = false;
    void run.then(() => (ended = true));
    for (let i = 0; !ended && i < 600; i++) {
      const t = performance.now();
      probe.send({ type: 'ping', t: i });
      await probe.waitFor((m) => m.type === 'pong' && m.t === i, 5000);
      rtts.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    const o = await run;
    tally.figure('slow verifier: run time', `${Math.round(o.totalMs)} ms`);
    tally.figure(
      'slow verifier: ping p50 / max',
      `${Math.round(percentile(rtts, 50))} / ${Math.round(Math.max(...rtts))} ms (${rtts.length} pings)`,
    );
    tally.record(
      'toolchain fault',
      'verifier works for seconds',
      o.stopped?.reason === 'verifier' ? undefined : describeEnd(o),
    );
    expect(o.stopped?.reason).toBe('verifier');
    expect(rtts.length).toBeGreaterThan(0);
    c.close();
    probe.close();
  }, 120_000);

  it('leaves no program behind after the faults', async () => {
    const held = await programsHeldByAgent(a.child.pid!);
    tally.leaks += held.length;
    expect(held).toEqual([]);
    expect(await agentAlive(a)).toBe(true);
  });
});

describe('data folder faults', () => {
  /**
   * A data folder on its own small tmpfs holding a copy of the warm cache (so the agent starts in
   * seconds, as a real one with a cache would), which the test then fills up or makes read-only.
   */
  function dataMount(): string {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-data-'));
    const cache = join(process.env.BPFPLAY_DATA_DIR ?? join(REPO, 'var'), 'cache');
    // The agents started earlier in this file made it (vmlinux.h, PCH, objects).
    if (!existsSync(join(cache, 'pch')))
      throw new Error(`${cache} has no warm cache yet: run the whole file, not only this test`);
    const kb = Number(execFileSync('du', ['-sk', cache], { encoding: 'utf8' }).split('\t')[0]) + 1024;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
    mounts.push(dir);
    execFileSync('cp', ['-a', cache, join(dir, 'cache')]);
    return dir;
  }

  it('a full data folder (object cache, audit log) costs warnings, not runs', async () => {
    const dir = dataMount();
    // Fill what is left: dd stops with ENOSPC, which is the point.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // "No space left on device"
    }
    const a = await agentWith(['--data-dir', dir]);
    const c = connect(a.wsUrl, { token: a.token });
    const o = await runOnce(c, 'full', tracepoint(uniqueName('f_full')), { options: { durationSec: 1 } });
    const o2 = await runOnce(c, 'full2', tracepoint(uniqueName('f_full2')), { options: { durationSec: 1 } });
    // The audit line is written after the `stopped` frame: wait for the agent to say it could not.
    const warned = await a.waitForOutput(/cannot append to the audit log/, 10_000).then(
      () => /audit log .*No space|ENOSPC|no space/i.test(a.output()),
      () => false,
    );
    tally.record(
      'disk fault',
      'data folder full',
      o.stopped?.reason === 'timeout' && o2.stopped?.reason === 'timeout' && warned
        ? undefined
        : `${describeEnd(o)}; warned: ${warned}`,
    );
    expect(o.stopped?.reason).toBe('timeout');
    expect(o2.stopped?.reason).toBe('timeout');
    expect(a.output()).toMatch(/cannot append to the audit log .*runs go on unaudited/);
    await a.stop();
  }, 90_000);

  it('a read-only data folder costs warnings, not runs', async () => {
    const dir = dataMount();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const a = await agentWith(['--data-dir', dir]);
    const c = connect(a.wsUrl, { token: a.token });
    const o = await runOnce(c, 'ro', tracepoint(uniqueName('f_ro')), { options: { durationSec: 1 } });
    tally.record('disk fault', 'data folder read-only', o.stopped?.reason === 'timeout' ? undefined : describeEnd(o));
    expect(o.stopped?.reason).toBe('timeout');
    await a.waitForOutput(/read-only|EROFS/i, 10_000);
    await a.stop();
  }, 90_000);
});
