import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { MapDefinition } from '@bpfplay/btf';
import { mapTypeName } from '@bpfplay/libbpf/names';
import type { SourceLocation, Violation } from '@bpfplay/protocol';
import type { MapSize } from '../load/map-sizes.js';
import type { MapShape } from './map-quota.js';

/**
 * Map definitions as libbpf will act on them, checked on the agent before a runner opens the object
 * (so `--compile-only` says it too). The runner checks again on libbpf's own view after open
 * (load/loader.ts): the agent decides early, the runner decides on what will actually be created.
 */

/** Where a map is defined: the line of `} name SEC(".maps")`, else the first line naming it. */
export type MapLocator = (map: string) => SourceLocation | undefined;

export function mapLocator(files: readonly { name: string; content: string }[]): MapLocator {
  return (map) => {
    const outer = map.endsWith('.inner') ? map.slice(0, -'.inner'.length) : map;
    if (!/^\w+$/.test(outer)) return undefined;
    for (const re of [new RegExp(`\\b${outer}\\s+SEC\\s*\\(\\s*"\\.maps"`), new RegExp(`\\b${outer}\\b`)]) {
      for (const f of files) {
        const lines = f.content.split('\n');
        const i = lines.findIndex((l) => re.test(l));
        if (i >= 0) return { file: f.name, line: i + 1, col: lines[i]!.search(re) + 1 };
      }
    }
    return undefined;
  };
}

/**
 * `pinning` in a map definition (or its inner template) would make libbpf reuse a map of the same
 * name that other software pinned in /sys/fs/bpf — reading and overwriting it — or leave a new pin,
 * and everything reachable through it, in the kernel after the run. The playground never pins.
 */
export function checkMapDefinitions(defs: readonly MapDefinition[], locate?: MapLocator): Violation[] {
  const out: Violation[] = [];
  for (const def of defs) {
    for (const d of def.inner ? [def, def.inner] : [def]) {
      if (!d.pinning) continue;
      const loc = locate?.(d.name);
      const at = loc ? ` at ${loc.file}:${loc.line}` : '';
      out.push({
        rule: 'map-pinning',
        message:
          `map ${d.name}${at} asks to be pinned (__uint(pinning, ${d.pinning === 1 ? 'LIBBPF_PIN_BY_NAME' : d.pinning})); ` +
          'the playground never pins: a pin would reuse (read and overwrite) a map other software pinned under that name in /sys/fs/bpf, ' +
          'and would outlive the run. Remove the pinning line; the map lives as long as the run.',
        ...(loc ? { location: loc } : {}),
      });
    }
  }
  return out;
}

/**
 * Every map libbpf will create for these definitions, with the sizes the playground sets as the
 * loader: each map, and the inner template of each map-in-map (libbpf creates it to give the kernel
 * the inner shape, so it allocates its memory too).
 */
export function mapShapes(defs: readonly MapDefinition[], sizes: Record<string, MapSize> = {}): MapShape[] {
  const shape = (d: MapDefinition, size: MapSize = {}, valueSize = 0): MapShape => ({
    name: d.name,
    type: d.type === undefined ? 'unspec' : mapTypeName(d.type),
    keySize: size.keySize ?? d.keySize ?? 0,
    valueSize: size.valueSize ?? d.valueSize ?? valueSize,
    maxEntries: size.maxEntries ?? d.maxEntries ?? 0,
  });
  return defs.flatMap((d) => {
    // libbpf gives a map-in-map a 4-byte value (the inner map's fd) when the definition has none.
    const outer = shape(d, sizes[d.name], d.inner ? 4 : 0);
    return d.inner ? [outer, shape(d.inner)] : [outer];
  });
}

/** CPUs the kernel sizes per-CPU maps for (/sys/devices/system/cpu/possible, e.g. `0-3`). */
export function possibleCpus(): number {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    return text.split(',').reduce((n, part) => {
      const [a, b] = part.split('-').map(Number);
      return n + (b === undefined ? 1 : b - a! + 1);
    }, 0);
  } catch {
    return cpus().length;
  }
}
