#!/usr/bin/env bash
# Extracts the BTF of Debian's 6.1 cloud kernel (from its Debian package) into var/btf/, so the CO-RE
# explorer can check a program against a kernel other than the running one. Idempotent; a failure
# here only means one fewer target, so it warns instead of stopping the setup.
set -uo pipefail
cd "$(dirname "$0")/.."
out_dir=${BPFPLAY_DATA_DIR:-$PWD/var}/btf
target="$out_dir/debian-6.1-cloud.btf"
[ -s "$target" ] && exit 0

warn() { echo "core-targets: $* (the CO-RE explorer still checks against this kernel)" >&2; exit 0; }
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$pkg" ] || warn "no linux-image-cloud-amd64 package in the apt sources"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1) || warn "could not download $pkg"
dpkg-deb -x "$work"/*.deb "$work/x" || warn "could not unpack $pkg"
vmlinuz=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -1)
[ -n "$vmlinuz" ] || warn "$pkg has no vmlinuz"
# Debian's 6.1 bzImage carries an LZ4 (legacy frame) payload; find its magic and decompress.
python3 - "$vmlinuz" "$work/payload" <<'PY' || warn "no LZ4 payload in $vmlinuz"
import sys
data = open(sys.argv[1], 'rb').read()
i = data.find(bytes.fromhex('02214c18'))
if i < 0: sys.exit(1)
open(sys.argv[2], 'wb').write(data[i:])
PY
lz4 -dc "$work/payload" > "$work/vmlinux" 2>/dev/null
[ -s "$work/vmlinux" ] || warn "could not decompress $vmlinuz"
mkdir -p "$out_dir"
llvm-objcopy-19 --dump-section .BTF="$work/btf" "$work/vmlinux" /dev/null || warn "$pkg's kernel has no .BTF section"
mv "$work/btf" "$target"
echo "core-targets: $target ($(stat -c %s "$target") bytes of BTF from $pkg)"
