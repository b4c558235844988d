import type { BpfObject } from '@bpfplay/libbpf';
import { loadObject } from '../load/loader.js';
import { decodersFor } from '../stream/decoders.js';
import { openSources } from '../stream/sources.js';
import type { RunSpec } from './ipc.js';

/**
 * A runner waiting in the pool loads a small program once (load only, never attached) and opens
 * its streams, then closes everything: libbpf's kernel feature probes are cached per process and
 * every JS function on the load path gets compiled, so the user's run does not pay for either.
 * Measured on warm runs of hello-world: open + load took ~13 ms in a runner that had never loaded
 * anything. Best effort: a warm-up that fails changes nothing.
 */
export function warmUp(object: Uint8Array): void {
  let obj: BpfObject | undefined;
  try {
    const spec = { object, objectName: 'warmup', skip: {}, params: {} } as unknown as RunSpec;
    obj = loadObject({ object, objectName: 'warmup', skip: {} }, () => {});
    const d = decodersFor(obj, spec);
    for (const s of openSources(obj, d.records, () => 0)) s.close();
  } catch {
    // Nothing to report: the real run will say what is wrong, if anything is.
  } finally {
    obj?.close();
  }
}
