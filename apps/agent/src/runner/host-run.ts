import type { BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE, readIter } from '@bpfplay/libbpf';
import type { MapSnapshot, StopReason, TestPacket } from '@bpfplay/protocol';
import { runPacketLab } from '../packet-lab/test-run.js';
import { attachAll, detachAll, type Attached } from '../attach/attach.js';
import { loadObject, RunFailure } from '../load/loader.js';
import { Outbox, type Emit, type EmitBinary, type EmitJson } from '../stream/outbox.js';
import { readStack, snapshotMaps, type MapDecoder } from '../stream/maps.js';
import { setupSandboxNet, type SandboxNet } from '../attach/sandbox-net.js';
import { startTraffic } from '../attach/traffic.js';
import { openSources, type RecordDecoder, type Source } from '../stream/sources.js';
import type { RecordSchema } from '../stream/btf-decoder.js';
import type { RunSpec, RunStats } from './ipc.js';
import { waitForDetachedPrograms } from './quiesce.js';
import { stackProfiles } from '../stream/stacks.js';
import { kernelSymbols } from '../stream/ksyms.js';
import { UserSymbols } from '../stream/usyms.js';
import { hostFrameNamer, RecordStacks } from '../stream/record-stacks.js';
import { runnerTicker } from './ticker.js';

export interface RunDecoders {
  records: RecordDecoder;
  /** Column descriptions per event source, sent once before its records. */
  schemas: RecordSchema[];
  maps: MapDecoder;
  /** Writes `const volatile` parameters into .rodata before load; returns warnings. */
  configure: (obj: BpfObject) => string[];
}

/**
 * For this long after attach a run looks at its rings every millisecond (the first record is what
 * the user waits for); after that once per frame interval. Looking every few ms for the whole run
 * cost measurable CPU with 50 idle runs on two cores (figure 4 of the bench).
 */
const EAGER_MS = 100;
/**
 * A run that has sent nothing for QUIET_AFTER_MS looks at its rings every QUIET_POLL_MS instead of
 * every frame: measured, 8 idle runs in one runner cost 25 ms of CPU a second at 60 looks a second
 * each, which with 50 learners waiting for the last compiles was CPU taken from those compiles.
 * The first record after a quiet spell is then up to QUIET_POLL_MS late; a busy run is not slowed.
 */
const QUIET_AFTER_MS = 1000;
const QUIET_POLL_MS = 50;
/**
 * A run whose frames carry a record or two (a printk per exec) is framed every SPARSE_FRAME_MS
 * instead of every frame interval; one whose frames fill up again (more than BUSY_RECORDS) goes back.
 * Bench figure 4: 50 learners' hello-worlds each print on every exec of the others' compiles, and
 * at 60 frames a second nearly every line was a frame of its own through runner, agent and socket.
 * A line shown up to 50 ms later is not seen; the first line after a quiet spell is not delayed.
 */
const SPARSE_RECORDS = 2;
const BUSY_RECORDS = 8;
const SPARSE_FRAME_MS = 50;
/** A frame-interval timer that fires this much early still counts as due. */
const JITTER_MS = 2;
/** Longest a poll may decode for when the timer came late; stop and map snapshots wait at most this. */
const MAX_BUDGET_MS = 100;
/** Frames the agent has not read yet, beyond which the runner stops adding to them. */
const BACKLOG_BYTES = 16 << 20;

export interface RunHooks {
  emit: Emit;
  /** Frames that are already JSON bytes (events: records written as they are read). */
  emitJson: EmitJson;
  /** Binary events frames (RunSpec.eventFormat 'binary'). */
  emitBinary?: EmitBinary;
  /** Bytes sent but not yet read by the agent; above BACKLOG_BYTES the run drops (and counts) records. */
  backlog?: () => number;
  state: (state: 'booting' | 'loading' | 'loaded' | 'attaching' | 'running' | 'stopping', message?: string) => void;
  done: (reason: StopReason, message: string, stats: RunStats) => void;
}

