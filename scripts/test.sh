#!/usr/bin/env bash
# Install what is needed, then run every test: types, unit tests, kernel integration tests (real
# kernel, real clang), and the end-to-end browser tests (real Chromium, real web app, real agent).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

echo "test: type checks"
npx turbo run check-types --output-logs=errors-only
# One workspace at a time: the kernel tests of different packages load BPF programs and check that
# none are left behind; running them side by side on 2 cores would only make them slower.
echo "test: unit and kernel integration tests"
npx turbo run test --concurrency=1
echo "test: all passed"
