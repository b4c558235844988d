import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileBpf } from '../../../../packages/libbpf/test/bpf-object.js';
import { loadObject, RunFailure } from '../../src/load/loader.js';

/**
 * The runner's own check, on libbpf's view of the object after open: it is the last word on what
 * libbpf will create at load, whatever the agent's earlier reading of the BTF decided.
 */
const head = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
`;
const prog = `SEC("tp/syscalls/sys_enter_getpid")
int p(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
`;

function load(source: string, maxMapBytes = 256 << 20): RunFailure | undefined {
  const object = compileBpf(source, 'maps');
  try {
    loadObject({ object: new Uint8Array(object), objectName: 'maps', skip: {}, maxMapBytes }, () => {}).close();
    return undefined;
  } catch (e) {
    if (e instanceof RunFailure) return e;
    throw e;
  }
}

describe('what libbpf will create, checked after open and before load', () => {
  it('refuses a map libbpf would pin, and leaves no pin', () => {
    const name = `t_pin_${process.pid}`;
    const f = load(`${head}
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u32);
         __uint(pinning, LIBBPF_PIN_BY_NAME); } ${name} SEC(".maps");
${prog}`);
    expect(f?.reason).toBe('refused');
    expect(f?.message).toMatch(new RegExp(`map ${name} \\(/sys/fs/bpf/${name}\\) would be pinned`));
    expect(existsSync(`/sys/fs/bpf/${name}`)).toBe(false);
  });

  it("counts a map-in-map's inner template against the quota", () => {
    const f = load(
      `${head}
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, u32);
	__array(values, struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1 << 16);
	                         __uint(key_size, 4); __uint(value_size, 1024); });
} mim SEC(".maps");
${prog}`,
      32 << 20,
    );
    expect(f?.reason).toBe('quota');
    expect(f?.message).toMatch(/mim\.inner \(array\) 64\.3 MiB/);
  });
});
