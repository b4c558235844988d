import type { BpfMap, BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE } from '@bpfplay/libbpf';
import { openObjectSpec } from '@bpfplay/btf';
import type { LinkInfo, MapInfo, ProgramInfo, StopReason } from '@bpfplay/protocol';
import { attachKindOf } from '../attach/kinds.js';
import { writeParams } from '../load/params.js';
import { parseVerifierLog } from '../load/verifier-log.js';
import { Outbox } from '../stream/outbox.js';
import { snapshotMaps } from '../stream/maps.js';
import { PerfEventSource, PrintkSource, PRINTK_MAP, RingEventSource, type Source } from '../stream/sources.js';
import type { RunDecoders, RunHooks } from '../runner/host-run.js';
import type { RunSpec } from '../runner/ipc.js';
import { GuestMap, GuestPerf, GuestRing } from './guest-streams.js';
import { GuestStacks } from './guest-stacks.js';
import type { Guest } from './qemu.js';
import { cstr, Fields, FROM, message as wireMessage, MODE, TO, u32, u8, type GuestMessage } from './wire.js';
import { GUEST_LIMITS } from './limits.js';

/**
 * One run in a kernel-matrix guest, on the runner's side: the same stages and frames as HostRun, but
 * the kernel work happens in the guest (guest/loader.c) and arrives as raw bytes, decoded here with
 * the object's BTF by the same decoders, sources and outbox as host runs. Every exit path goes
 * through `finish`, which kills the VM: "stopped" means the guest and everything in it are gone.
 */
export class GuestRun {
  readonly outbox: Outbox;
  private d?: RunDecoders;
  private maps: GuestMap[] = [];
  private readonly programs: { loaded: boolean; insns: number; jited: number; name: string; section: string }[] = [];
  private readonly links: LinkInfo[] = [];
  private rings = new Map<number, GuestRing>();
  private perfs = new Map<number, GuestPerf>();
  private sources: Source[] = [];
  private attachNs = 0n;
  private guestNow = 0n;
  private cpus = 1;
  private tick?: NodeJS.Timeout;
  private quitTimer?: NodeJS.Timeout;
  private bootTimer?: NodeJS.Timeout;
  private finished = false;
  private stopping?: { reason: StopReason; message: string };
  private lastFrameAt = -Infinity;
  private frameMs = 16;
  /** Stack maps' and records' stacks, named with the guest kernel's symbols. */
  private stacks?: GuestStacks;

  constructor(
    private readonly spec: RunSpec,
    private readonly guest: Guest,
    private readonly decoders: (obj: Pick<BpfObject, 'maps'>) => RunDecoders,
    private readonly hooks: RunHooks,
  ) {
    this.outbox = new Outbox(hooks.emit, hooks.emitJson, spec, hooks.emitBinary);
    this.frameMs = Math.max(5, Math.floor(1000 / spec.maxFramesPerSec));
  }

  private get kernel(): string {
    return this.guest.kernel.name;
  }

