/**
 * The kernel matrix, end to end with real qemu and Debian's kernels: one compiled object on the host
 * and in microVMs side by side, labelled by target; CO-RE resolving differently per kernel; a kprobe
 * the host refuses running in the 6.1 guest; a hung guest killed at its limit; nothing left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelTable, type ServerMessage } from '@bpfplay/protocol';
import { runCli, ofType, writeSnippet } from '../harness/cli.js';
import { REPO, startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { requireKernel, uniqueName } from '../harness/kernel.js';
import { listKernels } from '../../src/guest/kernels.js';
import { programNames } from '../examples/expect.js';
import { programsLeftByAgent } from '../examples/leftovers.js';
import {
  README,
  TABLE_JSON,
  TABLE_END,
  TABLE_START,
  renderMarkdown,
  runnableExamples,
  tableRow,
} from '../examples/kernel-table.js';

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

/** The `status` states one target went through, in order. */
const statesOf = (messages: ServerMessage[], target: string) =>
  ofType(byTarget(messages, target), 'status').map((m) => m.state);

function events(messages: ServerMessage[], target: string) {
  return ofType(byTarget(messages, target), 'events').flatMap((m) => m.records.map((r) => r.value));
}

/** Run folders the agent made for compiles (compile/storage.ts: one root per agent process) and did not remove. */
function runFoldersLeft(agentPid: number): string[] {
  const root = join(tmpdir(), `bpfplay-compile-${agentPid}`);
  return existsSync(root) ? readdirSync(root) : [];
}

