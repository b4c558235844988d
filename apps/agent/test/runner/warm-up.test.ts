import { describe, expect, it } from 'vitest';
import { compileBpf, kernelProgramIds } from '../../../../packages/libbpf/test/bpf-object.js';
import { WARMUP_SOURCE } from '../../src/runner/warm-up-source.js';
import { warmUp } from '../../src/runner/warm-up.js';

describe('runner warm-up', () => {
  it('loads the warm-up program and leaves nothing of it in the kernel', () => {
    const object = compileBpf(WARMUP_SOURCE, 'warmup');
    const before = kernelProgramIds('bpfplay_warmup');
    warmUp(new Uint8Array(object));
    expect(kernelProgramIds('bpfplay_warmup')).toEqual(before);
  });

  it('does nothing, and throws nothing, when the object is not one', () => {
    expect(() => warmUp(new Uint8Array([1, 2, 3]))).not.toThrow();
  });
});
