import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { BASE_FLAGS, CLANG, DEFAULT_INCLUDE_DIR, PRELUDE_NAME } from '../../apps/agent/src/compile/toolchain.js';

/**
 * The agent's clang flags with the sandbox's /bpfplay paths turned into this machine's, and the
 * prelude's PCH built with them into `work`: the reference figures 4 and 5 compare the agent with
 * (the same compile, no sandbox).
 */
export function bareToolchain(work: string, vmlinuxHeader: string): { flags: string[]; pch: string } {
  const flags = BASE_FLAGS.map((f) =>
    f.startsWith('-I/bpfplay/include')
      ? `-I${DEFAULT_INCLUDE_DIR}`
      : f.startsWith('-I/bpfplay/gen')
        ? `-I${dirname(vmlinuxHeader)}`
        : f,
  );
  const pch = join(work, 'prelude.pch');
  execFileSync(CLANG, [...flags, '-x', 'c-header', join(DEFAULT_INCLUDE_DIR, PRELUDE_NAME), '-o', pch]);
  return { flags, pch };
}
