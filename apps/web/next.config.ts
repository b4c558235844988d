import type { NextConfig } from 'next';

const config: NextConfig = {
  // The protocol package is consumed as TypeScript source (its exports point at src/index.ts).
  transpilePackages: ['@bpfplay/protocol'],
  reactStrictMode: true,
  // The e2e run builds into its own folder so a `turbo build` running at the same time (which
  // takes the .next lock) cannot make it fail or serve a half-written build.
  distDir: process.env.BPFPLAY_NEXT_DIST_DIR ?? '.next',
  poweredByHeader: false,
  // `next dev` on 127.0.0.1 refuses HMR's WebSocket without this and reloads forever (measured).
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // Internal packages are TypeScript source written for Node ESM: `import './client.js'` means
  // client.ts. Turbopack (next 16.4) cannot map that (vercel/next.js#82945), so the app builds with
  // webpack (`next build --webpack`) and this alias.
  experimental: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  // The gallery reads bpf/ at request time; keep those files out of the output trace.
  outputFileTracingExcludes: { '*': ['../../bpf/**'] },
};

export default config;
