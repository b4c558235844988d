import type { Btf } from '@bpfplay/btf';
import type { AttachSupport } from '@bpfplay/protocol';
import type { Policy } from '../policy/policy.js';
import type { GuestBoot } from '../runner/ipc.js';

/** Where a run can happen: the host, or a kernel of the matrix; each with its own capabilities and policy. */
export interface RunTargetEnv {
  name: string;
  capabilities: AttachSupport[];
  policy: Policy;
  /** The kernel's BTF (read once, on first use): what libbpf relocates the object against there. */
  btf(): Btf;
  /** Kernel-matrix targets: the guest to boot. */
  guest?: GuestBoot;
}
