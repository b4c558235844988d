#!/usr/bin/env bash
# Installs everything bpfplay needs on a Debian 12 machine, idempotently: Debian packages (clang-19,
# libbpf and bpftool from bookworm-backports, bubblewrap, chromium...), the kernel filesystems the agent uses, npm packages, and
# the builds. Safe to run again: each step is skipped when already done. Needs root (apt, mount, BPF).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (it installs Debian packages, and the agent loads BPF programs)" >&2
  exit 1
fi

# Extra Debian suites, written in this one place for every part of bpfplay that needs one. Adding a suite
# changes no installed version: bookworm-backports is NotAutomatic (apt takes from it only what is named
# with -t), and bullseye is pinned below bookworm so it only serves packages bookworm does not have.
#   bookworm-backports: libbpf 1.4 + bpftool 7.5 (below); the 6.12 cloud kernel for the kernel matrix.
#   bullseye:           the 5.10 cloud kernel for the kernel matrix (apt-get download only).
EXTRA_SOURCES=/etc/apt/sources.list.d/bpfplay.sources
EXTRA_PINS=/etc/apt/preferences.d/bpfplay
extra_sources='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
'
extra_pins='Package: *
Pin: release n=bullseye
Pin-Priority: 100
'
apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { apt-get update -q; apt_updated=1; }; }
if [ "$(cat "$EXTRA_SOURCES" 2>/dev/null)" != "${extra_sources%$'\n'}" ] || [ "$(cat "$EXTRA_PINS" 2>/dev/null)" != "${extra_pins%$'\n'}" ]; then
  log "adding Debian suites bookworm-backports and bullseye (opt-in per package)"
  printf '%s' "$extra_pins" >"$EXTRA_PINS"
  printf '%s' "$extra_sources" >"$EXTRA_SOURCES"
  apt_update
fi
export DEBIAN_FRONTEND=noninteractive

# clang-19/llvm-19: compiler and objdump; clangd-19: the editor's completion, hover and live diagnostics; bubblewrap + util-linux (setpriv, prlimit): the compile sandbox;
# iproute2 + iputils-ping: veths for XDP/tc and traffic through them; lz4/zstd/xz + python3: scripts/kernels.sh;
# busybox-static + libelf-dev/zlib1g-dev/libzstd-dev: the kernel matrix's guest (apps/agent/guest/build.sh);
# chromium: the e2e browser; bpftrace: the benchmark's reference.
# openssl: the many-agents test makes a throwaway certificate for TLS between web app and agents.
# postgresql: the snippet store's tests also run against a real PostgreSQL, a throwaway cluster they
# initdb and start themselves (packages/share/test/globalSetup.ts).
PACKAGES=(clang-19 clangd-19 llvm-19 bubblewrap util-linux iproute2 iputils-ping lz4 zstd xz-utils python3 chromium bpftrace ca-certificates busybox-static libelf-dev zlib1g-dev libzstd-dev openssl postgresql)
# Debian's postgresql package would create and start a system cluster ("main", port 5432) that
# nothing here uses; postgresql-common reads this folder before creating one, so say no first.
NO_MAIN_CLUSTER=/etc/postgresql-common/createcluster.d/bpfplay.conf
if [ "$(cat "$NO_MAIN_CLUSTER" 2>/dev/null)" != "create_main_cluster = false" ]; then
  mkdir -p "$(dirname "$NO_MAIN_CLUSTER")"
  echo "create_main_cluster = false" >"$NO_MAIN_CLUSTER"
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt_update
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

# From bookworm-backports, these packages alone: libbpf1 (the loader, via koffi) and libbpf-dev (bpf_helpers.h
# & co) 1.4, bpftool 7.5 (vmlinux.h from BTF). Programs written today use libbpf 1.2+ macros (BPF_UPROBE,
# BPF_KSYSCALL, bpf_ksym_exists) that bookworm's libbpf 1.1.2 lacks. Named as pkg/bookworm-backports rather
# than with -t: -t raises the whole suite for the transaction and also upgrades linux-libc-dev and linux-perf
# (measured with apt-get -s); pkg/suite takes only these three and resolves their dependencies from bookworm.
# qemu 10 for the kernel matrix's microVMs: bookworm's qemu 7.2 corrupts EFLAGS around cmpxchg16b
# under TCG (measured: Debian's 6.12 kernel oopsed in SLUB in 1 of 3 boots, EFLAGS with TF set);
# qemu 10.0 booted every kernel cleanly in 9 of 9 boots.
BACKPORTS=("libbpf1 1:1.4" "libbpf-dev 1:1.4" "bpftool 7.5" "qemu-system-x86 1:10" "qemu-system-common 1:10" "qemu-system-data 1:10" "seabios 1.16.3")
old=()
for entry in "${BACKPORTS[@]}"; do
  read -r p min <<<"$entry"
  # dpkg-query exits 1 for a package apt has never seen (a fresh machine): that is "not installed", not a failure.
  v=$({ dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true; } | sed -n 's/^install ok installed //p')
  { [ -n "$v" ] && dpkg --compare-versions "$v" ge "$min"; } || old+=("$p")
done
if [ ${#old[@]} -gt 0 ]; then
  log "installing from bookworm-backports: ${old[*]}"
  apt_update
  apt-get install -y -q --no-install-recommends "${old[@]/%//bookworm-backports}"
else
  log "libbpf 1.4 and bpftool 7.5 (bookworm-backports) present"
fi

# The compile sandbox (clang, llvm-objdump, clangd) runs as this user and no other process does:
# not `nobody`, whose other processes could reach the sandbox's output files and share its process
# limit. No login, no home. The agent refuses to start without it.
if ! id -u bpfplay-sandbox >/dev/null 2>&1; then
  log "creating the compile sandbox's user bpfplay-sandbox"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bpfplay-sandbox
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
# The kernel matrix: Debian's 5.10/6.1/6.12 cloud kernels (also the CO-RE pane's other kernels), and
# the guest that runs objects on them (a static loader + busybox initramfs per kernel).
./scripts/kernels.sh
apps/agent/guest/build.sh || echo "setup: the kernel-matrix guest did not build; runs on the host still work" >&2

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
