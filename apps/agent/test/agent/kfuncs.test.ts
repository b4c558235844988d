import { readFileSync } from 'node:fs';
import { Btf } from '@bpfplay/btf';
import { describe, expect, it } from 'vitest';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { uniqueName } from '../harness/kernel.js';

const agent = useSharedAgent();
const lineOf = (src: string, text: string) => src.split('\n').findIndex((l) => l.includes(text)) + 1;
const head = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;
`;
const tail = `void *keep[] = { &bpf_send_signal_task };
char LICENSE[] SEC("license") = "GPL";
`;

/** A call instruction with src_reg 2 (BPF_PSEUDO_KFUNC_CALL) and `imm`, as one little-endian quadword. */
const rawKfuncCall = (imm: number) => `0x${((BigInt(imm) << 32n) | 0x2085n).toString(16)}`;

async function compileOnly(src: string) {
  const r = await runCli(writeSnippet({ 'k.bpf.c': src }), ['--compile-only'], agent);
  return { ...r, violations: ofType(r.messages, 'refused')[0]?.violations ?? [] };
}

describe('kfuncs are judged by what the kernel will call', () => {
  it('refuses bpf_send_signal_task written as raw instruction bytes with its BTF id, by name and line', async () => {
    const vmlinux = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });
    const id = vmlinux.findByName('bpf_send_signal_task', 'func')[0]!;
    const name = uniqueName('t_kraw');
    const src = `${head}
SEC("tp/syscalls/sys_enter_getpid")
int ${name}(void *ctx)
{
	asm volatile(".quad ${rawKfuncCall(id)}");
	return 0;
}
${tail}`;
    const r = await compileOnly(src);
    expect(r.code, r.stdout).toBe(1);
    expect(r.violations).toMatchObject([
      { rule: 'kfunc-denied', program: name, helper: 'bpf_send_signal_task', location: { line: lineOf(src, 'asm') } },
    ]);
    expect(r.violations[0]!.message).toMatch(/sends a signal/);
  });

  it('refuses "helper 0" bytes relocated against a __ksym extern, which libbpf turns into the kfunc call', async () => {
    const name = uniqueName('t_krel');
    const src = `${head}
SEC("tp/syscalls/sys_enter_getpid")
int ${name}(void *ctx)
{
	asm volatile(".quad bpf_send_signal_task + 0x85" ::: "memory");
	return 0;
}
${tail}`;
    const r = await compileOnly(src);
    expect(r.code, r.stdout).toBe(1);
    expect(r.violations).toMatchObject([
      { rule: 'kfunc-denied', helper: 'bpf_send_signal_task', location: { line: lineOf(src, 'asm') } },
    ]);
  });

  it('refuses a ___flavor of a denied kfunc, and kfuncs nobody allowed, naming them', async () => {
    const name = uniqueName('t_kflv');
    const src = `${head}
extern int bpf_send_signal_task___v2(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;
extern int bpf_sock_destroy(struct sock_common *sock) __ksym;
extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
SEC("iter/tcp")
int ${name}(struct bpf_iter__tcp *ctx)
{
	struct bpf_wq wq = {};
	if (!ctx->sk_common)
		return 0;
	bpf_send_signal_task___v2(bpf_get_current_task_btf(), 9, PIDTYPE_PID, 0);
	bpf_sock_destroy(ctx->sk_common);
	bpf_wq_init(&wq, 0, 0);
	return 0;
}
${tail}`;
    const r = await compileOnly(src);
    expect(r.code, r.stdout).toBe(1);
    expect(r.violations.map((v) => [v.rule, v.helper, v.location?.line])).toEqual([
      ['kfunc-denied', 'bpf_send_signal_task', lineOf(src, 'bpf_send_signal_task___v2(bpf')],
      ['kfunc-denied', 'bpf_sock_destroy', lineOf(src, 'bpf_sock_destroy(ctx')],
      ['kfunc-not-allowed', 'bpf_wq_init', lineOf(src, 'bpf_wq_init(&wq')],
    ]);
  });

  it('lets kfuncs that only observe through', async () => {
    const name = uniqueName('t_kok');
    const src = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
SEC("tp_btf/sched_switch")
int ${name}(u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());
	if (t)
		bpf_task_release(t);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
    const r = await runCli(writeSnippet({ 'ok.bpf.c': src }), ['--compile-only'], agent);
    expect(ofType(r.messages, 'refused')).toEqual([]);
    expect(r.code, r.stdout).toBe(0);
  });
});
