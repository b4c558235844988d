/**
 * The program policy: what a snippet may ask the kernel to do, checked on the compiled object before
 * anything is loaded. Every rule carries the sentence the user sees. The operator can tighten it with
 * a JSON file (`--policy FILE`) of the same shape; see SECURITY.md.
 */
export interface Policy {
  /** Helper name → why it is refused. */
  deniedHelpers: Record<string, string>;
  /** kfunc name → why it is refused. */
  deniedKfuncs: Record<string, string>;
  /** Attach family (see attach/kinds.ts) → why it is refused. */
  deniedKinds: Record<string, string>;
  /** Binaries uprobes may attach to (absolute paths; symlinks are resolved before comparing). */
  uprobeBinaries: string[];
}

const CHANGES_SYSTEM = 'it changes the system instead of observing it';

export const DEFAULT_POLICY: Policy = {
  deniedHelpers: {
    bpf_probe_write_user: `${CHANGES_SYSTEM}: it writes into the memory of a running process`,
    bpf_override_return: `${CHANGES_SYSTEM}: it makes a kernel function return a value it did not compute`,
    bpf_send_signal: `${CHANGES_SYSTEM}: it sends a signal to the current process`,
    bpf_send_signal_thread: `${CHANGES_SYSTEM}: it sends a signal to the current thread`,
    bpf_sys_bpf: `${CHANGES_SYSTEM}: it issues bpf() syscalls from inside a program`,
    bpf_sys_close: `${CHANGES_SYSTEM}: it closes file descriptors of the loader`,
    bpf_trace_printk:
      'it writes to the kernel\'s global trace buffer, which every session shares; use bpf_printk(), which the playground routes to your session only',
    bpf_trace_vprintk:
      'it writes to the kernel\'s global trace buffer, which every session shares; use bpf_printk(), which the playground routes to your session only',
  },
  deniedKfuncs: {
    bpf_send_signal_task: `${CHANGES_SYSTEM}: it sends a signal to a task`,
    bpf_sock_destroy: `${CHANGES_SYSTEM}: it destroys sockets`,
    bpf_set_dentry_xattr: `${CHANGES_SYSTEM}: it writes file extended attributes`,
    bpf_remove_dentry_xattr: `${CHANGES_SYSTEM}: it removes file extended attributes`,
  },
  deniedKinds: {
    lsm: 'LSM programs decide what processes may do; the playground only observes',
    fmod_ret: 'fmod_ret programs change what kernel functions return',
    struct_ops: 'struct_ops programs replace kernel behaviour (schedulers, TCP congestion control)',
    syscall: 'syscall programs run bpf() commands with the agent\'s privileges',
    cgroup: 'cgroup programs would filter the host\'s traffic or devices; use tracepoints to observe them',
  },
  uprobeBinaries: [],
};

/** Merge an operator policy file over the defaults: it can add rules and narrow the uprobe list. */
export function mergePolicy(base: Policy, extra: Partial<Policy>): Policy {
  return {
    deniedHelpers: { ...base.deniedHelpers, ...(extra.deniedHelpers ?? {}) },
    deniedKfuncs: { ...base.deniedKfuncs, ...(extra.deniedKfuncs ?? {}) },
    deniedKinds: { ...base.deniedKinds, ...(extra.deniedKinds ?? {}) },
    uprobeBinaries: extra.uprobeBinaries ?? base.uprobeBinaries,
  };
}
