import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/harness/global-setup.ts'],
    // Kernel tests load real programs and compile with real clang: one file at a time on 2 cores.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
