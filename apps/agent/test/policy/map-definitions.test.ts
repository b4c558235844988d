import type { MapDefinition } from '@bpfplay/btf';
import { describe, expect, it } from 'vitest';
import { checkMapDefinitions, mapLocator, mapShapes } from '../../src/policy/map-definitions.js';

const def = (name: string, more: Partial<MapDefinition> = {}): MapDefinition => ({
  name,
  varId: 1,
  tags: [],
  type: 2, // BPF_MAP_TYPE_ARRAY
  keySize: 4,
  valueSize: 8,
  maxEntries: 16,
  ...more,
});

const source = `struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__array(values, struct { __uint(pinning, LIBBPF_PIN_BY_NAME); });
} outer SEC(".maps");
struct { __uint(pinning, LIBBPF_PIN_BY_NAME); }
	counts SEC(".maps");
`;

describe('map definitions', () => {
  it('refuses pinning on maps and inner templates, at the line that defines the map', () => {
    const locate = mapLocator([{ name: 'm.bpf.c', content: source }]);
    const v = checkMapDefinitions(
      [
        def('outer', { type: 12, inner: def('outer.inner', { pinning: 1 }) }),
        def('counts', { pinning: 1 }),
        def('fine', { pinning: 0 }),
      ],
      locate,
    );
    expect(v.map((x) => [x.rule, x.location?.line])).toEqual([
      ['map-pinning', 4],
      ['map-pinning', 6],
    ]);
    expect(v[1]!.message).toMatch(
      /^map counts at m\.bpf\.c:6 asks to be pinned \(__uint\(pinning, LIBBPF_PIN_BY_NAME\)\)/,
    );
  });

  it('lists every map libbpf will create, inner templates included, with the loader sizes applied', () => {
    const shapes = mapShapes(
      [
        def('outer', { type: 12, valueSize: undefined, inner: def('outer.inner', { maxEntries: 1 << 19 }) }),
        def('h', { type: 1, maxEntries: undefined }),
      ],
      { h: { maxEntries: 10240 } },
    );
    expect(shapes).toEqual([
      { name: 'outer', type: 'array_of_maps', keySize: 4, valueSize: 4, maxEntries: 16 },
      { name: 'outer.inner', type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 << 19 },
      { name: 'h', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 10240 },
    ]);
  });
});
