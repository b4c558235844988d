import type { AttachSupport } from '@bpfplay/protocol';
import type { Compiler } from '../compile/index.js';
import { RunnerProcess } from '../runner/process.js';
import type { ProbeSpec } from '../runner/ipc.js';
import { PROBE_PROGRAMS } from './programs.js';

/** Families that load here but whose attach needs a sandbox network device. */
const LOAD_ONLY_NOTE: Record<string, string> = {
  xdp: 'loads here; attached to a veth in a network namespace the agent creates',
  tc: 'loads here; attached to a veth in a network namespace the agent creates',
  socket: 'loads here; attached to a socket the agent creates',
};

/**
 * Compile the probe programs (cached after the first start) and try them in a throwaway runner
 * process, so a probe that crashes or hangs cannot take the agent with it.
 */
export async function probeCapabilities(compiler: Compiler): Promise<AttachSupport[]> {
  const probes: ProbeSpec[] = [];
  const failed: AttachSupport[] = [];
  for (const p of PROBE_PROGRAMS) {
    const r = await compiler.compile({ files: [{ name: `probe_${p.kind}.bpf.c`, content: p.source }] });
    if (r.ok && r.object) probes.push({ kind: p.kind, attach: p.attach, object: r.object });
    else
      failed.push({
        kind: p.kind,
        supported: false,
        reason: `probe did not compile: ${r.output.split('\n')[0] ?? ''}`,
      });
  }
  const runner = new RunnerProcess();
  await runner.ready;
  const results = await new Promise<AttachSupport[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      runner.kill();
      reject(new Error('capability probe timed out after 30 s'));
    }, 30_000);
    runner.on({
      message: (m) => {
        if (m.t !== 'probed') return;
        clearTimeout(timer);
        resolve(m.results);
      },
      exit: () => {
        clearTimeout(timer);
        reject(new Error('capability probe runner exited before answering'));
      },
    });
    runner.send({ t: 'probe', probes });
  });
  return [...results, ...failed].map((r) =>
    r.supported && LOAD_ONLY_NOTE[r.kind] ? { ...r, hint: LOAD_ONLY_NOTE[r.kind] } : r,
  );
}
