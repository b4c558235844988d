// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 7: print every line typed into bash, with a uretprobe on readline(). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uretprobe//usr/bin/bash:readline")
int BPF_KRETPROBE(on_readline, const char *line)
{
	char buf[128];

	if (!line) /* readline() returns NULL at the end of input (Ctrl-D) */
		return 0;
	if (bpf_probe_read_user_str(buf, sizeof(buf), line) < 0)
		return 0;
	bpf_printk("bash: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
