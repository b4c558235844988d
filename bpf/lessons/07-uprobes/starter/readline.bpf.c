// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 7: print every line typed into bash, with a uretprobe on readline(). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uretprobe//usr/bin/bash:readline")
int BPF_KRETPROBE(on_readline, const char *line)
{
	/* TODO: copy the line (in bash's memory) with bpf_probe_read_user_str() and print it. */
	bpf_printk("bash read a line");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
