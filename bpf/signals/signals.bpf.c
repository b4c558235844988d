// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * signals: who sends which signal to whom, and what the kernel did with it.
 *
 * signal/signal_generate fires in the sender's context whenever a signal is generated: by
 * kill(), by the kernel itself (SIGSEGV, SIGCHLD, SIGPIPE...), or by a timer. Its record already
 * carries the target's pid and name; the sender is whoever is running (bpf_get_current_*).
 *
 * `result` says whether the signal was delivered, ignored (SIG_IGN, or a default action of
 * "ignore" like SIGCHLD's) or already pending. It is declared as an enum in signals.h so the
 * playground shows the name rather than a number.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "signals.h"

/* Only signals sent by this process (0: any). */
const volatile pid_t targ_pid = 0;
/* Only this signal number (0: all). The example sets it to 10, SIGUSR1. */
const volatile int targ_sig = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/signal/signal_generate")
int sig_generate(struct trace_event_raw_signal_generate *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	int sig = ctx->sig;
	struct event *e;

	/*
	 * const volatile knobs live in .rodata: the loader may set them before load, and after
	 * that they are constants. The verifier sees their final values and removes a filter
	 * that is switched off.
	 */
	if (targ_pid && pid != targ_pid)
		return 0;
	if (targ_sig && sig != targ_sig)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->tpid = ctx->pid;
	e->sig = sig;
	e->result = ctx->result;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	/*
	 * A memcpy from ctx would compile to loads through ctx + offset, which the verifier refuses
	 * for tracepoint contexts ("dereference of modified ctx ptr"); copy with a helper instead.
	 */
	bpf_probe_read_kernel(e->tcomm, sizeof(e->tcomm), ctx->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
