import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './lib/web-app';

/**
 * Specs run against the real web app (next build + next start) and the real agent, both started by
 * global-setup.ts unless BPFPLAY_WEB_URL, BPFPLAY_AGENT_URL and BPFPLAY_TOKEN name running ones.
 * The browser is Debian's chromium: nothing is downloaded.
 */
export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  globalSetup: './lib/global-setup.ts',
  // One agent, one kernel: runs share the trace buffer and the CPU; keep them one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.BPFPLAY_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
});
