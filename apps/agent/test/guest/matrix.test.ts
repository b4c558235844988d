/**
 * The kernel matrix, end to end with real qemu and Debian's kernels: one compiled object on the host
 * and in microVMs side by side, labelled by target; CO-RE resolving differently per kernel; a kprobe
 * the host refuses running in the 6.1 guest; a hung guest killed at its limit; nothing left behind.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { runCli, ofType, writeSnippet } from '../harness/cli.js';
import { REPO, startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { requireKernel, uniqueName } from '../harness/kernel.js';
import { listKernels } from '../../src/guest/kernels.js';

const BPF = join(REPO, 'bpf');
const GUEST_BUILD = join(REPO, 'apps/agent/guest/build');

/** qemu processes booted from this checkout's initramfs (other checkouts' agents may run their own). */
function ourQemus(): number[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-f', `qemu-system-x86_64.*${GUEST_BUILD}`]).toString();
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out.split('\n').filter(Boolean).map(Number);
}

const byTarget = (messages: ServerMessage[], target: string) =>
  messages.filter((m) => 'target' in m && m.target === target);

function events(messages: ServerMessage[], target: string) {
  return ofType(byTarget(messages, target), 'events').flatMap((m) => m.records.map((r) => r.value));
}

describe('kernel matrix: one object on several kernels', () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    requireKernel();
    const names = listKernels().map((k) => k.name);
    if (!names.includes('5.10') || !names.includes('6.1'))
      throw new Error(
        `the kernel matrix is not set up (kernels with a guest: ${names.join(', ') || 'none'}): run scripts/setup.sh (scripts/kernels.sh and apps/agent/guest/build.sh)`,
      );
    agent = await startAgentProcess();
    // The KVM probe says what it found (no /dev/kvm here; a hung nested KVM guest elsewhere).
    expect(agent.output()).toMatch(/guests run under (TCG \(KVM probe: .+\)|KVM \(probe guest booted in \d+ ms\))/);
  });

  afterAll(async () => {
    await agent?.stop();
    expect(ourQemus(), 'no qemu of this checkout is left after the agent stopped').toEqual([]);
  });

  it('runs the same object on host, 5.10 and 6.1, each output labelled with its target, CO-RE resolving per kernel', async () => {
    const files = ['kernel-diff.bpf.c', 'kernel-diff.h'].map((f) => join(BPF, 'kernel-diff', f));
    const run = await runCli(files, ['--kernel', 'host,5.10,6.1', '--duration', '2', '--trigger', '/bin/true'], agent);
    const stopped = ofType(run.messages, 'stopped').filter((m) => m.target === undefined);
    expect(stopped, 'one final stopped frame').toHaveLength(1);
    expect(
      stopped[0]!.targets?.map((t) => `${t.target}:${t.reason}`).sort(),
      'each target ran to its time limit',
    ).toEqual(['5.10:timeout', '6.1:timeout', 'host:timeout']);
    for (const [target, renamed, loop] of [
      ['host', 1, 1],
      ['5.10', 0, 0],
      ['6.1', 1, 1],
    ] as const) {
      const values = events(run.messages, target) as Record<string, unknown>[];
      expect(values.length, `${target} produced records`).toBeGreaterThan(0);
      expect(values[0], `on ${target}: which state field, whether bpf_loop exists`).toMatchObject({
        state_field_renamed: renamed,
        has_bpf_loop: loop,
      });
    }
    // The CO-RE report checks the object against each kernel's BTF: __state exists from 5.14 on.
    const core = ofType(run.messages, 'core').at(-1);
    const exists = core?.relocations.find((r) => r.kind === 'field_exists' && r.access.includes('__state'));
    expect(exists, 'a field_exists relocation for task_struct::__state').toBeDefined();
    const value = (t: string) => exists!.results.find((r) => r.target === t)?.value;
    expect([value('this kernel'), value('5.10'), value('6.1')]).toEqual([1, 0, 1]);
    // The run's guests are gone; what may remain is the warm pool: one booted guest per kernel used.
    expect(ourQemus().length, 'qemus left: at most the warm guest of 5.10 and of 6.1').toBeLessThanOrEqual(2);
  });

  it('runs a kprobe the host cannot attach in the 6.1 guest, and its output arrives', async () => {
    const files = [join(BPF, 'kprobe-open', 'kprobe-open.bpf.c')];
    const host = await runCli(files, ['--duration', '1'], agent);
    expect(ofType(host.messages, 'stopped').at(-1)?.message, 'the host has no kprobes').toMatch(
      /nothing this kernel can run|kprobe/,
    );
    const guest = await runCli(files, ['--kernel', '6.1', '--duration', '2'], agent);
    const lines = ofType(byTarget(guest.messages, '6.1'), 'printk').flatMap((m) => m.lines.map((l) => l.text));
    expect(
      lines.some((l) => /^kprobe do_sys_openat2: \S+ opens \//.test(l)),
      lines.slice(0, 5).join('\n'),
    ).toBe(true);
    expect(guest.code).toBe(0);
  });

  it("prints with bpf_printk on 5.10, which lacks bpf_snprintf: the fallback reads the guest's own trace buffer", async () => {
    const run = await runCli(
      [join(BPF, 'hello', 'hello.bpf.c')],
      ['--kernel', '5.10', '--duration', '1', '--trigger', '/bin/true'],
      agent,
    );
    const lines = ofType(byTarget(run.messages, '5.10'), 'printk').flatMap((m) => m.lines);
    expect(lines.length, 'printk lines from the 5.10 guest').toBeGreaterThan(0);
    expect(lines[0]!.text).toMatch(/^Hello, world! pid \d+ \(\S+\) is calling execve$/);
    // Times are bpf_ktime_get_ns's clock like ring records: milliseconds since attach, not since boot.
    expect(lines[0]!.t).toBeGreaterThanOrEqual(0);
    expect(lines[0]!.t).toBeLessThan(60_000);
    expect(ofType(run.messages, 'refused'), "no policy refusal: the fallback is the guest's own").toEqual([]);
    expect(run.code).toBe(0);
  });

  it('kills a guest that stops answering at its limit and says so', async () => {
    // Every syscall in the guest runs 8 million loop iterations under emulation: the guest's
    // loader cannot answer "stop" in time, as if it hung.
    const name = uniqueName('hang');
    const files = writeSnippet({
      [`${name}.bpf.c`]: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
static long spin(__u64 i, void *ctx) { bpf_ktime_get_ns(); bpf_get_prandom_u32(); return 0; }
SEC("raw_tp/sys_enter")
int ${name}(void *ctx) { bpf_loop(1 << 23, spin, 0, 0); return 0; }
char LICENSE[] SEC("license") = "GPL";
`,
    });
    const t0 = performance.now();
    const run = await runCli(files, ['--kernel', '6.1', '--duration', '1'], agent);
    const final = ofType(run.messages, 'stopped').at(-1);
    // Stuck before or after attach, the guest is killed at the guest limit that applies and the run says so.
    expect(final?.message).toMatch(/did not (stop|load and attach) within \d+ s .*was killed/);
    expect(performance.now() - t0, 'killed at its limit, not waited on').toBeLessThan(100_000);
    expect(ourQemus().length, 'the killed guest is gone (the warm ones may wait)').toBeLessThanOrEqual(2);
  }, 150_000);
});
