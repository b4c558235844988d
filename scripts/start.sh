#!/usr/bin/env bash
# Install what is needed, then start the agent and the web app and print the one URL to open.
# Ctrl-C stops both; the agent releases every BPF program it loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

HOST=${BPFPLAY_HOST:-127.0.0.1}
WEB_PORT=${BPFPLAY_WEB_PORT:-3000}
AGENT_PORT=${BPFPLAY_AGENT_PORT:-7100}
WEB_URL="http://${HOST}:${WEB_PORT}"
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd apps/web && PORT="$WEB_PORT" HOST="$HOST" npm run -s start) &
pids+=($!)
node scripts/bpfplay.mjs agent --host "$HOST" --port "$AGENT_PORT" --web-url "$WEB_URL" &
pids+=($!)
wait -n "${pids[@]}"
