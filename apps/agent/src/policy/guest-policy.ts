import { DEFAULT_POLICY, mergePolicy, type Policy } from './policy.js';

/**
 * What changes for a kernel-matrix guest. A guest is a microVM thrown away after the run: a program
 * that changes what the kernel does (signals a process, overrides a return value, writes a process's
 * memory, decides an LSM hook) changes only that guest, which holds nothing but busybox and the run.
 * So these refusals, there to protect the host, are lifted for guest targets. The rest stays: the
 * program-type allowlist (the agent still only knows how to attach what it knows), the helpers and
 * kfuncs that act outside the guest's kernel, and every quota.
 */
const LIFTED_HELPERS = [
  'bpf_send_signal',
  'bpf_send_signal_thread',
  'bpf_override_return',
  'bpf_probe_write_user',
  // The guest's trace buffer is its own, so the global-buffer reason does not hold there; the
  // playground's bpf_printk stays the way to see output, and nothing reads trace_pipe in a guest.
  'bpf_trace_printk',
  'bpf_trace_vprintk',
];
const LIFTED_KFUNCS = ['bpf_send_signal_task'];
const LIFTED_KINDS = ['lsm', 'fmod_ret'];

function lift<T>(denied: Record<string, T>, names: string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(denied).filter(([k]) => !names.includes(k)));
}

/** The guest policy, with the operator's policy file (its additions) applied on top as for the host. */
export function guestPolicy(operator: Partial<Policy> = {}): Policy {
  const base: Policy = {
    ...DEFAULT_POLICY,
    deniedHelpers: lift(DEFAULT_POLICY.deniedHelpers, LIFTED_HELPERS),
    deniedKfuncs: lift(DEFAULT_POLICY.deniedKfuncs, LIFTED_KFUNCS),
    deniedKinds: lift(DEFAULT_POLICY.deniedKinds, LIFTED_KINDS),
    allowedKinds: [...DEFAULT_POLICY.allowedKinds, ...LIFTED_KINDS],
    uprobeBinaries: [],
  };
  // An operator list of allowed kinds replaces the default for guests too, plus what guests lift.
  const kinds = operator.allowedKinds ? [...new Set([...operator.allowedKinds, ...LIFTED_KINDS])] : undefined;
  return mergePolicy(base, { ...operator, ...(kinds ? { allowedKinds: kinds } : {}), uprobeBinaries: [] });
}
