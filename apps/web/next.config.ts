import type { NextConfig } from 'next';

const config: NextConfig = {
  // The protocol package is consumed as TypeScript source (its exports point at src/index.ts).
  transpilePackages: ['@bpfplay/protocol'],
  reactStrictMode: true,
  poweredByHeader: false,
  // `next dev` on 127.0.0.1 refuses HMR's WebSocket without this and reloads forever (measured).
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // The gallery reads bpf/ at request time; keep those files out of the output trace.
  outputFileTracingExcludes: { '*': ['../../bpf/**'] },
};

export default config;
