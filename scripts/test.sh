#!/usr/bin/env bash
# Install what is needed, then run every test: types, unit tests, kernel integration tests (real
# kernel, real clang), and the end-to-end browser tests (real Chromium, real web app, real agent).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

echo "test: type checks, project lint, Prettier and ESLint"
npx turbo run check-types --output-logs=errors-only
npm run -s lint
# One workspace at a time: the kernel tests of different packages load BPF programs and check that
# none are left behind; running them side by side on 2 cores would only make them slower.
echo "test: unit, kernel integration and browser (e2e) tests"
# --continue: one failing workspace must not hide the results of the others.
# --only: setup.sh has just built everything, and `next build` rewrites files turbo hashes, so
# letting `test` depend on `build` would build the web app a second time. The e2e specs serve the
# build setup.sh made (.next) instead of building their own.
BPFPLAY_E2E_DIST_DIR=.next npx turbo run test --only --concurrency=1 --continue
echo "test: all passed"
