import { inflateSync } from 'node:zlib';
import type { MapSnapshot, RecordLayout, StackProfile } from '@bpfplay/protocol';
import { KernelSymbols } from '../stream/ksyms.js';
import { guestFrameNamer, RecordStacks } from '../stream/record-stacks.js';
import { stackProfiles } from '../stream/stacks.js';

/**
 * A guest run's stacks, named with the guest kernel's own symbols. Not its package's System.map:
 * Debian ships a stub there (the real one is in the -dbg package), and the vmlinux setup extracts is
 * stripped; so the guest sends its /proc/kallsyms (guest/loader.c: send_kallsyms), asked for only
 * when the run has stacks to name, which also names the run's BPF programs. User frames stay
 * numbers (record-stacks.ts: guestFrameNamer says why).
 */
export class GuestStacks {
  private symbols?: KernelSymbols;
  private asked = false;
  /** Stacks in records (bpf_get_stack into a ring/perf record): the sources' tap. */
  readonly records?: RecordStacks;

  constructor(
    private readonly kernel: string,
    layouts: ReadonlyMap<string, RecordLayout | undefined> | undefined,
    hasStackMap: boolean,
    askForSymbols: () => void,
  ) {
    this.records = layouts
      ? RecordStacks.of(
          layouts,
          guestFrameNamer(() => this.kernelSymbols(), kernel),
        )
      : undefined;
    // The loader sends them as it enters its loop, after attach: before the records it reads there.
    if (this.records || hasStackMap) {
      this.asked = true;
      askForSymbols();
    }
  }

  /** FROM_KSYMS: u32 size inflated (0: the guest could not read them), the zlib bytes. */
  received(size: number, deflated: Uint8Array): void {
    let why = `the ${this.kernel} guest could not read its /proc/kallsyms`;
    try {
      if (size) this.symbols = KernelSymbols.parse(inflateSync(deflated, { maxOutputLength: size }));
    } catch (e) {
      why = `the ${this.kernel} guest's symbols did not inflate: ${(e as Error).message}`;
    }
    this.symbols ??= KernelSymbols.none(why);
  }

  kernelSymbols(): KernelSymbols {
    return this.symbols ?? KernelSymbols.none(`the ${this.kernel} guest's symbols have not arrived yet`);
  }

  /**
   * Names of the record frames seen since the last call. Held back until the symbols arrive (a
   * name is sent once); `final` sends what there is.
   */
  takeNames(final: boolean): Record<string, string> | undefined {
    if (this.asked && !this.symbols && !final) return undefined;
    return this.records?.takeNames(final ? Infinity : undefined);
  }

  /** Flame graphs: stack-count maps joined with the stack map's snapshot, and the record stacks. */
  profiles(maps: MapSnapshot[]): StackProfile[] {
    // Stack ids are looked up in the stack map's snapshot: the map itself is in the guest, which
    // sends it whole up to the per-map cap.
    const stackOf = (name: string, id: number) => {
      const e = maps.find((m) => m.name === name)?.entries.find((x) => x.key === id);
      return Array.isArray(e?.value) ? (e.value as string[]) : undefined;
    };
    return [...stackProfiles(maps, stackOf), ...(this.records?.profiles() ?? [])];
  }
}
