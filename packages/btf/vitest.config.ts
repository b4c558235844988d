import { defineConfig } from 'vitest/config';

// These tests compile with the real clang and load into the real kernel: on a loaded 2-core machine one
// of them took longer than vitest's default 5 s (CI, 2026-12-04). A timeout is a hang detector here,
// not a speed assertion: speed is measured in bench/.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
