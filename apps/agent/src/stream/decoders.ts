import type { BpfObject } from '@bpfplay/libbpf';
import type { RunDecoders } from '../runner/host-run.js';
import type { RunSpec } from '../runner/ipc.js';
import { hexMapDecoder } from './maps.js';
import { hexDecoder } from './sources.js';

/** Decoders for one loaded object. */
export function decodersFor(_obj: BpfObject, spec: RunSpec): RunDecoders {
  return {
    records: hexDecoder,
    maps: hexMapDecoder,
    configure: () =>
      Object.keys(spec.params).length ? ['parameters are not applied yet: BTF decoding is not wired in'] : [],
  };
}
