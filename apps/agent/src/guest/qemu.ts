import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { GuestKernel } from './kernels.js';
import { GUEST_LIMITS } from './limits.js';
import { GuestReader, Fields, FROM, type GuestMessage } from './wire.js';

export const QEMU = 'qemu-system-x86_64';

/** How a guest is run; chosen once at agent start (guest/accel.ts). */
export interface GuestMachine {
  accel: 'tcg' | 'kvm';
  /**
   * The TSC frequency the guest kernel is told (tsc_early_khz). Under TCG the guest reads the host's
   * TSC and has no timer to calibrate it against on microvm: measured here, without this the 6.1
   * kernel stops at "tsc: Unable to calibrate against PIT" on a loaded machine.
   */
  tscKhz: number;
  memoryMb: number;
}

/** Nobody's uid: qemu runs unprivileged, so a guest that escaped the emulator would hold nothing. */
const NOBODY = 65534;

/**
 * The kernel command line. Quiet (a serial console costs an emulated I/O exit per character), no
 * KASLR or mitigations (nothing in the guest to protect from itself), only the BPF LSM (the others'
 * set-up costs boot time and BPF LSM programs need `bpf` in the list), one 8250 port for the console.
 */
export function kernelCommandLine(m: GuestMachine): string {
  return [
    'console=ttyS0',
    'quiet',
    'loglevel=1',
    'panic=-1',
    `tsc_early_khz=${m.tscKhz}`,
    'tsc=reliable',
    'no_timer_check',
    'mitigations=off',
    'nokaslr',
    'audit=0',
    'lsm=bpf',
    '8250.nr_uarts=1',
    'cryptomgr.notests',
  ].join(' ');
}

/**
 * qemu's arguments for one guest: microvm, no network and no disk (-nodefaults), seccomp-sandboxed,
 * the guest console on fd 3 and the loader's port on stdin/stdout.
 */
export function qemuArgs(k: GuestKernel, m: GuestMachine): string[] {
  return [
    '-M',
    `microvm,accel=${m.accel}`,
    '-cpu',
    m.accel === 'kvm' ? 'host' : 'max',
    '-smp',
    '1',
    '-m',
    String(m.memoryMb),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-monitor',
    'none',
    '-no-reboot',
    '-sandbox',
    'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    // fd 3 is one end of a socketpair (Node's stdio 'pipe'): qemu takes it as a connected socket.
    '-chardev',
    'socket,id=console,fd=3',
    '-serial',
    'chardev:console',
    '-kernel',
    k.vmlinux,
    '-initrd',
    k.initramfs,
    '-append',
    kernelCommandLine(m),
    '-device',
    'virtio-serial-device',
    '-chardev',
    'stdio,id=port,signal=off',
    '-device',
    'virtserialport,chardev=port,name=bpfplay',
  ];
}

/** The last lines of the guest's console a report carries (a panic, an oops). */
const CONSOLE_TAIL = 4096;

export interface GuestExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The guest console's tail and qemu's own complaints. */
  console: string;
}

/**
 * One booted (or booting) microVM. Its qemu runs as nobody, dies with the process that started it
 * (PDEATHSIG, set by setpriv before exec), and is killed, never asked, when the run is over.
 */
export class Guest {
  private child!: ChildProcess;
  readonly ready: Promise<{ release: string; cpus: number; bootMs: number }>;
  readonly exited: Promise<GuestExit>;
  private handler?: (m: GuestMessage) => void;
  private consoleText = '';
  private readonly startedAt = performance.now();
  isExited = false;
  /** Set once the loader said READY: a run handed this guest then goes straight to loading. */
  booted?: { release: string; cpus: number; bootMs: number };
  /** Set when the guest was killed for not being ready within GUEST_LIMITS.bootSeconds. */
  bootTimedOut = false;
  /** Set by kill(): an exit we caused is never an early reset to boot again from. */
  private killed = false;
  /** ref(): a qemu started again after an early reset keeps the first one's setting. */
  private refd = true;
  /** qemu processes started for this guest (more than one after an early reset). */
  boots = 0;
  private readonly bootTimer: NodeJS.Timeout;
  private markReady!: (v: { release: string; cpus: number; bootMs: number }) => void;
  private fail!: (e: Error) => void;
  private resolveExit!: (e: GuestExit) => void;

