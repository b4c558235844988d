import { DEFAULT_ALLOWED_KFUNCS } from './kfuncs.js';

/**
 * The program policy: what a snippet may ask the kernel to do, checked on the compiled object before
 * anything is loaded. Every rule carries the sentence the user sees. The operator can tighten it with
 * a JSON file (`--policy FILE`) of the same shape; see SECURITY.md.
 */
export interface Policy {
  /** Helper name → why it is refused. */
  deniedHelpers: Record<string, string>;
  /** kfunc name → why it is refused (a denial gives the reason; anything not allowed is refused too). */
  deniedKfuncs: Record<string, string>;
  /** kfuncs a snippet may call (policy/kfuncs.ts); every other kfunc is refused by name before load. */
  allowedKfuncs: string[];
  /**
   * Program families (see attach/kinds.ts) a snippet may use. Anything else — including section
   * names the agent does not recognise — is refused, so a new libbpf section type is closed by
   * default rather than open by default.
   */
  allowedKinds: string[];
  /** Family → why it is refused; a denial wins over `allowedKinds` and gives the user the reason. */
  deniedKinds: Record<string, string>;
  /**
   * Families only the packet lab may load (RunOptions.mode 'test-run'), because it never attaches
   * them: the kernel runs them on the test packet and nowhere else. Family → what attaching would do,
   * the sentence a Run or an export of one is refused with.
   */
  packetLabKinds: Record<string, string>;
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
    bpf_setsockopt: `${CHANGES_SYSTEM}: it changes options of the host's sockets (reachable from iter/tcp)`,
    bpf_bprm_opts_set: `${CHANGES_SYSTEM}: it changes how a program is executed`,
    bpf_tcp_send_ack: `${CHANGES_SYSTEM}: it sends TCP acknowledgements on the host's connections`,
    bpf_trace_printk:
      "it writes to the kernel's global trace buffer, which every session shares; use bpf_printk(), which the playground routes to your session only",
    bpf_trace_vprintk:
      "it writes to the kernel's global trace buffer, which every session shares; use bpf_printk(), which the playground routes to your session only",
  },
  deniedKfuncs: {
    bpf_send_signal_task: `${CHANGES_SYSTEM}: it sends a signal to a task`,
    bpf_sock_destroy: `${CHANGES_SYSTEM}: it destroys sockets`,
    bpf_set_dentry_xattr: `${CHANGES_SYSTEM}: it writes file extended attributes`,
    bpf_remove_dentry_xattr: `${CHANGES_SYSTEM}: it removes file extended attributes`,
    bpf_set_dentry_xattr_locked: `${CHANGES_SYSTEM}: it writes file extended attributes`,
    bpf_remove_dentry_xattr_locked: `${CHANGES_SYSTEM}: it removes file extended attributes`,
    bpf_task_work_schedule_signal_impl: `${CHANGES_SYSTEM}: it makes another task run program code`,
    bpf_task_work_schedule_resume_impl: `${CHANGES_SYSTEM}: it makes another task run program code`,
    css_rstat_updated: `${CHANGES_SYSTEM}: it changes cgroup statistics bookkeeping`,
    css_rstat_flush: `${CHANGES_SYSTEM}: it changes cgroup statistics bookkeeping`,
    bpf_sock_addr_set_sun_path: `${CHANGES_SYSTEM}: it rewrites socket addresses`,
    bpf_sock_ops_enable_tx_tstamp: `${CHANGES_SYSTEM}: it changes socket timestamping`,
    crash_kexec: `${CHANGES_SYSTEM}: it reboots the machine into a crash kernel`,
    hid_bpf_hw_request: `${CHANGES_SYSTEM}: it sends requests to HID devices`,
    hid_bpf_hw_output_report: `${CHANGES_SYSTEM}: it sends reports to HID devices`,
    hid_bpf_input_report: `${CHANGES_SYSTEM}: it injects input events`,
  },
  allowedKfuncs: [...DEFAULT_ALLOWED_KFUNCS],
  // Every tracing family this agent knows how to attach, plus the networking ones, which only ever
  // see the run's own veth in its own network namespace (attach/sandbox-net.ts).
  allowedKinds: [
    'tracepoint',
    'raw_tp',
    'tp_btf',
    'kprobe',
    'kretprobe',
    'ksyscall',
    'uprobe',
    'uretprobe',
    'usdt',
    'fentry',
    'fexit',
    'iter',
    'perf_event',
    'xdp',
    'tc',
    'socket',
  ],
  deniedKinds: {
    lsm: 'LSM programs decide what processes may do; the playground only observes',
    fmod_ret: 'fmod_ret programs change what kernel functions return',
    struct_ops: 'struct_ops programs replace kernel behaviour (schedulers, TCP congestion control)',
    syscall: "syscall programs run bpf() commands with the agent's privileges",
    cgroup: "cgroup programs would filter the host's traffic or devices; use tracepoints to observe them",
    'raw_tp.w': 'writable raw tracepoints change the data a tracepoint hands to the kernel; use SEC("raw_tp/...")',
  },
  // A flow dissector is attached to a whole network namespace, not to an interface; the playground's
  // sandbox netns would do, but a Run has no traffic of its own to dissect that a test packet lacks.
  packetLabKinds: {
    flow_dissector:
      'a flow dissector decides how the kernel parses every packet of a network namespace (RSS, flow hashing, tc flower), so the playground only runs it on a test packet: open the Packet lab, or use `bpfplay test-run`',
  },
  uprobeBinaries: [],
};

/**
 * Merge an operator policy file over the defaults: denials add up (a file cannot lift a default
 * denial), the lists (`allowedKinds`, `allowedKfuncs`, `uprobeBinaries`) replace the defaults when given.
 */
export function mergePolicy(base: Policy, extra: Partial<Policy>): Policy {
  return {
    deniedHelpers: { ...base.deniedHelpers, ...(extra.deniedHelpers ?? {}) },
    deniedKfuncs: { ...base.deniedKfuncs, ...(extra.deniedKfuncs ?? {}) },
    allowedKfuncs: extra.allowedKfuncs ?? base.allowedKfuncs,
    allowedKinds: extra.allowedKinds ?? base.allowedKinds,
    deniedKinds: { ...base.deniedKinds, ...(extra.deniedKinds ?? {}) },
    packetLabKinds: extra.packetLabKinds ?? base.packetLabKinds,
    uprobeBinaries: extra.uprobeBinaries ?? base.uprobeBinaries,
  };
}
