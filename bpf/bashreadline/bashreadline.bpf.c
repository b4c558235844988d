// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * bashreadline: every command typed into an interactive bash, system-wide.
 *
 * bash reads each command line with readline(), a function in its own binary. A uretprobe fires
 * when a user-space function returns: the kernel plants a breakpoint at the function's entry,
 * swaps the return address, and calls us with the return value, here the `char *` of the line
 * just typed. The section names the binary and the symbol; libbpf finds the symbol's offset in
 * the ELF file, and the probe applies to every process running that file.
 *
 * The string lives in bash's memory, not the kernel's: read it with bpf_probe_read_user_str().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bashreadline.h"

/*
 * The playground finds a record's type by the name `struct event`; this program keeps
 * libbpf-tools' name `struct str_t` and says so on the map instead. The annotations come from
 * the playground's bpfplay.h (included by its <bpf/bpf_helpers.h>); the fallbacks keep the file
 * building with stock libbpf headers.
 */
#ifndef BPFPLAY_RECORD
#define BPFPLAY_RECORD(type)
#define BPFPLAY_KEEP_TYPE(type) _Static_assert(1, "no-op outside the playground")
#endif

/*
 * A perf buffer: one ring per CPU, the older cousin of BPF_MAP_TYPE_RINGBUF (which needs 5.8+).
 * Records are copied in with bpf_perf_event_output() and come out per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps") BPFPLAY_RECORD(str_t);

/* clang emits BTF only for types a global or a signature uses; this keeps struct str_t in it. */
BPFPLAY_KEEP_TYPE(struct str_t);

/*
 * BPF_KRETPROBE reads the return value from the registers the same way for user functions
 * (libbpf 1.2 adds BPF_URETPROBE as an alias; this machine's libbpf is 1.1).
 */
SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(printret, const void *ret)
{
	struct str_t data = {};

	if (!ret) /* readline() returns NULL at end of input (Ctrl-D) */
		return 0;

	data.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&data.comm, sizeof(data.comm));
	bpf_probe_read_user_str(&data.str, sizeof(data.str), ret);

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