/**
 * One run inside a runner process: load → attach → stream until stopped. Every exit path goes
 * through `finish`, which releases the kernel objects before reporting, so "stopped" always means
 * "nothing of this run is left in the kernel".
 */
export class HostRun {
  private obj?: BpfObject;
  private sources: Source[] = [];
  private attached?: Attached;
  /** Cancel the poll turn, the eager one right after attach, the map snapshots (runner/ticker.ts). */
  private tick?: () => void;
  private eager?: () => void;
  /** Time a tick may spend decoding records: most of the frame interval, so timers and stop still get a turn. */
  private budgetMs = 12;
  private frameMs = 16;
  /** When the last frame went out (performance.now()); polls in between only look. */
  private lastFrameAt = -Infinity;
  private clientPaused = false;
  private lastPollAt = performance.now();
  /** When the run started streaming (performance.now()). */
  private runningAt = performance.now();
  private mapTimer?: () => void;
  private finished = false;
  private d?: RunDecoders;
  private net?: SandboxNet;
  private stopTraffic?: () => void;
  private attachedAt = process.hrtime.bigint();
  private usymsCache?: UserSymbols;
  /** Stacks in records (bpf_get_stack into a ring/perf record), when a source's type has them. */
  private recordStacks?: RecordStacks;
  readonly outbox: Outbox;

  private get usyms(): UserSymbols {
    return (this.usymsCache ??= new UserSymbols(this.spec.uprobeBinaries));
  }

  constructor(
    private readonly spec: RunSpec,
    private readonly decoders: (obj: BpfObject) => RunDecoders,
    private readonly hooks: RunHooks,
  ) {
    this.outbox = new Outbox(hooks.emit, hooks.emitJson, spec, hooks.emitBinary);
  }

  start(): void {
    try {
      this.hooks.state('loading');
      let configured = false;
      this.obj = loadObject(
        {
          object: this.spec.object,
          objectName: this.spec.objectName,
          ...(this.spec.coreBtfPath ? { coreBtfPath: this.spec.coreBtfPath } : {}),
          skip: this.spec.skip,
          ...(this.spec.fallbacks ? { fallbacks: this.spec.fallbacks } : {}),
          ...(this.spec.mapSizes ? { mapSizes: this.spec.mapSizes } : {}),
          maxMapBytes: this.spec.maxMapBytes,
          // Called for every open: a program switched off for its variant means opening again.
          configure: (obj) => {
            this.d = this.decoders(obj);
            const warnings = this.d.configure(obj);
            if (!configured) for (const w of warnings) this.hooks.emit('warning', { message: w });
            configured = true;
          },
        },
        this.hooks.emit,
      );
      // Symbols for stacks are read before attach, while no run time is counting: parsing kallsyms
      // and the allowlisted binaries took 4 s on this machine under load, and a first snapshot that
      // long delayed the run's stop until the agent killed the runner (its frames lost with it).
      const layouts = this.d?.records.layouts;
      this.recordStacks = layouts
        ? RecordStacks.of(
            layouts,
            hostFrameNamer(() => this.usyms),
          )
        : undefined;
      if (this.recordStacks || this.obj.maps().some((m) => m.type === MAP_TYPE.stack_trace)) {
        kernelSymbols();
        this.usyms.preload();
      }
      if (this.spec.testRun) return this.testRun(this.spec.testRun);
      this.hooks.state('attaching');
      const t0 = performance.now();
      if (this.spec.network) this.net = setupSandboxNet();
      this.attached = attachAll(this.obj, {
        perfFrequency: this.spec.perfFrequency,
        probes: this.spec.probes,
        ...(this.spec.locations ? { locations: this.spec.locations } : {}),
        ...(this.net ? { net: this.net } : {}),
      });
      this.attachedAt = process.hrtime.bigint();
      this.hooks.emit('attached', { links: this.attached.links, durationMs: performance.now() - t0 });
      const ok = this.attached.links.filter((l) => l.ok);
      if (ok.length === 0) {
        const why = this.attached.links.map((l) => `${l.program}: ${l.message ?? 'failed'}`).join('\n');
        throw new RunFailure('attach-error', `no program could be attached:\n${why}`);
      }
      const d = (this.d ??= this.decoders(this.obj));
      for (const schema of d.schemas) this.hooks.emit('schema', { ...schema });
      this.sources = openSources(this.obj, d.records, (ns) => Number(ns - this.attachedAt) / 1e6, this.recordStacks);
      this.hooks.state('running', `${ok.length} program${ok.length === 1 ? '' : 's'} attached`);
      this.runIterators();
      if (this.net && this.spec.network)
        this.stopTraffic = startTraffic(this.net, this.spec.network.pps, this.spec.network.planted);
      if (ok.every((l) => l.kind === 'iter')) {
        this.finish('finished', 'iterator output complete');
        return;
      }
      this.runningAt = performance.now();
      this.frameMs = Math.max(5, Math.floor(1000 / this.spec.maxFramesPerSec));
      this.budgetMs = this.frameMs * 0.75;
      // At most one frame per frameMs; right after attach, look every millisecond until then.
      this.tickEvery(this.frameMs);
      const eager = runnerTicker.every(1, () => this.pollIfDue());
      setTimeout(eager, EAGER_MS);
      this.eager = eager;
      this.mapTimer = runnerTicker.every(this.spec.mapIntervalMs, () => this.snapshot(d.maps));
      this.snapshot(d.maps);
    } catch (e) {
      if (e instanceof RunFailure) this.finish(e.reason, e.message);
      else this.finish('error', `agent error while starting the run: ${(e as Error).stack ?? String(e)}`);
    }
  }

