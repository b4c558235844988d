// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * runqlat: how long runnable tasks wait for a CPU, as a log2 histogram in microseconds.
 *
 * A task becomes runnable when it is woken up (sched_wakeup, sched_wakeup_new) or preempted
 * while still runnable (sched_switch with prev in TASK_RUNNING); it stops waiting when
 * sched_switch puts it on a CPU. The time between the two is run-queue latency: the delay a
 * busy machine adds to everything.
 *
 * tp_btf programs receive the tracepoint's real C arguments, typed from the kernel's BTF
 * (`struct task_struct *p`), and may read their fields directly: the verifier knows the types,
 * no bpf_probe_read_kernel() needed. Compare with the classic tracepoints in execsnoop.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "runqlat.h"

#define TASK_RUNNING 0

/* One histogram per process instead of one for the whole machine. */
const volatile bool targ_per_process = false;
/* Only this process (0: all). */
const volatile pid_t targ_tgid = 0;

/* Thread id → when it became runnable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} start SEC(".maps");

/*
 * Key 0 holds the machine-wide histogram; with targ_per_process the key is the process id.
 * BPFPLAY_UNIT(us) labels the buckets in microseconds (a name like hists_us would do it too).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct hist);
} hists SEC(".maps") BPFPLAY_UNIT(us);

static __always_inline int trace_enqueue(u32 tgid, u32 pid)
{
	u64 ts;

	if (!pid) /* the idle task never waits */
		return 0;
	if (targ_tgid && targ_tgid != tgid)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

/* floor(log2(v)) without loops the verifier would have to unroll. */
static __always_inline u64 log2l(u64 v)
{
	u64 r = 0, shift;

	shift = (v > 0xFFFFFFFF) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	return trace_enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	return trace_enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct hist *histp;
	u64 *tsp, slot;
	u32 pid = next->pid, hkey;
	s64 delta;

	/* Preempted while runnable: it starts waiting again right now. */
	if (prev->__state == TASK_RUNNING)
		trace_enqueue(prev->tgid, prev->pid);

	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0; /* woken before we attached, or filtered out */
	delta = bpf_ktime_get_ns() - *tsp;
	if (delta < 0)
		goto cleanup;

	hkey = targ_per_process ? next->tgid : 0;
	histp = bpf_map_lookup_elem(&hists, &hkey);
	if (!histp) {
		struct hist zero = {};

		bpf_map_update_elem(&hists, &hkey, &zero, BPF_NOEXIST);
		histp = bpf_map_lookup_elem(&hists, &hkey);
		if (!histp)
			goto cleanup;
		if (targ_per_process)
			bpf_probe_read_kernel_str(&histp->comm, sizeof(histp->comm), next->comm);
	}
	delta /= 1000; /* ns → µs */
	slot = log2l(delta);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&histp->slots[slot], 1);

cleanup:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