  constructor(
    readonly kernel: GuestKernel,
    private readonly machine: GuestMachine,
  ) {
    this.ready = new Promise((res, rej) => {
      this.markReady = res;
      this.fail = rej;
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    // The deadline runs from the first qemu's start whether or not a run waits (and across early
    // resets): a warm guest that hangs while booting would otherwise sit in the pool forever, and
    // the run handed it would wait on it. Unref'd: it must not keep an idle runner alive.
    this.bootTimer = setTimeout(() => {
      if (this.booted || this.isExited) return;
      this.bootTimedOut = true;
      this.keep(Buffer.from(`\n[bpfplay] not ready within ${GUEST_LIMITS.bootSeconds} s: killed\n`));
      this.kill();
    }, GUEST_LIMITS.bootSeconds * 1000);
    this.bootTimer.unref();
    this.start();
  }

  private keep(chunk: Buffer): void {
    this.consoleText = (this.consoleText + chunk.toString('utf8')).slice(-CONSOLE_TAIL);
  }

  private start(): void {
    this.boots++;
    const groups = this.machine.accel === 'kvm' ? ['--groups', 'kvm'] : ['--clear-groups'];
    const child = spawn(
      'setpriv',
      [
        '--reuid',
        String(NOBODY),
        '--regid',
        String(NOBODY),
        ...groups,
        '--nnp',
        '--pdeathsig',
        'KILL',
        '--',
        QEMU,
        ...qemuArgs(this.kernel, this.machine),
      ],
      { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk: Buffer) => this.keep(chunk);
    (child.stdio[3] as Readable).on('data', keep);
    child.stderr!.on('data', keep);
    const reader = new GuestReader(
      (m) => {
        if (m.kind === FROM.ready) {
          const f = new Fields(m.p);
          const cpus = f.u32();
          this.booted = { cpus, release: f.text(), bootMs: performance.now() - this.startedAt };
          clearTimeout(this.bootTimer);
          this.markReady(this.booted);
        } else this.handler?.(m);
      },
      (why) => {
        keep(Buffer.from(`\n[bpfplay] ${why}\n`));
        this.kill();
      },
    );
    child.stdout!.on('data', (c: Buffer) => reader.push(c));
    // A write after qemu died fails with EPIPE: the exit is what gets reported.
    child.stdin!.on('error', () => {});
    child.on('close', (code, signal) => {
      if (this.earlyReset(code, signal)) {
        // Measured under TCG here (2 of 16 boots at load 2, more under load): an external interrupt
        // arrives on vector 0 before the kernel has set its PIC up, the kernel takes it for a divide
        // error and panics before its console is up; with panic=-1 and -no-reboot qemu exits 0 in
        // ~0.4 s. Nothing of the run has reached the guest yet, so booting again is safe. (microvm's
        // pic=off avoids it too, but every boot then takes ~1 s longer.)
        this.keep(Buffer.from(`[bpfplay] the ${this.kernel.name} guest reset while booting: booting again\n`));
        this.start();
        return;
      }
      this.isExited = true;
      clearTimeout(this.bootTimer);
      this.fail(
        new Error(
          this.bootTimedOut
            ? `the ${this.kernel.name} guest did not boot within ${GUEST_LIMITS.bootSeconds} s; it was killed${this.consoleTail()}`
            : `the ${this.kernel.name} guest stopped before it was ready: ${this.describeExit(code, signal)}`,
        ),
      );
      this.resolveExit({ code, signal, console: this.consoleText.trim() });
    });
    child.on('error', (e) => this.fail(e));
    if (!this.refd) this.ref(false);
  }

  /** qemu exited by itself with 0 (the guest reset: -no-reboot) before READY: boot it again, within bounds. */
  private earlyReset(code: number | null, signal: NodeJS.Signals | null): boolean {
    if (code !== 0 || signal !== null || this.booted || this.killed || this.bootTimedOut) return false;
    return this.boots < GUEST_LIMITS.bootsAfterResets;
  }

  private consoleTail(): string {
    const tail = this.consoleText.trim().split('\n').slice(-6).join('\n');
    return tail ? `\n${tail}` : '';
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    return `${signal ? `killed by ${signal}` : `exit code ${code}`}${this.consoleTail()}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Messages after `ready`. */
  onMessage(handler: (m: GuestMessage) => void): void {
    this.handler = handler;
  }

  send(bytes: Uint8Array): void {
    if (!this.isExited) (this.child.stdin as Writable).write(bytes);
  }

  /** Keep (or stop keeping) the runner's event loop alive for this guest. */
  ref(on: boolean): void {
    this.refd = on;
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdio[3]] as (Readable & {
      ref?: () => void;
      unref?: () => void;
    })[]) {
      if (on) s.ref?.();
      else s.unref?.();
    }
    if (on) this.child.ref();
    else this.child.unref();
  }

  kill(): void {
    this.killed = true;
    if (!this.isExited) this.child.kill('SIGKILL');
  }

  console(): string {
    return this.consoleText.trim();
  }
}