  /** The packet lab: run the packet programs on the packet, nothing attached; finish() drains printk and snapshots the maps. */
  private testRun(packet: TestPacket): void {
    const obj = this.obj!;
    const d = (this.d ??= this.decoders(obj));
    for (const schema of d.schemas) this.hooks.emit('schema', { ...schema });
    this.sources = openSources(obj, d.records, (ns) => Number(ns - this.attachedAt) / 1e6);
    this.attachedAt = process.hrtime.bigint();
    this.hooks.state('running', 'test run: nothing attached');
    const ran = runPacketLab(obj, packet, d.maps, this.spec.maxMapEntries, this.hooks.emit);
    if (ran === 0)
      return this.finish(
        'attach-error',
        'no program of this object could be test-run on a packet (XDP, tc, socket filter)',
      );
    this.finish(
      'finished',
      `test run of ${ran} program${ran === 1 ? '' : 's'} on a ${packet.hex.length / 2}-byte packet`,
    );
  }

  private runIterators(): void {
    for (const it of this.attached?.iterators ?? []) {
      try {
        const { text, truncated } = readIter(it.link);
        this.hooks.emit('iter', {
          program: it.program.name,
          text: truncated ? `${text}\n[truncated at 1 MiB]` : text,
          done: true,
        });
      } catch (e) {
        this.hooks.emit('warning', { program: it.program.name, message: `iterator failed: ${(e as Error).message}` });
      }
    }
  }

  /** The snapshots in the last `maps` frame sent. */
  private sentMaps?: Set<MapSnapshot>;

  /** The last frames carried few records (SPARSE_RECORDS): frames are spaced SPARSE_FRAME_MS. */
  private sparse = false;

  /** Least time between two frames now. */
  private get spacingMs(): number {
    return this.sparse ? Math.max(this.frameMs, SPARSE_FRAME_MS) : this.frameMs;
  }

  private pollIfDue(): void {
    const now = performance.now();
    if (now - this.lastFrameAt < this.spacingMs - JITTER_MS) return;
    // Quiet: the timer itself slows down (a wake-up per run and frame was most of the cost).
    const quiet = now - Math.max(this.lastFrameAt, this.runningAt) > QUIET_AFTER_MS;
    this.tickEvery(quiet ? QUIET_POLL_MS : this.spacingMs);
    // On a busy machine this timer fires late; the budget follows the wall clock so the run still
    // gets through ~75% of what the kernel wrote meanwhile instead of a fixed slice of it.
    const since = Math.min(MAX_BUDGET_MS / 0.75, now - this.lastPollAt);
    this.lastPollAt = now;
    this.poll(Math.max(this.budgetMs, 0.75 * since));
  }

