import type { AttachSupport } from '@bpfplay/protocol';
import type { Policy } from '../policy/policy.js';
import type { GuestBoot } from '../runner/ipc.js';

/** Where a run can happen: the host, or a kernel of the matrix; each with its own capabilities and policy. */
export interface RunTargetEnv {
  name: string;
  capabilities: AttachSupport[];
  policy: Policy;
  /** Kernel-matrix targets: the guest to boot. */
  guest?: GuestBoot;
}
