// Bundles the web server (server/main.ts) to dist/server.mjs. The workspace packages are
// TypeScript source and are bundled in; every npm package stays external and is loaded from
// node_modules at run time (next, ws, the better-sqlite3 addon, zod).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: { server: join(here, 'main.ts') },
  outdir: join(here, '..', 'dist'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@bpfplay/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
