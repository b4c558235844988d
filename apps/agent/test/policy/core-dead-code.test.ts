/**
 * The policy judges the calls a kernel can reach once libbpf has applied the object's CO-RE
 * relocations for it: bpf_printk's fallback to bpf_trace_printk (for Linux < 5.13, which lacks
 * bpf_snprintf) is dead code on the host, so the host accepts printk programs while still refusing a
 * bpf_trace_printk it could reach. Real clang, the real shim, the host's and 5.10's real BTF.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBtf, openObjectSpec, scanCalls, helperNames, type Btf, type ObjectSpec } from '@bpfplay/btf';
import { checkPolicy } from '../../src/policy/check.js';
import { deadCode, reachableCalls } from '../../src/policy/core-dead-code.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { guestPolicy } from '../../src/policy/guest-policy.js';
import { listKernels } from '../../src/guest/kernels.js';
import { HELLO, snippet, testCompiler, type TestCompiler } from '../compile/helpers.js';

const INVERTED = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int sneaky(void *ctx)
{
	static const char fmt[] = "to the global trace buffer";
	/* The guard turned round: reachable exactly where bpf_snprintf exists, the host included. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_snprintf))
		return 0;
	bpf_trace_printk(fmt, sizeof(fmt));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

let tc: TestCompiler;
let host: Btf;
let k510: Btf;
const helpers = () => helperNames(host);

async function objectOf(source: string): Promise<ObjectSpec> {
  const r = await tc.compiler.compile(snippet(source));
  if (!r.ok || !r.object) throw new Error(`compile failed:\n${r.output}`);
  return openObjectSpec(r.object, 'prog');
}

const callsNamed = (obj: ObjectSpec, btf: Btf, name: string) => {
  const dead = deadCode(obj, btf);
  return scanCalls(obj, helpers())
    .flatMap((p) => p.calls.map((c) => ({ ...c, program: p.program })))
    .filter((c) => c.name === name)
    .map((c) => (dead.get(c.program)?.has(c.insn) ? 'dead' : 'live'));
};

beforeAll(async () => {
  const k = listKernels().find((x) => x.name === '5.10');
  if (!k) throw new Error('the 5.10 kernel of the matrix is not set up: run scripts/setup.sh (scripts/kernels.sh)');
  k510 = loadBtf(readFileSync(k.btf), { name: '5.10' });
  host = loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });
  tc = await testCompiler();
});
afterAll(() => tc?.cleanup());

describe('CO-RE dead code and the policy', () => {
  it('bpf_printk: on this kernel the trace_printk fallback is dead and bpf_snprintf live; on 5.10 the other way round', async () => {
    const obj = await objectOf(HELLO);
    expect(callsNamed(obj, host, 'bpf_snprintf')).toEqual(['live']);
    expect(callsNamed(obj, host, 'bpf_trace_printk')).toEqual(['dead']);
    expect(callsNamed(obj, k510, 'bpf_snprintf')).toEqual(['dead']);
    expect(callsNamed(obj, k510, 'bpf_trace_printk')).toEqual(['live']);
  });

  it('the host policy accepts a printk program (its fallback is unreachable here); 5.10 guests allow the fallback', async () => {
    const obj = await objectOf(HELLO);
    const all = scanCalls(obj, helpers());
    expect(
      checkPolicy(all, DEFAULT_POLICY).map((v) => v.rule),
      'judged without CO-RE, the fallback is refused',
    ).toEqual(['helper-denied']);
    expect(checkPolicy(reachableCalls(all, obj, host), DEFAULT_POLICY)).toEqual([]);
    expect(checkPolicy(reachableCalls(all, obj, k510), guestPolicy())).toEqual([]);
  });

  it('a bpf_trace_printk the host can reach is still refused there, guard or not', async () => {
    const obj = await objectOf(INVERTED);
    const all = scanCalls(obj, helpers());
    const v = checkPolicy(reachableCalls(all, obj, host), DEFAULT_POLICY);
    expect(v.map((x) => `${x.rule} ${x.helper}`)).toEqual(['helper-denied bpf_trace_printk']);
    // ...and on 5.10 it is dead (and would be the guest's own buffer anyway).
    expect(callsNamed(obj, k510, 'bpf_trace_printk')).toEqual(['dead']);
  });
});
