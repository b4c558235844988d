/** What a first visit shows before any example is picked: small, runs everywhere, prints something. */
export const STARTER_FILES = [
  {
    name: 'hello.bpf.c',
    content: `// SPDX-License-Identifier: GPL-2.0
// Prints a line each time a process calls execve(). Press Ctrl+Enter to run it,
// then start a program in a terminal; the Console pane shows the lines.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
\tchar comm[16];

\tbpf_get_current_comm(comm, sizeof(comm));
\tbpf_printk("exec from %s (pid %d)", comm, bpf_get_current_pid_tgid() >> 32);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
  },
];
