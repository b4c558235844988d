import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The program every node of the fan-out tests runs: one bpf_printk per execve, so each node's
 * records show up while the exec loop below runs (one kernel under all the nodes here).
 */
export const execPrintk = (fn: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int ${fn}(void *ctx)
{
	bpf_printk("exec by %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** Something for every node's tracepoint to see: ten execs a second until killed. */
export const startExecLoop = (): ChildProcess =>
  spawn('sh', ['-c', 'while :; do /bin/true; sleep 0.1; done'], { stdio: 'ignore' });
