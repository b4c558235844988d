// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * fentry: like a kprobe, but through a BPF trampoline the kernel builds from BTF, so the program
 * gets the function's typed arguments (here a struct linux_binprm *) and costs less per call.
 * fexit programs see the return value too. It needs a kernel with BPF trampolines; this host
 * refuses them (EPERM), so the example runs on the kernel matrix: `--kernel 6.1`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("fentry/bprm_execve")
int BPF_PROG(on_exec, struct linux_binprm *bprm)
{
	char path[64];

	/* bprm->filename is a kernel pointer: read it with the kernel variant. */
	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(bprm, filename));
	bpf_printk("fentry bprm_execve: pid %d runs %s", bpf_get_current_pid_tgid() >> 32, path);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
