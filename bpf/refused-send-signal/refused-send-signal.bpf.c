// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Refused on purpose: a program that acts instead of observing.
 *
 * This would kill any process that tries to open /etc/shadow, with bpf_send_signal(). It is
 * valid BPF, and on a machine of your own a loader could run it. The playground's agent runs as
 * root on a shared machine, so before loading anything it scans the compiled instructions for
 * helpers that change the system (bpf_send_signal, bpf_probe_write_user, bpf_override_return,
 * ...) and refuses the whole object, naming the helper and the source line.
 *
 * To observe the same thing, report the attempt instead of acting on it: send an event (see
 * opensnoop) or a bpf_printk().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define SIGKILL 9

SEC("tracepoint/syscalls/sys_enter_openat")
int guard_shadow(struct trace_event_raw_sys_enter *ctx)
{
	static const char shadow[] = "/etc/shadow";
	char fname[sizeof(shadow)];

	if (bpf_probe_read_user_str(fname, sizeof(fname), (const char *)ctx->args[1]) != sizeof(shadow))
		return 0;
	for (int i = 0; i < sizeof(shadow); i++)
		if (fname[i] != shadow[i])
			return 0;
	bpf_send_signal(SIGKILL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
