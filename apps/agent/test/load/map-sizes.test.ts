import { describe, expect, it } from 'vitest';
import type { MapDefinition } from '@bpfplay/btf';
import { MAP_TYPE } from '@bpfplay/libbpf/names';
import { knobValues, LOADER_DEFAULTS, sizeMaps } from '../../src/load/map-sizes.js';

const def = (name: string, type: string, extra: Partial<MapDefinition> = {}): MapDefinition => ({
  name,
  varId: 1,
  type: MAP_TYPE[type],
  tags: [],
  ...extra,
});

describe('map sizes the playground sets as the loader', () => {
  it('gives a hash map without max_entries 10240 entries, with a warning naming it', () => {
    const r = sizeMaps([def('start', 'hash', { keySize: 4, valueSize: 8, valueTypeId: 3 })], {});
    expect(r.sizes).toEqual({ start: { maxEntries: LOADER_DEFAULTS.maxEntries } });
    expect(r.warnings).toEqual([
      "map start (hash) leaves a size to the program's loader: the playground sets max_entries 10240; change with --param map.start.max_entries=N or in Params",
    ]);
    expect(r.params).toEqual([
      {
        name: 'map.start.max_entries',
        type: 'u32',
        value: 10240,
        loader: { map: 'start', field: 'max_entries', why: 'hash map start declares no max_entries' },
      },
    ]);
  });

  it('gives a stack-trace map with only key_size 10240 stacks of 127 frames', () => {
    const r = sizeMaps([def('stackmap', 'stack_trace', { keySize: 4 })], {});
    expect(r.sizes).toEqual({ stackmap: { maxEntries: 10240, valueSize: 127 * 8 } });
    expect(r.params.map((p) => p.name)).toEqual(['map.stackmap.max_entries', 'map.stackmap.value_size']);
    expect(r.warnings[0]).toMatch(
      /map stackmap \(stack_trace\) leaves its sizes .* max_entries 10240 and value_size 1016 \(127 frames of u64\)/,
    );
  });

  it('leaves maps that say their sizes, perf event arrays and local storage alone', () => {
    const r = sizeMaps(
      [def('counts', 'hash', { maxEntries: 64 }), def('events', 'perf_event_array'), def('store', 'task_storage')],
      {},
    );
    expect(r).toEqual({ sizes: {}, params: [], warnings: [] });
  });

  it('takes --param map.<name>.max_entries for any map, and shows the value in params', () => {
    const r = sizeMaps([def('start', 'hash'), def('counts', 'hash', { maxEntries: 64 })], {
      'map.start.max_entries': 4096,
      'map.counts.max_entries': '128',
    });
    expect(r.sizes).toEqual({ start: { maxEntries: 4096 }, counts: { maxEntries: 128 } });
    expect(r.params[0]?.value).toBe(4096);
  });

  it('says why an override cannot be applied and keeps the default', () => {
    const r = sizeMaps(
      [def('start', 'hash', { valueTypeId: 7, valueSize: 8 }), def('st', 'stack_trace', { keySize: 4 })],
      {
        'map.nope.max_entries': 1,
        'map.start.max_entries': -3,
        'map.start.value_size': 16,
        'map.st.value_size': 12,
        'map.start.flags': 1,
      },
    );
    expect(r.sizes.start).toEqual({ maxEntries: 10240 });
    expect(r.sizes.st).toEqual({ maxEntries: 10240, valueSize: 1016 });
    expect(r.warnings.slice(2)).toEqual([
      'parameter map.nope.max_entries: the program has no map named nope (maps: start, st)',
      'parameter map.start.max_entries: -3 is not a size (an integer from 1 to 4294967295)',
      'parameter map.start.value_size: map start declares its value type, which fixes value_size; only maps declared with __uint(value_size, ...) or none can be resized',
      'parameter map.st.value_size: a stack_trace value is an array of u64 frames; 12 is not a multiple of 8',
      'parameter map.start.flags: map sizes are written map.<map>.max_entries or map.<map>.value_size',
    ]);
  });

  it('keeps map sizes out of the const volatile values', () => {
    expect(knobValues({ targ_pid: 4, 'map.start.max_entries': 8 })).toEqual({ targ_pid: 4 });
  });
});
