// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A kprobe: a breakpoint on (almost) any kernel function, here do_sys_openat2(), which every
 * open() and openat() goes through. Kprobes reach internal functions no tracepoint covers, at a
 * price: those functions change between kernel versions, so a kprobe written for one kernel may
 * find nothing to attach to on another.
 *
 * The reference machine's kernel is built without CONFIG_KPROBES, so this example runs on the
 * kernel matrix: `--kernel 6.1` (Debian's 6.1 cloud kernel has kprobes), where the guest's own
 * processes open files a few times a second.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(on_open, int dfd, const char *filename)
{
	char name[64];
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_probe_read_user_str(name, sizeof(name), filename);
	bpf_printk("kprobe do_sys_openat2: %s opens %s", comm, name);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