  private tickMs = 0;

  private tickEvery(ms: number): void {
    if (this.tickMs === ms || this.finished) return;
    this.tickMs = ms;
    this.tick?.();
    this.tick = runnerTicker.every(ms, () => this.pollIfDue());
  }

  private poll(budgetMs = this.budgetMs, final = false): void {
    // The agent not keeping up is backpressure like a slow client: read the kernel, drop, count.
    // The final poll sends whatever is held, so the last drop counts reach the client.
    this.outbox.paused = !final && (this.clientPaused || (this.hooks.backlog?.() ?? 0) > BACKLOG_BYTES);
    // Frames are spaced from the start of the poll that made them: a poll that spends its whole
    // budget is followed by the next one after frameMs, not after budget + frameMs.
    const startedAt = performance.now();
    const now = Number(process.hrtime.bigint() - this.attachedAt) / 1e6;
    for (const s of this.sources) s.poll(this.outbox, now, budgetMs);
    // Names go out before the records that hold the frames (same channel, in order).
    this.sendNames(final ? Infinity : undefined);
    if (this.outbox.flush()) {
      this.lastFrameAt = startedAt;
      const n = this.outbox.lastFlushRecords;
      if (n <= SPARSE_RECORDS) this.sparse = true;
      else if (n > BUSY_RECORDS) this.sparse = false;
      if (!final) this.tickEvery(this.spacingMs);
    }
  }

  private sendNames(budgetMs?: number): void {
    const names = this.recordStacks?.takeNames(budgetMs);
    if (names) this.hooks.emit('symbols', { names });
  }

  private snapshot(decoder: MapDecoder): void {
    if (!this.obj) return;
    const maps = snapshotMaps(this.obj, decoder, this.spec.maxMapEntries);
    if (!maps.length && !this.recordStacks) return;
    // The very snapshot objects of the last frame: maps that cannot change (snapshotMaps returns them
    // again), already sent; the client's last frame stays shown.
    if (!this.recordStacks && this.sentMaps && maps.every((m) => this.sentMaps!.has(m))) return;
    this.sentMaps = new Set(maps);
    const obj = this.obj;
    this.usyms.refresh();
    this.sendNames();
    const stacks = [
      ...stackProfiles(maps, (name, id) => readStack(obj, name, id), this.usyms),
      ...(this.recordStacks?.profiles() ?? []),
    ];
    this.hooks.emit('maps', {
      t: Number(process.hrtime.bigint() - this.attachedAt) / 1e6,
      maps,
      ...(stacks.length ? { stacks } : {}),
    });
  }

  setPaused(paused: boolean): void {
    this.clientPaused = paused;
    this.outbox.paused = paused;
  }

  /** Stop: final drain and snapshot while the maps still exist, then release everything. */
  finish(reason: StopReason, message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.hooks.state('stopping');
    this.tick?.();
    this.eager?.();
    this.mapTimer?.();
    this.stopTraffic?.();
    // Detach first: records written between the last drain and close would be lost uncounted, and
    // "produced = delivered + dropped" must hold exactly for the user to trust the drop count.
    try {
      if (this.attached) {
        detachAll(this.attached);
        waitForDetachedPrograms();
      }
    } catch {
      // obj.close() below detaches whatever is left.
    }
    for (const undo of this.net?.cleanups ?? []) {
      try {
        undo();
      } catch {
        // The namespace goes away with this process anyway.
      }
    }
    try {
      if (this.sources.length) {
        // No time budget: records left in a ring that is about to close would be lost uncounted.
        this.poll(Infinity, true);
        if (this.d) this.snapshot(this.d.maps);
      }
    } catch {
      // The final drain is best effort; releasing the kernel objects below is not.
    }
    for (const s of this.sources) s.close();
    this.sources = [];
    this.obj?.close();
    this.obj = undefined;
    this.hooks.done(reason, message, { ...this.outbox.totals });
  }
}
