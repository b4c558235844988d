import { bpf, errno } from './native.js';
import { LibbpfError } from './errors.js';
import { NativeBuffer } from './memory.js';

/**
 * BPF_PROG_TEST_RUN through libbpf's `bpf_prog_test_run_opts`: the kernel runs a loaded program on a
 * packet we give it (XDP, tc/skb, socket filter, flow dissector), `repeat` times, without attaching it
 * anywhere. `struct bpf_test_run_opts` of libbpf 1.4 is 80 bytes on x86_64; it is written by offset
 * here (koffi structs cannot hold the pointers we own), `sz` telling libbpf how much of it we know.
 */
const OPTS_SIZE = 80;
const OFF = {
  sz: 0,
  dataIn: 8,
  dataOut: 16,
  dataSizeIn: 24,
  dataSizeOut: 28,
  retval: 56,
  repeat: 60,
  duration: 64,
} as const;

export interface TestRunResult {
  /** The program's return value (XDP_PASS = 2, TC_ACT_OK = 0, a socket filter's bytes to keep...). */
  retval: number;
  /** The packet after the program ran (the kernel's copy, possibly rewritten or resized). */
  dataOut: Uint8Array;
  /** Average nanoseconds per repetition, measured by the kernel. */
  durationNs: number;
}

/** Room for the output packet: XDP may grow the packet into its headroom and tailroom. */
const OUT_SLACK = 4096;

export function progTestRun(progFd: number, packet: Uint8Array, repeat: number): TestRunResult {
  const dataIn = NativeBuffer.from(packet);
  const dataOut = NativeBuffer.alloc(packet.length + OUT_SLACK);
  const opts = NativeBuffer.alloc(OPTS_SIZE);
  try {
    const o = opts.view();
    const v = new DataView(o.buffer, o.byteOffset, o.byteLength);
    v.setBigUint64(OFF.sz, BigInt(OPTS_SIZE), true);
    v.setBigUint64(OFF.dataIn, dataIn.address, true);
    v.setBigUint64(OFF.dataOut, dataOut.address, true);
    v.setUint32(OFF.dataSizeIn, packet.length, true);
    v.setUint32(OFF.dataSizeOut, dataOut.size, true);
    v.setInt32(OFF.repeat, repeat, true);
    const r = bpf.prog_test_run_opts(progFd, opts.address);
    if (r < 0) throw new LibbpfError('bpf_prog_test_run_opts', -r || errno());
    const outLen = Math.min(v.getUint32(OFF.dataSizeOut, true), dataOut.size);
    return {
      retval: v.getUint32(OFF.retval, true),
      dataOut: Uint8Array.from(dataOut.view().subarray(0, outLen)),
      durationNs: v.getUint32(OFF.duration, true),
    };
  } finally {
    dataIn.free();
    dataOut.free();
    opts.free();
  }
}
