// Bundles the agent CLI, the runner entry and the sandbox spawner with esbuild: Node starts a bundle in a fraction of the
// time it takes to resolve hundreds of TS modules, which matters for the runner pool and the CLI.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: {
    cli: join(root, 'src/cli.ts'),
    runner: join(root, 'src/runner/main.ts'),
    spawner: join(root, 'src/compile/spawner-main.ts'),
  },
  outdir: join(root, 'dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // koffi is native; ws's optional native speedups are resolved at run time when present.
  external: ['koffi', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __bpfplayRequire } from 'node:module'; const require = __bpfplayRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
