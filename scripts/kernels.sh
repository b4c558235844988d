#!/usr/bin/env bash
# Fetches the kernels of the kernel matrix from Debian's packages into the kernel cache, idempotently:
# Debian's cloud kernels 5.10 (bullseye), 6.1 (bookworm) and 6.12 (bookworm-backports), each with
# `apt-get download` + `dpkg-deb -x` (nothing is installed). Per kernel it keeps what a microVM and the
# CO-RE checks need, in $BPFPLAY_KERNELS_DIR/<name>/ (default /var/cache/bpfplay/kernels, shared by every
# checkout on the machine):
#   vmlinux      the uncompressed ELF kernel: qemu's microvm boots it through its PVH entry, which skips
#                the bzImage's decompression (measured here: ~0.3 s of TCG time per boot)
#   btf          its raw BTF (.BTF), what /sys/kernel/btf/vmlinux would give on that kernel
#   config       its build configuration (the agent reads the highlights from it: BTF, kprobes, ...)
#   System.map   its symbols: guests boot with nokaslr, so stack traces from a guest resolve with it
#   modules/     the virtio modules microvm's devices need (virtio_mmio, virtio_console...), decompressed,
#                in load order: in Debian's configs they are modules, not built in
#   kernel.json  name, release, package and version (written last: its presence means "complete")
# A kernel that cannot be fetched costs a warning, not the setup: the agent lists the kernels it finds.
# The extra Debian suites come from setup.sh (one place for them).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${BPFPLAY_KERNELS_DIR:-/var/cache/bpfplay/kernels}
# name  suite  (the metapackage linux-image-cloud-amd64 of that suite names the kernel package)
KERNELS=("5.10 bullseye" "6.1 bookworm" "6.12 bookworm-backports")
# Load order: each module's dependencies first. Missing ones are built into that kernel.
MODULES=(virtio_ring virtio virtio_mmio virtio_console)

log() { printf '\033[1mkernels:\033[0m %s\n' "$*"; }
warn() { echo "kernels: $* (the kernel matrix goes without it)" >&2; }

# The payload of a bzImage: find the compressor's magic and decompress from there.
extract_vmlinux() {
  python3 - "$1" "$2" <<'PY'
import subprocess, sys
data = open(sys.argv[1], 'rb').read()
for magic, cmd in [('02214c18', ['lz4', '-dc']), ('28b52ffd', ['zstd', '-dcq']), ('fd377a585a00', ['xz', '-dc']), ('1f8b0800', ['gzip', '-dc'])]:
    i = data.find(bytes.fromhex(magic))
    if i < 0:
        continue
    r = subprocess.run(cmd, input=data[i:], capture_output=True)
    if r.stdout[:4] == b'\x7fELF':
        open(sys.argv[2], 'wb').write(r.stdout)
        sys.exit(0)
sys.exit(1)
PY
}

fetch() {
  local name=$1 suite=$2 dir="$out/$1"
  [ -s "$dir/kernel.json" ] && [ -s "$dir/System.map" ] && return 0
  local work
  work=$(mktemp -d)
  chmod 755 "$work"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  (cd "$work" && apt-get download -q "linux-image-cloud-amd64/$suite" >/dev/null 2>&1) ||
    { warn "$name: no linux-image-cloud-amd64 in $suite (is the suite in the apt sources? run setup.sh)"; return 0; }
  local pkg version
  pkg=$(dpkg-deb -f "$work"/linux-image-cloud-amd64_*.deb Depends | grep -o 'linux-image-[^ ,]*' | head -1)
  version=$(dpkg-deb -f "$work"/linux-image-cloud-amd64_*.deb Depends | sed -n 's/.*(= \([^)]*\)).*/\1/p' | head -1)
  [ -n "$pkg" ] && [ -n "$version" ] || { warn "$name: cannot tell the kernel package of linux-image-cloud-amd64/$suite"; return 0; }
  (cd "$work" && apt-get download -q "$pkg=$version" >/dev/null 2>&1) || { warn "$name: could not download $pkg $version"; return 0; }
  dpkg-deb -x "$work/${pkg}_"*.deb "$work/x" || { warn "$name: could not unpack $pkg"; return 0; }
  local vmlinuz release
  vmlinuz=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -1)
  [ -n "$vmlinuz" ] || { warn "$name: $pkg has no vmlinuz"; return 0; }
  release=${vmlinuz##*/vmlinuz-}
  local tmp="$dir.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp/modules"
  extract_vmlinux "$vmlinuz" "$tmp/vmlinux" || { warn "$name: could not decompress $vmlinuz"; return 0; }
  llvm-objcopy-19 --dump-section .BTF="$tmp/btf" "$tmp/vmlinux" /dev/null || { warn "$name: no .BTF section"; return 0; }
  cp "$work/x/boot/config-$release" "$tmp/config"
  cp "$work/x/boot/System.map-$release" "$tmp/System.map"
  local i=0 m f
  for m in "${MODULES[@]}"; do
    f=$(find "$work/x/lib/modules/$release/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -1)
    [ -n "$f" ] || continue # built in
    i=$((i + 1))
    case "$f" in
      *.xz) xz -dc "$f" >"$tmp/modules/$i-$m.ko" ;;
      *.zst) zstd -dcq "$f" >"$tmp/modules/$i-$m.ko" ;;
      *) cp "$f" "$tmp/modules/$i-$m.ko" ;;
    esac
  done
  printf '{"name":"%s","release":"%s","package":"%s","version":"%s","suite":"%s"}\n' \
    "$name" "$release" "$pkg" "$version" "$suite" >"$tmp/kernel.json"
  rm -rf "$dir" && mv "$tmp" "$dir"
  log "$name: $release from $pkg $version ($(du -sh "$dir" | cut -f1))"
}

mkdir -p "$out"
for entry in "${KERNELS[@]}"; do
  read -r name suite <<<"$entry"
  fetch "$name" "$suite"
done
