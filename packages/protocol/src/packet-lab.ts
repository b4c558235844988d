import { z } from 'zod';
import { Value } from './common';
import { runFrame } from './frame';

/** A map entry a test run changed: `before` null = added, `after` null = deleted. */
export const MapChange = z.object({
  map: z.string(),
  key: Value,
  before: Value.nullable(),
  after: Value.nullable(),
});
export type MapChange = z.infer<typeof MapChange>;

/**
 * One program's BPF_PROG_TEST_RUN on the run's packet (RunOptions.mode 'test-run'). Packets are hex;
 * clients decode and diff them with packet/decode.ts. `error`: the kernel refused the test run
 * (e.g. a program type without test-run support), the rest then describes nothing that ran.
 */
export const TestRunMessage = runFrame('test-run', {
  program: z.string(),
  section: z.string(),
  /** `xdp`, `tc`, `socket`, `flow_dissector`: how to read `retval` (packet/decode.ts verdictName). */
  kind: z.string(),
  retval: z.number().int(),
  verdict: z.string(),
  repeat: z.number().int(),
  /** Average per repetition, measured by the kernel. */
  durationNs: z.number().nonnegative(),
  dataIn: z.string(),
  dataOut: z.string(),
  mapChanges: z.array(MapChange),
  /**
   * Flow dissectors: the `struct bpf_flow_keys` the program filled in, as hex (packet/flow-keys.ts
   * decodes it). The kernel returns it in place of an output packet; `dataOut` is then the input,
   * since a flow dissector cannot change the packet.
   */
  flowKeys: z.string().optional(),
  error: z.string().optional(),
});
export type TestRunMessage = z.infer<typeof TestRunMessage>;