  async start(): Promise<void> {
    this.guest.ref(true);
    void this.guest.exited.then((e) => {
      if (this.finished) return;
      const tail = e.console.split('\n').slice(-8).join('\n');
      const why = this.stopping
        ? this.stopping.message
        : `the ${this.kernel} guest stopped unexpectedly (${e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`})${tail ? `; its console:\n${tail}` : ''}`;
      this.finish(this.stopping?.reason ?? 'runner-crash', why);
    });
    // A warm guest (booted ahead in the pool) is ready: the run goes straight to loading. A guest
    // still booting, whether cold or a pool's that has not finished, makes the run wait in `booting`.
    if (!this.guest.booted)
      this.hooks.state('booting', `booting the ${this.kernel} guest (${this.guest.kernel.release})`);
    let ready: Awaited<Guest['ready']>;
    try {
      ready = await this.guest.ready;
    } catch (e) {
      // Not ready within GUEST_LIMITS.bootSeconds (counted from the guest's start: Guest kills it).
      const reason = this.guest.bootTimedOut ? 'timeout' : 'runner-crash';
      if (!this.finished) this.finish(this.stopping?.reason ?? reason, (e as Error).message);
      return;
    }
    if (this.finished) return;
    if (this.stopping) return this.kill(this.stopping.reason, this.stopping.message);
    this.cpus = ready.cpus;
    this.hooks.emit('log', {
      source: 'agent',
      level: 'info',
      text: `${this.kernel} guest: ${ready.release}, ${ready.cpus} CPU, ready after ${Math.round(ready.bootMs)} ms`,
    });
    this.guest.onMessage((m) => this.onGuest(m));
    this.sendSettings();
    this.bootTimer = setTimeout(
      () =>
        this.kill(
          'timeout',
          `the ${this.kernel} guest did not load and attach within ${GUEST_LIMITS.loadSeconds} s (it stopped answering) and was killed`,
        ),
      GUEST_LIMITS.loadSeconds * 1000,
    );
    this.hooks.state('loading');
  }

  private sendSettings(): void {
    const s = this.spec;
    const parts: Buffer[] = [wireMessage(TO.object, s.object), wireMessage(TO.name, s.objectName)];
    for (const name of Object.keys(s.skip)) parts.push(wireMessage(TO.skip, name));
    const info = openObjectSpec(s.object, s.objectName);
    for (const p of info.programs) {
      const kind = attachKindOf(p.section);
      if (kind === 'iter') parts.push(wireMessage(TO.mode, u8(MODE.iter), p.name));
      if (kind === 'perf_event') parts.push(wireMessage(TO.mode, u8(MODE.perfEvent), p.name));
    }
    // Parameters are written here, into a copy of .rodata, with the host's rules (load/params.ts).
    const rodata = info.elf.section('.rodata')?.data;
    if (Object.keys(s.params).length) {
      if (!info.btf || !rodata)
        this.hooks.emit('warning', {
          message: 'the program has no const volatile globals (.rodata): parameters ignored',
        });
      else {
        const copy = Uint8Array.from(rodata);
        for (const w of writeParams(info.btf, copy, s.params)) this.hooks.emit('warning', { message: w });
        parts.push(wireMessage(TO.initial, cstr('.rodata'), copy));
      }
    }
    // Map sizes the playground sets as the loader (load/map-sizes.ts), as on the host.
    for (const [name, size] of Object.entries(s.mapSizes ?? {}))
      parts.push(wireMessage(TO.resize, u32(size.maxEntries ?? 0, size.valueSize ?? 0), name));
    parts.push(wireMessage(TO.config, u32(s.perfFrequency, s.mapIntervalMs, s.maxMapEntries)));
    parts.push(wireMessage(TO.go));
    this.guest.send(Buffer.concat(parts));
  }

  private onGuest(m: GuestMessage): void {
    if (this.finished) return;
    const f = new Fields(m.p);
    switch (m.kind) {
      case FROM.log: {
        const lines = f
          .text()
          .split('\n')
          .filter((l) => l && !l.includes('skipping unrecognized data section'));
        if (lines.length) this.hooks.emit('log', { source: 'libbpf', level: 'info', text: lines.join('\n') });
        break;
      }
      case FROM.verifier: {
        const ok = f.u8() === 1;
        const truncated = f.u8() === 1;
        const program = f.str();
        const log = f.text();
        const parsed = parseVerifierLog(log, { failed: !ok });
        if (ok) {
          this.hooks.emit('verifier', {
            program,
            ok,
            log,
            truncated,
            ...(parsed.stats ? { stats: parsed.stats } : {}),
          });
          break;
        }
        const failure = parsed.failure ?? {
          reason: 'the verifier rejected the program',
          message: 'the kernel gave no log',
        };
        this.hooks.emit('verifier', {
          program,
          ok,
          log,
          truncated,
          failure,
          ...(parsed.stats ? { stats: parsed.stats } : {}),
        });
        const where = failure.location ? ` at ${failure.location.file}:${failure.location.line}` : '';
        this.failedWith = {
          reason: 'verifier',
          message: `verifier rejected ${program} on ${this.kernel}${where}: ${failure.reason}`,
        };
        break;
      }
      case FROM.program:
        this.programs.push({ loaded: f.u8() === 1, insns: f.u32(), jited: f.u32(), name: f.str(), section: f.text() });
        break;
      case FROM.map: {
        const index = f.u16();
        const [type, keySize, valueSize, maxEntries, flags] = [f.u32(), f.u32(), f.u32(), f.u32(), f.u32()];
        this.maps[index] = new GuestMap(index, f.text(), type, keySize, valueSize, maxEntries, flags);
        break;
      }
      case FROM.loaded:
        this.onLoaded(f.u32() / 1000);
        break;
      case FROM.failed: {
        const stage = f.str();
        const text = f.text();
        if (this.failedWith) this.kill(this.failedWith.reason, this.failedWith.message);
        else if (stage === 'attach') this.kill('attach-error', this.attachFailure());
        else this.kill(stage === 'open' || stage === 'load' ? 'load-error' : 'error', `${text} (on ${this.kernel})`);
        break;
      }
      case FROM.link: {
        const ok = f.u8() === 1;
        const program = f.str();
        const target = f.str();
        const msg = f.text();
        const section = this.programs.find((p) => p.name === program)?.section ?? '';
        this.links.push({ program, kind: attachKindOf(section), target, ok, ...(msg ? { message: msg } : {}) });
        break;
      }
      case FROM.attached:
        clearTimeout(this.bootTimer);
        this.attachNs = f.u64();
        this.guestNow = this.attachNs;
        this.onAttached(f.u32() / 1000);
        break;
      case FROM.iter:
        this.hooks.emit('iter', { program: f.str(), text: f.text(), done: true });
        break;
      case FROM.now:
        this.guestNow = f.u64();
        break;
      case FROM.record:
        this.rings.get(f.u16())?.push(f.rest());
        this.pollIfDue();
        break;
      case FROM.sample: {
        const idx = f.u16();
        const cpu = f.u32();
        this.perfs.get(idx)?.push(cpu, f.rest());
        this.pollIfDue();
        break;
      }
      case FROM.lost: {
        const idx = f.u16();
        this.perfs.get(idx)?.addLost(Number(f.u64()));
        break;
      }
      case FROM.snapshot:
        for (const map of this.maps) {
          map.entriesRead = [];
          map.more = 0;
          delete map.error;
        }
        break;
      case FROM.entry: {
        const map = this.maps[f.u16()];
        const keySize = f.u32();
        const key = Buffer.from(f.bytes(keySize));
        map?.entriesRead.push({ key, value: Buffer.from(f.rest()) });
        break;
      }
      case FROM.mapEnd: {
        const map = this.maps[f.u16()];
        if (!map) break;
        map.more = f.u32();
        const err = f.i32();
        if (err) map.error = `reading the map in the guest failed (errno ${-err})`;
        break;
      }
      case FROM.snapshotEnd:
        this.snapshot();
        break;
      case FROM.ksyms:
        this.stacks?.received(f.u32(), f.rest());
        break;
      case FROM.done:
        this.poll(true);
        this.finish(this.stopping?.reason ?? 'finished', this.stopping?.message ?? 'iterator output complete');
        break;
      default:
        break;
    }
  }

  private failedWith?: { reason: StopReason; message: string };

  private attachFailure(): string {
    const why = this.links.map((l) => `${l.program}: ${l.message ?? 'failed'}`).join('\n');
    return `no program could be attached on ${this.kernel}:\n${why}`;
  }

  /** The guest's maps, as the decoders and snapshot code see an object's maps. */
  private objectView(): Pick<BpfObject, 'maps'> {
    // GuestMap has every BpfMap property the decoders and snapshots read (name, type, sizes, entries).
    return { maps: () => this.maps as unknown as BpfMap[] };
  }

  private onLoaded(durationMs: number): void {
    const d = (this.d = this.decoders(this.objectView()));
    const programs: ProgramInfo[] = this.programs.map((p) => ({
      name: p.name,
      section: p.section,
      kind: attachKindOf(p.section),
      insns: p.insns,
      loaded: p.loaded,
      ...(this.spec.skip[p.name] !== undefined ? { skipped: this.spec.skip[p.name] } : {}),
      ...(p.jited ? { jitedBytes: p.jited } : {}),
    }));
    const maps: MapInfo[] = this.maps.map((m) => ({
      name: m.name,
      type: m.typeName,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
    }));
    this.hooks.emit('loaded', { programs, maps, durationMs });
    this.hooks.state('attaching');
    this.stacks = new GuestStacks(
      this.kernel,
      d.records.layouts,
      this.maps.some((m) => m.type === MAP_TYPE.stack_trace),
      () => this.guest.send(wireMessage(TO.ksyms)),
    );
    for (const m of this.maps) {
      if (m.type === MAP_TYPE.ringbuf) {
        const ring = new GuestRing();
        this.rings.set(m.index, ring);
        this.sources.push(
          m.name === PRINTK_MAP
            ? new PrintkSource(ring, (ns) => this.runMs(ns))
            : new RingEventSource(m.name, ring, d.records, this.stacks.records),
        );
      } else if (m.type === MAP_TYPE.perf_event_array) {
        const perf = new GuestPerf();
        this.perfs.set(m.index, perf);
        this.sources.push(new PerfEventSource(m.name, perf, d.records, this.stacks.records));
      }
    }
  }

  private onAttached(durationMs: number): void {
    this.hooks.emit('attached', { links: this.links, durationMs });
    const ok = this.links.filter((l) => l.ok);
    if (ok.length === 0) return; // the guest's `failed attach` follows
    for (const schema of this.d?.schemas ?? []) this.hooks.emit('schema', { ...schema });
    this.hooks.state('running', `${ok.length} program${ok.length === 1 ? '' : 's'} attached on ${this.kernel}`);
    this.tick = setInterval(() => this.pollIfDue(), this.frameMs);
  }

  private runMs(ns: bigint): number {
    return Number(ns - this.attachNs) / 1e6;
  }

  private pollIfDue(): void {
    if (performance.now() - this.lastFrameAt >= this.frameMs - 2) this.poll();
  }

  private poll(final = false): void {
    const started = performance.now();
    const now = this.runMs(this.guestNow);
    for (const s of this.sources) s.poll(this.outbox, now, final ? Infinity : this.frameMs * 0.75);
    for (const [idx, ring] of this.rings) {
      if (!ring.overflow) continue;
      const name = this.maps[idx]?.name ?? '';
      if (name === PRINTK_MAP) this.outbox.dropPrintk(ring.overflow);
      else this.outbox.dropEvents(name, ring.overflow);
      ring.overflow = 0;
    }
    // Names go out before the records that hold the frames (same channel, in order).
    const names = this.stacks?.takeNames(final);
    if (names) this.hooks.emit('symbols', { names });
    if (this.outbox.flush()) this.lastFrameAt = started;
  }

  private snapshot(): void {
    if (!this.d) return;
    const maps = snapshotMaps(this.objectView(), this.d.maps, this.spec.maxMapEntries, {
      cpus: this.cpus,
      symbols: () => this.stacks!.kernelSymbols(),
    });
    if (!maps.length && !this.stacks?.records) return;
    const stacks = this.stacks?.profiles(maps) ?? [];
    this.hooks.emit('maps', {
      t: Math.max(0, this.runMs(this.guestNow)),
      maps,
      ...(stacks.length ? { stacks } : {}),
    });
  }

  setPaused(paused: boolean): void {
    this.outbox.paused = paused;
  }

  /**
   * Stop: the guest detaches, drains and sends its last snapshot, then says DONE. A guest that does
   * not within GUEST_LIMITS.quitSeconds (hung, or flooded) is killed and the run says so.
   */
  finishRun(reason: StopReason, message: string): void {
    if (this.finished || this.stopping) return;
    this.stopping = { reason, message };
    this.hooks.state('stopping');
    if (!this.attachNs) return this.kill(reason, message);
    this.guest.send(wireMessage(TO.quit));
    this.quitTimer = setTimeout(
      () =>
        this.kill(
          reason === 'user' || reason === 'timeout' ? 'timeout' : reason,
          `${message}; the ${this.kernel} guest did not stop within ${GUEST_LIMITS.quitSeconds} s (hung, or busy beyond its limit) and was killed`,
        ),
      GUEST_LIMITS.quitSeconds * 1000,
    );
  }

  private kill(reason: StopReason, message: string): void {
    this.finish(reason, message);
  }

  private finish(reason: StopReason, message: string): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.tick);
    clearTimeout(this.quitTimer);
    clearTimeout(this.bootTimer);
    try {
      this.poll(true);
    } catch {
      // The last frames are best effort; killing the VM below is not.
    }
    this.guest.kill();
    for (const s of this.sources) s.close();
    void this.guest.exited.then(() => this.hooks.done(reason, message, { ...this.outbox.totals }));
  }
}
