import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_BUILD_DIR } from './kernels.js';
import { GUEST_LIMITS } from './limits.js';
import type { GuestMachine } from './qemu.js';

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

/**
 * How guests run on this machine. KVM only where /dev/kvm exists (nested KVM guests hung on the
 * reference machine, so even then `BPFPLAY_GUEST_ACCEL=kvm` has to ask for it); TCG otherwise, which
 * works everywhere and boots Debian's cloud kernels in ~2 s on a quiet 2-core machine.
 */
export function chooseMachine(): GuestMachine & { why: string } {
  const asked = process.env.BPFPLAY_GUEST_ACCEL;
  const kvm = asked === 'kvm' && existsSync('/dev/kvm');
  return {
    accel: kvm ? 'kvm' : 'tcg',
    tscKhz: hostTscKhz(),
    memoryMb: GUEST_LIMITS.memoryMb,
    why: kvm
      ? 'KVM (BPFPLAY_GUEST_ACCEL=kvm)'
      : existsSync('/dev/kvm')
        ? 'TCG (/dev/kvm exists; set BPFPLAY_GUEST_ACCEL=kvm to use it where nested KVM works)'
        : 'TCG (no /dev/kvm)',
  };
}
