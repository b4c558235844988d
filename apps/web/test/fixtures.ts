import type { ServerMessageOf } from '@bpfplay/protocol';

export const hello: ServerMessageOf<'hello'> = {
  type: 'hello',
  seq: 0,
  version: 1,
  agent: { version: '0.1.0', hostname: 'box' },
  session: { id: 's1' },
  capabilities: {
    kernelRelease: '6.18.0',
    arch: 'x86_64',
    cpus: 2,
    btf: true,
    attach: [
      { kind: 'tracepoint', supported: true },
      { kind: 'kprobe', supported: false, reason: 'CONFIG_KPROBES is off', hint: 'use a tracepoint' },
    ],
    coreTargets: [],
    runTargets: ['host'],
    uprobeBinaries: ['/bin/bash'],
  },
  limits: {
    maxRunSeconds: 600,
    defaultRunSeconds: 30,
    maxSnippetBytes: 65536,
    maxFiles: 16,
    maxEventsPerSec: 100000,
    maxMapBytes: 1 << 24,
    maxPrograms: 16,
    maxConcurrentRuns: 2,
  },
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
