/**
 * The KVM probe at agent start: KVM only where /dev/kvm exists and a guest actually boots with it in
 * time (a nested KVM guest hung forever on machines of the reference kind); otherwise TCG, with the
 * reason in `why` (what hello.capabilities.guestAccel reports). The boot is stubbed here: the real
 * boot is the matrix test's, and this machine has no /dev/kvm to try.
 */
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAccel, type AccelProbeDeps } from '../../src/guest/machine.js';

const base = { tscKhz: 2_000_000, memoryMb: 256 };
const dir = mkdtempSync(join(tmpdir(), 'bpfplay-kvm-'));
const fakeKvm = join(dir, 'kvm');
writeFileSync(fakeKvm, '');
chmodSync(fakeKvm, 0o600);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deps(over: Partial<AccelProbeDeps> & { outcome?: 'ready' | 'hang' | 'fail' }) {
  const booted: string[] = [];
  let killed = 0;
  const d: AccelProbeDeps = {
    kvmPath: fakeKvm,
    timeoutMs: 50,
    asked: undefined,
    boot: (m) => {
      booted.push(m.accel);
      const ready =
        over.outcome === 'ready'
          ? Promise.resolve()
          : over.outcome === 'fail'
            ? Promise.reject(new Error('the 5.10 guest stopped before it was ready: exit code 1\nqemu: kvm: no access'))
            : new Promise(() => {});
      return { ready, kill: () => killed++ };
    },
    ...over,
  };
  return { d, booted, killed: () => killed };
}

describe('KVM probe', () => {
  it('on this machine: says whether /dev/kvm exists, and picks TCG without it', async () => {
    const { d, booted } = deps({ kvmPath: '/dev/kvm', outcome: 'ready' });
    const m = await probeAccel(base, d);
    if (existsSync('/dev/kvm')) return; // a machine with KVM: the stubbed boot "worked" — nothing to learn
    expect(m.accel).toBe('tcg');
    expect(m.why).toBe('TCG (KVM probe: no /dev/kvm on this machine)');
    expect(booted, 'no guest is booted to probe a missing device').toEqual([]);
  });

  it('uses KVM when the probe guest boots, and kills the probe guest', async () => {
    const { d, booted, killed } = deps({ outcome: 'ready' });
    const m = await probeAccel(base, d);
    expect(m.accel).toBe('kvm');
    expect(m.why).toMatch(/^KVM \(probe guest booted in \d+ ms\)$/);
    expect(booted).toEqual(['kvm']);
    expect(killed()).toBe(1);
  });

  it('falls back to TCG when the KVM guest hangs, after the timeout, and kills it', async () => {
    const { d, killed } = deps({ outcome: 'hang' });
    const m = await probeAccel(base, d);
    expect(m.accel).toBe('tcg');
    expect(m.why).toContain('did not boot within 0.05 s');
    expect(killed()).toBe(1);
  });

  it('falls back to TCG when qemu refuses KVM, quoting the first line of why', async () => {
    const m = await probeAccel(base, deps({ outcome: 'fail' }).d);
    expect(m).toMatchObject({
      accel: 'tcg',
      why: 'TCG (KVM probe: the 5.10 guest stopped before it was ready: exit code 1)',
    });
  });

  it('BPFPLAY_GUEST_ACCEL=tcg skips the probe; =kvm fails loudly instead of hiding a broken KVM', async () => {
    const skip = deps({ outcome: 'ready', asked: 'tcg' });
    expect((await probeAccel(base, skip.d)).accel).toBe('tcg');
    expect(skip.booted).toEqual([]);
    await expect(probeAccel(base, deps({ outcome: 'hang', asked: 'kvm' }).d)).rejects.toThrow(
      /BPFPLAY_GUEST_ACCEL=kvm, but a KVM guest did not boot within/,
    );
    await expect(probeAccel(base, deps({ asked: 'kvm', kvmPath: join(dir, 'none') }).d)).rejects.toThrow(
      /BPFPLAY_GUEST_ACCEL=kvm, but no .*none on this machine/,
    );
  });
});
