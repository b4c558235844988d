import { openObjectSpec } from '@bpfplay/btf';
import type { BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE } from '@bpfplay/libbpf';
import { writeParams } from '../load/params.js';
import type { RunDecoders } from '../runner/host-run.js';
import type { RunSpec } from '../runner/ipc.js';
import { BtfMapDecoder, BtfRecordDecoder } from './btf-decoder.js';
import { hexMapDecoder } from './maps.js';
import { hexDecoder, PRINTK_MAP } from './sources.js';

/**
 * Decoders for one object, from the BTF in its ELF (the same bytes libbpf loads). An object built
 * without BTF still runs: its records and maps are shown as hex, and parameters cannot be set.
 */
export function decodersFor(obj: Pick<BpfObject, 'maps'>, spec: RunSpec): RunDecoders {
  const btf = openObjectSpec(spec.object, spec.objectName).btf;
  const binary = spec.eventFormat === 'binary';
  if (!btf) {
    return {
      records: binary ? { ...hexDecoder, binary } : hexDecoder,
      maps: hexMapDecoder,
      schemas: [],
      configure: () =>
        Object.keys(spec.params).length
          ? ['the object has no BTF (compiled without -g): parameters cannot be set']
          : [],
    };
  }
  const sources = obj
    .maps()
    .filter((m) => (m.type === MAP_TYPE.ringbuf || m.type === MAP_TYPE.perf_event_array) && m.name !== PRINTK_MAP)
    .map((m) => m.name);
  const records = new BtfRecordDecoder(btf, sources, binary);
  return {
    records,
    maps: new BtfMapDecoder(btf),
    schemas: records.schemas,
    configure: (o) => {
      if (!Object.keys(spec.params).length) return [];
      const rodata = o
        .maps()
        .find((m) => m.name.endsWith('.rodata'))
        ?.initialValue();
      if (!rodata) return ['the program has no const volatile globals (.rodata): parameters ignored'];
      return writeParams(btf, rodata, spec.params);
    },
  };
}
