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

# One token for this start, made here so the web server's room relay can hold it too (learners in a
# room reach the agent through the web server and never see it). Passed by environment, never on a
# command line (visible in ps); the agent drops it from the environment its children inherit.
TOKEN=${BPFPLAY_TOKEN:-$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('base64url'))")}

# The relay connects from this host (to the agent's own address; loopback when it listens on all)
# and names each learner in X-Bpfplay-Client, which the agent
# believes only from a --trust-proxy address (its per-client session cap then applies per learner).
case "$HOST" in 0.0.0.0 | :: | '[::]') RELAY_HOST=127.0.0.1 ;; *) RELAY_HOST=$HOST ;; esac
(cd apps/web && PORT="$WEB_PORT" HOST="$HOST" BPFPLAY_AGENT_URL="ws://${RELAY_HOST}:${AGENT_PORT}/ws" \
  BPFPLAY_AGENT_TOKEN="$TOKEN" npm run -s start) &
pids+=($!)
BPFPLAY_TOKEN="$TOKEN" node scripts/bpfplay.mjs agent --host "$HOST" --port "$AGENT_PORT" --web-url "$WEB_URL" \
  --trust-proxy "$RELAY_HOST" &
pids+=($!)
wait -n "${pids[@]}"
