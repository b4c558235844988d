#!/usr/bin/env bash
# Installs everything bpfplay needs on a Debian 12 machine, idempotently: Debian packages (clang-19,
# libbpf, bpftool, bubblewrap, chromium...), the kernel filesystems the agent uses, npm packages, and
# the builds. Safe to run again: each step is skipped when already done. Needs root (apt, mount, BPF).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (it installs Debian packages, and the agent loads BPF programs)" >&2
  exit 1
fi

# clang-19/llvm-19: compiler and objdump; libbpf-dev: bpf_helpers.h & co; libbpf1: the loader (via koffi);
# bpftool: vmlinux.h from BTF; bubblewrap + util-linux (setpriv, prlimit): the compile sandbox;
# iproute2 + iputils-ping: veths for XDP/tc and traffic through them; lz4 + python3: scripts/core-targets.sh; chromium: the e2e browser; bpftrace: the benchmark's reference.
PACKAGES=(clang-19 llvm-19 libbpf-dev libbpf1 bpftool bubblewrap util-linux iproute2 iputils-ping lz4 python3 chromium bpftrace ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

# libbpf attaches tracepoints through tracefs; bpffs is mounted for bpftool's sake (the agent never pins).
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

if [ ! -e /sys/kernel/btf/vmlinux ]; then
  echo "setup: this kernel has no BTF (/sys/kernel/btf/vmlinux); bpfplay needs CONFIG_DEBUG_INFO_BTF=y" >&2
  exit 1
fi

# Another kernel's BTF for the CO-RE explorer's "check against another kernel".
./scripts/core-targets.sh

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci only when the lock changed since the last install: it wipes node_modules, which takes a while.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  NEXT_TELEMETRY_DISABLED=1 npm ci --no-audit --no-fund
else
  log "npm packages up to date"
fi

log "building (agent bundle, web app)"
export TURBO_TELEMETRY_DISABLED=1
NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 npx turbo run build --output-logs=errors-only
log "ready"
