import { execFileSync } from 'node:child_process';
import { constants, accessSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_BUILD_DIR, type GuestKernel } from './kernels.js';
import { GUEST_LIMITS } from './limits.js';
import { Guest, type GuestMachine } from './qemu.js';

/** The host's TSC frequency (kHz), which TCG guests read as theirs: measured by bpfplay-guest on the host. */
function hostTscKhz(): number {
  try {
    const out = execFileSync(join(GUEST_BUILD_DIR, 'bpfplay-guest'), ['--tsc-khz'], { timeout: 2000 }).toString();
    const n = Math.round(Number(out.trim()));
    if (Number.isFinite(n) && n > 100_000) return n;
  } catch {
    // Fall back to what the kernel says below.
  }
  const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return mhz ? Math.round(Number(mhz) * 1000) : 2_000_000;
}

export interface ChosenMachine extends GuestMachine {
  /** Why this accelerator, for the agent's log and `hello.capabilities.guestAccel`. */
  why: string;
}

export interface AccelProbeDeps {
  /** Where KVM would be (tests point it elsewhere). */
  kvmPath: string;
  /** Boot one guest on this machine and resolve when its loader is READY (rejects if it stops first). */
  boot(machine: GuestMachine): { ready: Promise<unknown>; kill(): void };
  timeoutMs: number;
  /** `BPFPLAY_GUEST_ACCEL`: `tcg` skips the probe; `kvm` fails loudly instead of falling back. */
  asked: string | undefined;
}

/**
 * How long a KVM guest may take to say READY before the probe gives up. A KVM boot of these kernels
 * is well under a second; the hang seen on nested-KVM machines of this kind is forever, so anything
 * that has not booted in 20 s (TCG's worst cold boot under load here is ~30 s, KVM's should be 50×
 * less) is that hang, and the agent goes on with TCG.
 */
export const KVM_PROBE_TIMEOUT_MS = 20_000;

function kvmUsable(path: string): string | undefined {
  if (!existsSync(path)) return `no ${path} on this machine`;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (e) {
    return `${path} is not usable: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * How guests run on this machine, decided once at agent start. KVM where /dev/kvm exists *and* a
 * probe guest boots with it within the timeout: on machines of the reference kind a nested KVM
 * guest hung with no output at all, so /dev/kvm alone proves nothing. Otherwise TCG, which works
 * everywhere (≈2 s to a READY loader on a quiet 2-core machine). `why` says which and why.
 */
export async function probeAccel(base: Omit<GuestMachine, 'accel'>, deps: AccelProbeDeps): Promise<ChosenMachine> {
  const tcg = (why: string): ChosenMachine => ({ ...base, accel: 'tcg', why });
  if (deps.asked === 'tcg') return tcg('TCG (BPFPLAY_GUEST_ACCEL=tcg: KVM not probed)');
  const unusable = kvmUsable(deps.kvmPath);
  if (unusable) {
    if (deps.asked === 'kvm') throw new Error(`BPFPLAY_GUEST_ACCEL=kvm, but ${unusable}`);
    return tcg(`TCG (KVM probe: ${unusable})`);
  }
  const kvm: GuestMachine = { ...base, accel: 'kvm' };
  const t0 = performance.now();
  const guest = deps.boot(kvm);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), deps.timeoutMs)));
  try {
    const r = await Promise.race([guest.ready.then(() => 'ready' as const), timedOut]);
    if (r === 'ready') return { ...kvm, why: `KVM (probe guest booted in ${Math.round(performance.now() - t0)} ms)` };
    const why = `a KVM guest did not boot within ${deps.timeoutMs / 1000} s (nested KVM hangs on some machines)`;
    if (deps.asked === 'kvm') throw new Error(`BPFPLAY_GUEST_ACCEL=kvm, but ${why}`);
    return tcg(`TCG (KVM probe: ${why})`);
  } catch (e) {
    if (deps.asked === 'kvm') throw e;
    return tcg(`TCG (KVM probe: ${(e as Error).message.split('\n')[0]})`);
  } finally {
    clearTimeout(timer);
    guest.kill();
  }
}

/** probeAccel with the real /dev/kvm and a real guest of `kernel` (the smallest of the matrix). */
export function chooseMachine(kernel: GuestKernel): Promise<ChosenMachine> {
  return probeAccel(
    { tscKhz: hostTscKhz(), memoryMb: GUEST_LIMITS.memoryMb },
    {
      kvmPath: '/dev/kvm',
      boot: (machine) => new Guest(kernel, machine),
      timeoutMs: KVM_PROBE_TIMEOUT_MS,
      asked: process.env.BPFPLAY_GUEST_ACCEL,
    },
  );
}
