import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttachSupport } from '@bpfplay/protocol';
import { AGENT_ROOT } from '../config.js';

/** Where scripts/kernels.sh keeps the kernel matrix's kernels (shared by every checkout on the machine). */
export const KERNELS_DIR = process.env.BPFPLAY_KERNELS_DIR ?? '/var/cache/bpfplay/kernels';
/** Where guest/build.sh puts bpfplay-guest and the initramfs of each kernel. */
export const GUEST_BUILD_DIR = join(AGENT_ROOT, 'guest', 'build');

/** The BPF features a learner asks about first, read from the kernel's build configuration. */
export interface KernelHighlights {
  btf: boolean;
  kprobes: boolean;
  fentry: boolean;
  ringbuf: boolean;
  /** BPF LSM compiled in; guests boot with `lsm=...,bpf` so it is active there. */
  lsm: boolean;
  uprobes: boolean;
}

/** One kernel of the matrix: what setup fetched, read once at agent start. */
export interface GuestKernel {
  /** The run target's name, e.g. `6.1`. */
  name: string;
  /** `uname -r` inside the guest, e.g. `6.1.0-50-cloud-amd64`. */
  release: string;
  /** The Debian package and version it came from. */
  source: string;
  vmlinux: string;
  initramfs: string;
  /** Raw BTF, what /sys/kernel/btf/vmlinux is on that kernel: the CO-RE pane checks against it. */
  btf: string;
  /** CONFIG_LSM of the kernel: the guest's `lsm=` adds `bpf` to it. */
  lsmOrder: string;
  highlights: KernelHighlights;
}

function parseConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
  }
  return out;
}

/** [major, minor] of a release string such as `5.10.0-32-cloud-amd64`. */
function version(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * The highlights, from the configuration: BTF (CONFIG_DEBUG_INFO_BTF), kprobes (CONFIG_KPROBES and
 * the kprobe PMU/events), fentry (ftrace direct calls + the BPF JIT: what trampolines need), ring
 * buffers (BPF_MAP_TYPE_RINGBUF arrived in 5.8), LSM (CONFIG_BPF_LSM), uprobes (CONFIG_UPROBE_EVENTS).
 */
export function highlightsOf(config: Map<string, string>, release: string): KernelHighlights {
  const on = (k: string) => config.get(k) === 'y';
  const [major, minor] = version(release);
  return {
    btf: on('CONFIG_DEBUG_INFO_BTF'),
    kprobes: on('CONFIG_KPROBES') && on('CONFIG_KPROBE_EVENTS'),
    fentry: on('CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS') && on('CONFIG_BPF_JIT') && on('CONFIG_DEBUG_INFO_BTF'),
    ringbuf: major > 5 || (major === 5 && minor >= 8),
    lsm: on('CONFIG_BPF_LSM') && on('CONFIG_DEBUG_INFO_BTF'),
    uprobes: on('CONFIG_UPROBE_EVENTS'),
  };
}

/**
 * What a guest of this kernel can attach, in the shape of the host's probed capabilities, so the
 * same kind-switching runs for every target (run/prepare.ts). Guests have no network devices and
 * no binaries worth a uprobe but busybox.
 */
export function guestCapabilities(k: GuestKernel): AttachSupport[] {
  const no = (kind: string, reason: string): AttachSupport => ({ kind, supported: false, reason });
  const yes = (kind: string): AttachSupport => ({ kind, supported: true });
  const h = k.highlights;
  return [
    yes('tracepoint'),
    yes('raw_tp'),
    h.btf ? yes('tp_btf') : no('tp_btf', `${k.name} has no BTF`),
    h.kprobes ? yes('kprobe') : no('kprobe', `CONFIG_KPROBES is off in ${k.name}`),
    h.fentry ? yes('fentry') : no('fentry', `${k.name} lacks BPF trampolines (ftrace direct calls)`),
    h.lsm ? yes('lsm') : no('lsm', `CONFIG_BPF_LSM is off in ${k.name}`),
    yes('iter'),
    yes('perf_event'),
    no('uprobe', 'a kernel-matrix guest holds only busybox: trace uprobes on the host'),
    no('xdp', 'kernel-matrix guests have no network'),
    no('tc', 'kernel-matrix guests have no network'),
    no('socket', 'kernel-matrix guests have no network'),
  ];
}

/**
 * The kernels setup fetched and built a guest for, by name, sorted by version. A kernel without
 * its initramfs (guest/build.sh not run since) is left out: it could not boot.
 */
export function listKernels(dir = KERNELS_DIR, buildDir = GUEST_BUILD_DIR): GuestKernel[] {
  if (!existsSync(dir)) return [];
  const out: GuestKernel[] = [];
  for (const name of readdirSync(dir)) {
    const d = join(dir, name);
    const initramfs = join(buildDir, `initramfs-${name}.cpio`);
    try {
      const meta = JSON.parse(readFileSync(join(d, 'kernel.json'), 'utf8')) as {
        release: string;
        package: string;
        version: string;
      };
      if (!existsSync(initramfs) || !existsSync(join(d, 'vmlinux'))) continue;
      const config = parseConfig(readFileSync(join(d, 'config'), 'utf8'));
      out.push({
        name,
        release: meta.release,
        source: `${meta.package} ${meta.version}`,
        vmlinux: join(d, 'vmlinux'),
        initramfs,
        btf: join(d, 'btf'),
        lsmOrder: config.get('CONFIG_LSM') ?? '',
        highlights: highlightsOf(config, meta.release),
      });
    } catch {
      // An incomplete download (no kernel.json yet) is not a kernel.
    }
  }
  return out.sort((a, b) => {
    const [x, y] = [version(a.release), version(b.release)];
    return x[0] - y[0] || x[1] - y[1];
  });
}
