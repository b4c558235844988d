import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BpfObject,
  LibbpfError,
  PerfBufferReader,
  RingBufferReader,
  collectLibbpfLog,
  onlineCpus,
  openCpuClock,
  readIter,
} from '../src/index.js';
import { compileBpf, kernelProgramIds } from './bpf-object.js';

const EXEC_PROBE = `
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct event { u32 pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 65536); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } pb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, u32); __type(value, u64); } counts SEC(".maps");
const volatile u32 magic = 0;
SEC("tracepoint/syscalls/sys_enter_execve")
int tst_exec(void *ctx) {
  struct event e = {};
  e.pid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(e.comm, sizeof(e.comm));
  bpf_ringbuf_output(&rb, &e, sizeof(e), 0);
  bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e));
  u32 k = magic; u64 one = 1, *v = bpf_map_lookup_elem(&counts, &k);
  if (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&counts, &k, &one, 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

const comm = (r: Uint8Array) => Buffer.from(r.subarray(4, 20)).toString('latin1').replace(/\0.*$/s, '');

describe('BpfObject on the real kernel', () => {
  it('opens, sets a const volatile before load, loads, attaches, and streams ring and perf records', () => {
    const obj = BpfObject.openMem(compileBpf(EXEC_PROBE));
    try {
      expect(obj.programs().map((p) => [p.name, p.section, p.typeName])).toEqual([
        ['tst_exec', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint'],
      ]);
      const rodata = obj.maps().find((m) => m.name.endsWith('.rodata'))!;
      const init = rodata.initialValue()!;
      new DataView(init.buffer, init.byteOffset).setUint32(0, 4242, true);
      const prog = obj.programs()[0]!;
      prog.setLog(64 * 1024, 4);
      obj.load();
      expect(prog.log().text).toMatch(/processed \d+ insns/);
      const info = prog.info();
      expect(info.jitedBytes).toBeGreaterThan(0);
      expect(info.verifiedInsns).toBeGreaterThan(0);
      prog.attach();
      const rb = new RingBufferReader(obj.map('rb')!.fd, obj.map('rb')!.maxEntries);
      const pb = new PerfBufferReader(obj.map('pb')!.fd, 8);
      execFileSync('/bin/true');
      const ringComms: string[] = [];
      rb.drain((r) => ringComms.push(comm(r)));
      const perfComms: string[] = [];
      pb.consume(
        (_cpu, d) => perfComms.push(comm(d)),
        () => {},
      );
      expect(ringComms).toContain('node');
      expect(perfComms).toContain('node');
      const { entries } = obj.map('counts')!.entries(10);
      expect(entries.map((e) => e.key.readUInt32LE(0))).toEqual([4242]);
      rb.close();
      pb.close();
    } finally {
      obj.close();
    }
    expect(kernelProgramIds('tst_exec')).toEqual([]);
  });

  it('reports a verifier rejection as LibbpfError with the log in the program buffer', () => {
    const obj = BpfObject.openMem(
      compileBpf(`
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } m SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_openat")
int tst_bad(void *ctx) { u32 k = 0; u64 *v = bpf_map_lookup_elem(&m, &k); return *v; }
char LICENSE[] SEC("license") = "GPL";
`),
    );
    try {
      obj.programs()[0]!.setLog(1 << 20, 0);
      const r = collectLibbpfLog(() => obj.load());
      expect(r.error).toBeInstanceOf(LibbpfError);
      expect(obj.programs()[0]!.log().text).toMatch(/invalid mem access 'map_value_or_null'/);
      expect(r.log).toMatch(/tst_bad/);
    } finally {
      obj.close();
    }
    expect(kernelProgramIds('tst_bad')).toEqual([]);
  });

  it('runs a task iterator and samples with a perf_event program', () => {
    const obj = BpfObject.openMem(
      compileBpf(`
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
__u64 samples = 0;
SEC("iter/task")
int tst_iter(struct bpf_iter__task *ctx) {
  struct task_struct *t = ctx->task;
  if (!t) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\\n", t->pid, t->comm);
  return 0;
}
SEC("perf_event")
int tst_sample(void *ctx) { __sync_fetch_and_add(&samples, 1); return 0; }
char LICENSE[] SEC("license") = "GPL";
`),
    );
    try {
      obj.load();
      const out = readIter(obj.program('tst_iter')!.attachIter());
      expect(out.text).toMatch(new RegExp(`^${process.pid} \\S+$`, 'm'));
      const cpus = onlineCpus(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
      for (const cpu of cpus) obj.program('tst_sample')!.attachPerfEvent(openCpuClock(cpu, 1000));
      const until = Date.now() + 300;
      while (Date.now() < until); // burn CPU so the clock ticks land in this process too
      const bss = obj.maps().find((m) => m.name.endsWith('.bss'))!;
      expect(bss.lookup(Buffer.alloc(4))!.readBigUInt64LE(0)).toBeGreaterThan(0n);
    } finally {
      obj.close();
    }
    expect(kernelProgramIds('tst_sample')).toEqual([]);
  });

  it('fails to open garbage with a clear error and leaks nothing', () => {
    expect(() => BpfObject.openMem(Buffer.from('not an ELF file'))).toThrow(/bpf_object__open_mem failed/);
  });
});
