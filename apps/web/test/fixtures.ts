import type { ServerMessageOf } from '@bpfplay/protocol';
import { sampleAgentInfo } from '@bpfplay/protocol/testing';

export const hello: ServerMessageOf<'hello'> = {
  type: 'hello',
  seq: 0,
  ...sampleAgentInfo({
    capabilities: {
      attach: [
        { kind: 'tracepoint', supported: true },
        { kind: 'kprobe', supported: false, reason: 'CONFIG_KPROBES is off', hint: 'use a tracepoint' },
      ],
      uprobeBinaries: ['/bin/bash'],
    },
  }),
  session: { id: 's1' },
};

/** An events frame of `n` execsnoop-like records (bench figure 8 measures folding the same frames). */
export const eventsFrame = (runId: string, n: number, seq: number): ServerMessageOf<'events'> => ({
  type: 'events',
  seq,
  runId,
  source: 'events',
  dropped: 0,
  records: Array.from({ length: n }, (_, i) => ({
    t: i / 1000,
    cpu: i % 2,
    value: { pid: 1000 + i, ppid: 1, comm: 'sleep', filename: '/usr/bin/sleep', ret: 0 },
  })),
});
