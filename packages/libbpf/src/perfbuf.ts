import { bpf, koffi, PerfLostFn, PerfSampleFn } from './native.js';
import { checkPtr } from './errors.js';

/**
 * A perf event array consumer on top of libbpf's perf_buffer. Records arrive through a callback
 * during `consume()`, on this thread; `lost` reports what the kernel dropped per CPU, which is how
 * the user learns a perf buffer overflowed.
 */
export class PerfBufferReader {
  private pb: bigint | null;
  private readonly sampleCb: bigint;
  private readonly lostCb: bigint;
  private onSample: (cpu: number, data: Uint8Array) => void = () => {};
  private onLost: (cpu: number, count: number) => void = () => {};

  constructor(mapFd: number, pagesPerCpu = 64) {
    this.sampleCb = koffi.register((_ctx: bigint, cpu: number, data: bigint, size: number) => {
      this.onSample(cpu, new Uint8Array(koffi.view(data, size)));
    }, koffi.pointer(PerfSampleFn));
    this.lostCb = koffi.register((_ctx: bigint, cpu: number, cnt: bigint) => {
      this.onLost(cpu, Number(cnt));
    }, koffi.pointer(PerfLostFn));
    try {
      this.pb = checkPtr(
        'perf_buffer__new',
        bpf.perf_buffer_new(mapFd, pagesPerCpu, this.sampleCb, this.lostCb, null, null),
      );
    } catch (e) {
      koffi.unregister(this.sampleCb);
      koffi.unregister(this.lostCb);
      throw e;
    }
  }

  /** Deliver everything pending. The record view is only valid during `sample`. */
  consume(sample: (cpu: number, data: Uint8Array) => void, lost: (cpu: number, count: number) => void): void {
    if (this.pb === null) return;
    this.onSample = sample;
    this.onLost = lost;
    bpf.perf_buffer_consume(this.pb);
  }

  close(): void {
    if (this.pb === null) return;
    bpf.perf_buffer_free(this.pb);
    this.pb = null;
    koffi.unregister(this.sampleCb);
    koffi.unregister(this.lostCb);
  }
}
