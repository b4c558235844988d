import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { AGENT_ROOT } from '../../src/config.js';

/**
 * The runner bundle stays small: every runner process parses all of it when it starts, and 50
 * learners pressing Run start ~7 of them on two cores (bench figure 4). With the protocol's index
 * it carried every zod schema: 1.06 MB, ~0.35 s of CPU to start; through `@bpfplay/protocol/decoding`
 * it is ~250 KB and ~0.15 s. Built as build.mjs builds it.
 */
describe('runner bundle', () => {
  it('leaves out the message schemas (no zod)', async () => {
    const r = await build({
      entryPoints: [join(AGENT_ROOT, 'src/runner/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['koffi', 'bufferutil', 'utf-8-validate'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((p) => p.includes('node_modules/zod/'))).toEqual([]);
    // The protocol's schema modules (client, server, …) stay out too; only its decoding half is in.
    expect(inputs.filter((p) => /packages\/protocol\/src\/(client|server|index)\.ts$/.test(p))).toEqual([]);
    const bytes = r.outputFiles.reduce((n, f) => n + f.contents.length, 0);
    expect(bytes).toBeLessThan(400 * 1024);
  });
});
