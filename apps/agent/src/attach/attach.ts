import { readFileSync } from 'node:fs';
import type { BpfLink, BpfObject, BpfProgram } from '@bpfplay/libbpf';
import { collectLibbpfLog, onlineCpus, openCpuClock } from '@bpfplay/libbpf';
import type { LinkInfo, SourceLocation } from '@bpfplay/protocol';
import { ALTERNATIVES, attachKindOf, capabilityOf } from './kinds.js';
import type { ProbeTarget } from '../policy/uprobes.js';
import { attachToSandbox, type SandboxNet } from './sandbox-net.js';

export interface Attached {
  links: LinkInfo[];
  /** Iterator programs, run after attach (and again on demand) by the stream stage. */
  iterators: { program: BpfProgram; link: BpfLink }[];
  /** Every link made, so a run can detach before its final drain (see `detachAll`). */
  handles: BpfLink[];
}

/**
 * Detach every program but keep the object (and its maps) open: after this nothing new is written
 * to the run's ring buffers and maps, so a last drain and snapshot see everything the programs did.
 */
export function detachAll(attached: Attached): void {
  for (const l of attached.handles) l.destroy();
}

export interface AttachOptions {
  perfFrequency: number;
  /** The run's private network, for XDP, tc and socket programs. */
  net?: SandboxNet;
  /** uprobe/uretprobe/USDT programs → the file and offset the agent's policy checked (policy/uprobes.ts). */
  probes?: Record<string, ProbeTarget>;
  /** Each program's SEC("...") line, put on its link so a failed attach can be marked in the editor. */
  locations?: Record<string, SourceLocation>;
}

function describe(e: unknown, log: string): string {
  const base = e instanceof Error ? e.message : String(e);
  const hint = log
    .split('\n')
    .filter((l) => /fail|error|not found|invalid/i.test(l))
    .slice(-2)
    .join('; ');
  return hint ? `${base} (${hint.replace(/^libbpf: /gm, '')})` : base;
}

/**
 * Attach every loaded program the way its section asks. A failure is reported per program and the
 * others stay attached: a run with one probe that cannot attach still shows what the rest do.
 */
export function attachAll(obj: BpfObject, opts: AttachOptions): Attached {
  const links: LinkInfo[] = [];
  const iterators: Attached['iterators'] = [];
  const handles: BpfLink[] = [];
  const keep = (l: BpfLink) => (handles.push(l), l);
  for (const prog of obj.programs()) {
    if (!prog.autoload) continue;
    const kind = attachKindOf(prog.section);
    const probe = opts.probes?.[prog.name];
    const info: LinkInfo = { program: prog.name, kind, target: probe?.display ?? targetOf(prog.section), ok: false };
    const at = opts.locations?.[prog.name];
    if (at) info.location = at;
    const r = collectLibbpfLog(() => {
      switch (kind) {
        case 'iter':
          iterators.push({ program: prog, link: keep(prog.attachIter()) });
          return 'iterator ready';
        case 'perf_event': {
          const cpus = onlineCpus(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
          for (const cpu of cpus) keep(prog.attachPerfEvent(openCpuClock(cpu, opts.perfFrequency)));
          info.target = `cpu-clock ${opts.perfFrequency} Hz on ${cpus.length} CPUs`;
          return undefined;
        }
        case 'xdp':
        case 'tc':
        case 'socket':
          if (!opts.net)
            throw new Error(`${kind} programs need the run's sandbox network, which this runner does not have`);
          info.target = attachToSandbox(opts.net, prog, kind, keep);
          return undefined;
        case 'uprobe':
        case 'uretprobe':
        case 'usdt':
          // Never prog.attach(): libbpf would read the file and offset from the section text again.
          if (!probe)
            throw new Error(`no checked target for ${prog.name}; the agent attaches only what its policy checked`);
          if (probe.kind === 'usdt') keep(prog.attachUsdt(probe.path, probe.provider, probe.name));
          else keep(prog.attachUprobe(probe.retprobe, probe.path, probe.fileOffset));
          return undefined;
        default:
          keep(prog.attach());
          return undefined;
      }
    });
    if (r.error === undefined) {
      info.ok = true;
      if (typeof r.result === 'string') info.message = r.result;
    } else {
      const alt = ALTERNATIVES[capabilityOf(kind)];
      info.message = describe(r.error, r.log) + (alt ? `. Instead: ${alt}` : '');
    }
    links.push(info);
  }
  return { links, iterators, handles };
}

function targetOf(section: string): string {
  const slash = section.indexOf('/');
  return slash < 0 ? section : section.slice(slash + 1);
}
