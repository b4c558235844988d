/**
 * The kernel-matrix guests' limits, each with the reason for its value. (Measured on the 2-core
 * reference machine under TCG: a cold boot to the loader's READY takes ~2 s quiet and up to ~15 s
 * when eight other sessions load both cores.)
 */
export const GUEST_LIMITS = {
  /**
   * From qemu's start to the loader's READY, for every guest, warm ones waiting in the pool included:
   * a guest not ready by then (a hung boot, a kernel that panics with panic=-1 and never powers
   * off, an init that never starts the loader) is killed, and its run, if it has one, says so.
   * Tests set BPFPLAY_TEST_GUEST_BOOT_SECONDS to see a hung boot end without waiting a minute.
   */
  bootSeconds: Number(process.env.BPFPLAY_TEST_GUEST_BOOT_SECONDS) || 60,
  /**
   * From GO to attached (load, verifier, attach in the guest), else the guest is killed: a guest
   * whose kernel stopped answering (a program that spins on every syscall under emulation) would
   * otherwise hold its run for the agent's whole startup limit.
   */
  loadSeconds: 30,
  /** After QUIT, the guest must detach, drain and say DONE within this, or it is killed. */
  quitSeconds: 5,
  /** Guest RAM: the loader, busybox and a program's maps (the host's map quota still applies). */
  memoryMb: 256,
  /**
   * Booted guests kept waiting per kernel. One each: a warm guest costs no CPU while it waits (the
   * vCPU halts) but ~100 MB of host memory (guest pages it touched while booting, plus qemu).
   */
  warmPerKernel: 1,
  /**
   * Warm boots of one kernel that may fail in a row before the pool stops booting it (until a run
   * asks for it): a boot past bootSeconds on a loaded CI machine was slow, not broken, once; a
   * kernel that fails three times running is broken.
   */
  warmBootAttempts: 3,
  /**
   * qemu processes one guest may start when the earlier ones reset while booting (exit 0 before
   * READY: guest/qemu.ts says why), all within bootSeconds. ~1 boot in 8–10 resets under TCG here.
   */
  bootsAfterResets: 3,
  /** Host memory one guest may cost, for the pool's bound: guest RAM plus qemu's own (TCG code cache). */
  hostMbPerGuest: 384,
} as const;
