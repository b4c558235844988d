import type { NextConfig } from 'next';

const config: NextConfig = {
  // Internal packages are consumed as TypeScript source (their exports point at src/*.ts).
  transpilePackages: ['@bpfplay/protocol', '@bpfplay/share', '@bpfplay/nodes'],
  // Snippet storage: a native addon (SQLite) and node-postgres (whose optional pg-native require a
  // bundler cannot resolve), kept out of the server bundle and loaded with Node's require.
  serverExternalPackages: ['better-sqlite3', 'pg'],
  reactStrictMode: true,
  // The e2e run builds into its own folder so a `turbo build` running at the same time (which
  // takes the .next lock) cannot make it fail or serve a half-written build.
  distDir: process.env.BPFPLAY_NEXT_DIST_DIR ?? '.next',
  poweredByHeader: false,
  // `next dev` on 127.0.0.1 refuses HMR's WebSocket without this and reloads forever (measured).
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // Internal packages import each other without file extensions: Turbopack (next 16.4) cannot map
  // Node-ESM style `./client.js` to client.ts (vercel/next.js#82945), and builds ~2.5x faster than webpack.
  // The gallery reads bpf/ at request time; keep those files out of the output trace.
  outputFileTracingExcludes: { '*': ['../../bpf/**'] },
};

export default config;
