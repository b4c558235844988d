import type { AttachSupport } from '@bpfplay/protocol';
import { BpfObject, collectLibbpfLog, openCpuClock, readIter } from '@bpfplay/libbpf';
import { ALTERNATIVES } from '../attach/kinds.js';
import type { ProbeSpec } from '../runner/ipc.js';

function lastLibbpfError(log: string): string {
  const lines = log
    .split('\n')
    .filter((l) => /fail|error|denied|not supported|invalid/i.test(l))
    .map((l) => l.replace(/^libbpf: /, '').trim());
  return lines.slice(-1)[0] ?? '';
}

/**
 * Try each probe program for real: load it, attach it the way its kind needs, release it. The kernel's
 * own error becomes the reason shown to users ("kprobe: attach failed: ENOENT ..."), so nothing about
 * this host is assumed.
 */
export function runProbes(probes: ProbeSpec[]): AttachSupport[] {
  return probes.map((p): AttachSupport => {
    let obj: BpfObject | undefined;
    const r = collectLibbpfLog(() => {
      obj = BpfObject.openMem(p.object, { name: `probe_${p.kind}` });
      obj.load();
      const prog = obj.programs()[0];
      if (!prog) throw new Error('probe object has no program');
      if (p.attach === 'auto') prog.attach();
      else if (p.attach === 'iter') readIter(prog.attachIter(), 4096);
      else if (p.attach === 'perf_event') prog.attachPerfEvent(openCpuClock(0, 10));
    });
    obj?.close();
    if (r.error === undefined) return { kind: p.kind, supported: true };
    const detail = lastLibbpfError(r.log);
    const alt = ALTERNATIVES[p.kind];
    return {
      kind: p.kind,
      supported: false,
      reason: `${(r.error as Error).message}${detail ? ` (${detail})` : ''}`,
      ...(alt ? { hint: alt } : {}),
    };
  });
}