describe('kernel matrix: one object on several kernels', () => {
  let agent: AgentProcess;
  /** Programs every run of this file loaded or tried to (on the host target: the guests' die with their VM). */
  const loadedNames = new Set<string>();
  const remember = (messages: ServerMessage[]) => programNames(messages).forEach((n) => loadedNames.add(n));

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
    // Before the agent stops (which would release everything anyway): what the runs left behind.
    const pid = agent?.child.pid;
    const files = pid ? runFoldersLeft(pid) : [];
    const programs = pid ? await programsLeftByAgent([...loadedNames], pid) : [];
    await agent?.stop();
    // While the agent lives, the only folders are the waiting clang's (compile/clang.ts: a spare
    // started ahead, with a source and an output folder). Stopping removes the spare's; a folder a run
    // left behind would stay (only the next agent's sweep removes it), so none may remain.
    for (const kind of ['src-', 'out-'])
      expect(
        files.filter((f) => f.startsWith(kind)).length,
        `the waiting clang's only: ${files.join(', ')}`,
      ).toBeLessThanOrEqual(1);
    expect(pid ? runFoldersLeft(pid) : [], 'no run folder left once the agent stopped').toEqual([]);
    expect(programs, 'no BPF program held by the agent after its runs ended').toEqual([]);
    expect(ourQemus(), 'no qemu of this checkout is left after the agent stopped').toEqual([]);
  });

  it('runs the same object on host, 5.10 and 6.1, each output labelled with its target, CO-RE resolving per kernel', async () => {
    const files = ['kernel-diff.bpf.c', 'kernel-diff.h'].map((f) => join(BPF, 'kernel-diff', f));
    const run = await runCli(files, ['--kernel', 'host,5.10,6.1', '--duration', '2', '--trigger', '/bin/true'], agent);
    remember(run.messages);
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
    // Each kernel's first run finds no guest waiting in the pool: it waits for a cold boot, and says so.
    for (const target of ['5.10', '6.1'])
      expect(statesOf(run.messages, target).slice(0, 2), `${target}: a cold guest boots, then loads`).toEqual([
        'booting',
        'loading',
      ]);
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
    remember(host.messages);
    expect(ofType(host.messages, 'stopped').at(-1)?.message, 'the host has no kprobes').toMatch(
      /nothing this kernel can run|kprobe/,
    );
    // The first test's 6.1 run put a guest in the pool; once it has booted, this run takes it.
    await agent.waitForOutput(/warm guest 6\.1 ready/, 180_000);
    const guest = await runCli(files, ['--kernel', '6.1', '--duration', '2'], agent);
    expect(statesOf(guest.messages, '6.1')[0], 'a warm guest: no booting, straight to loading').toBe('loading');
    const lines = ofType(byTarget(guest.messages, '6.1'), 'printk').flatMap((m) => m.lines.map((l) => l.text));
    expect(
      lines.some((l) => /^kprobe do_sys_openat2: \S+ opens \//.test(l)),
      lines.slice(0, 5).join('\n'),
    ).toBe(true);
    expect(guest.code).toBe(0);
  });

  it("names a guest's stacks with that kernel's own symbols: record stacks and stack maps, each as a flame graph", async () => {
    // perf_event samples: the interrupted kernel's registers, so kernel stacks to walk in an idle guest
    // too. (Syscall tracepoints hand BPF the syscall's user registers on 6.1: no kernel stack there.)
    const named = /^[A-Za-z_][\w.]*\+0x[0-9a-f]+$/;
    const name = uniqueName('gstack');
    const files = writeSnippet({
      [`${name}.bpf.c`]: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct event { __u32 pid; char comm[16]; __u64 kstack[32]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");
SEC("perf_event")
int ${name}(struct bpf_perf_event_data *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`,
    });
    const rec = await runCli(files, ['--kernel', '6.1', '--duration', '2'], agent);
    const names = ofType(byTarget(rec.messages, '6.1'), 'symbols').flatMap((m) => Object.values(m.names));
    expect(
      names.filter((n) => named.test(n)).length,
      `record frames named: ${names.slice(0, 5).join(', ')}`,
    ).toBeGreaterThan(0);
    const recProfile = ofType(byTarget(rec.messages, '6.1'), 'maps')
      .at(-1)
      ?.stacks?.find((p) => p.name === 'events');
    expect(
      recProfile?.samples.some((s) => s.frames.some((f) => named.test(f))),
      'a flame graph of the records',
    ).toBe(true);

    const map = await runCli(
      ['profile.bpf.c', 'profile.h'].map((f) => join(BPF, 'profile', f)),
      ['--kernel', '6.1', '--duration', '2'],
      agent,
    );
    const snap = ofType(byTarget(map.messages, '6.1'), 'maps').at(-1);
    const frames = (snap?.maps.find((m) => m.name === 'stackmap')?.entries ?? []).flatMap((e) => e.value as string[]);
    // The guest's /proc/kallsyms: Debian's System.map is a stub, and this host's kallsyms names other functions.
    expect(
      frames.filter((f) => named.test(f)).length,
      `stack map frames: ${frames.slice(0, 5).join(', ')}`,
    ).toBeGreaterThan(0);
    const profile = snap?.stacks?.find((p) => p.name === 'counts');
    expect(
      profile?.samples.some((s) => s.frames.some((f) => named.test(f))),
      'a flame graph of the stack map',
    ).toBe(true);
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

  it('the kernel table: the committed one is well-formed and matches the README; the generator works on one example', async () => {
    const table = KernelTable.parse(JSON.parse(readFileSync(TABLE_JSON, 'utf8')));
    const names = runnableExamples().map((e) => e.name);
    expect(table.targets[0]?.name, 'the host is the first column').toBe('host');
    for (const row of table.rows) {
      expect(names, `bpf/kernel-table.json names ${row.example}, which is not a runnable example`).toContain(
        row.example,
      );
      expect(Object.keys(row.cells).sort(), `${row.example} has a cell per column`).toEqual(
        table.targets.map((t) => t.name).sort(),
      );
    }
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(section, 'bpf/README.md shows the committed table (run npm run -s kernel-table in bench/)').toBe(
      renderMarkdown(table),
    );
    // The generator on one example, on the host and the 6.1 guest (warm by now).
    const example = runnableExamples().find((e) => e.name === 'kernel-diff')!;
    const row = await tableRow(example, ['host', '6.1'], agent);
    expect(row.cells).toEqual({ host: { status: 'ok' }, '6.1': { status: 'ok' } });
    const kprobe = await tableRow(
      runnableExamples().find((e) => e.name === 'kprobe-open')!,
      ['host', '6.1'],
      agent,
    );
    expect(kprobe.cells.host?.status, 'no kprobes on this host').toBe('fails');
    expect(kprobe.cells['6.1']).toEqual({ status: 'ok' });
    loadedNames.add('report');
  }, 240_000);
});

describe('--isolate: every run in a throw-away guest', () => {
  it('offers no host target, and a run that names the host is refused before anything loads', async () => {
    requireKernel();
    const agent = await startAgentProcess(['--isolate']);
    try {
      const info = (await (
        await fetch(`${agent.url}/api/info`, { headers: { authorization: `Bearer ${agent.token}` } })
      ).json()) as { capabilities: { runTargets: string[] } };
      expect(info.capabilities.runTargets, 'only kernels of the matrix').not.toContain('host');
      expect(info.capabilities.runTargets.length).toBeGreaterThan(0);
      const run = await runCli([join(BPF, 'hello', 'hello.bpf.c')], ['--kernel', 'host', '--duration', '1'], agent);
      const final = ofType(run.messages, 'stopped').at(-1);
      expect(final?.reason).toBe('refused');
      expect(final?.message).toMatch(/no run target named "host"/);
      expect(ofType(run.messages, 'loaded'), 'nothing was loaded anywhere').toEqual([]);
      // A run that names no target goes to the newest kernel, the last of runTargets (RunOptions.targets).
      const newest = info.capabilities.runTargets.at(-1)!;
      const plain = await runCli(
        [join(BPF, 'hello', 'hello.bpf.c')],
        ['--duration', '1', '--trigger', '/bin/true'],
        agent,
      );
      const logs = ofType(plain.messages, 'log').map((m) => m.text);
      expect(
        logs.some((l) => l.startsWith(`${newest} guest: `)),
        `ran in the ${newest} guest:\n${logs.join('\n')}`,
      ).toBe(true);
      expect(ofType(plain.messages, 'stopped').at(-1)?.reason).toBe('timeout');
    } finally {
      await agent.stop();
    }
  }, 180_000);
});
