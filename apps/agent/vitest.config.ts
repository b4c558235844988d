import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: tests that need neither root nor this kernel's BPF (parsers, policies,
 * queues, frame formats; a few compile a fixture with the real clang as any user can), so
 * `npx vitest run --project unit` works on any checkout. `kernel`: everything else — real agents,
 * the compile sandbox, programs loaded into this kernel, qemu guests — as root. `npm test` runs both.
 * A new test file lands in `kernel` until it is listed here, so nothing that needs root runs without it.
 */
const UNIT = [
  'test/attach/target-file.test.ts',
  'test/cli/token-source.test.ts',
  'test/co-re/uploads.test.ts',
  'test/compile/queue.test.ts',
  'test/export/c-names.test.ts',
  'test/guest/accel.test.ts',
  'test/guest/wire.test.ts',
  'test/lesson/judge.test.ts',
  'test/load/broken-examples.test.ts',
  'test/load/map-sizes.test.ts',
  'test/load/program-choice.test.ts',
  'test/load/verifier-log.golden.test.ts',
  'test/load/verifier-log.test.ts',
  'test/load/verifier-reasons.test.ts',
  'test/lsp/units.test.ts',
  'test/policy/audit-log.test.ts',
  'test/policy/check.test.ts',
  'test/policy/map-definitions.test.ts',
  'test/policy/map-quota.test.ts',
  'test/policy/policy-file.test.ts',
  'test/policy/uprobes.test.ts',
  'test/runner/frame-pipe.test.ts',
  'test/runner/bundle.test.ts',
  'test/runner/guest-pool.test.ts',
  'test/runner/pool.test.ts',
  'test/runner/ticker.test.ts',
  'test/server/client-key.test.ts',
  'test/server/connection.test.ts',
  'test/stream/btf-layout.test.ts',
  'test/stream/json-sink.test.ts',
  'test/stream/outbox.test.ts',
  'test/stream/record-json.test.ts',
  'test/stream/stacks.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 90_000,
    hookTimeout: 120_000,
    projects: [
      // Groups run one after the other: the unit files first (seconds), then the kernel files.
      { extends: true, test: { name: 'unit', include: UNIT, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'kernel',
          sequence: { groupOrder: 1 },
          exclude: [...configDefaults.exclude, ...UNIT],
          // The agent forks dist/runner.js and the CLI runs dist/cli.js: built from the current sources.
          globalSetup: ['./test/harness/global-setup.ts'],
          // One file at a time. Two at a time took 5 m 47 s instead of 9 m 50 s and passed twice, but a
          // third trial failed twice: matrix.test counts every qemu of this checkout (examples.test's
          // guests are such too), and a clang past its CPU limit under that load died by SIGABRT,
          // which the compile reports as a crash. Parallel again once both are made file-local.
          fileParallelism: false,
        },
      },
    ],
  },
});
