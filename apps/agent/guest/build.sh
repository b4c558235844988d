#!/usr/bin/env bash
# Builds the kernel-matrix guest: bpfplay-guest (loader.c, linked statically against libbpf.a, libelf,
# zlib and zstd so it runs on any kernel without a libc in the initramfs) and, per kernel in the kernel
# cache (scripts/kernels.sh), an initramfs: busybox-static, the loader, /init and that kernel's virtio
# modules. Output in guest/build/ (not committed). Idempotent: rebuilds only what is older than its inputs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernels=${BPFPLAY_KERNELS_DIR:-/var/cache/bpfplay/kernels}
out="$here/build"
mkdir -p "$out"
loader="$out/bpfplay-guest"
if [ ! -x "$loader" ] || [ "$here/loader.c" -nt "$loader" ] || [ "$here/wire.h" -nt "$loader" ]; then
  cc -O2 -Wall -Wextra -static -o "$loader.tmp" "$here/loader.c" -lbpf -lelf -lz -lzstd
  mv "$loader.tmp" "$loader"
  echo "guest: built $loader"
fi
for k in "$kernels"/*/; do
  [ -s "$k/kernel.json" ] || continue
  name=$(basename "$k")
  img="$out/initramfs-$name.cpio"
  if [ -s "$img" ] && [ "$img" -nt "$loader" ] && [ "$img" -nt "$here/init" ] && [ "$img" -nt "$k/kernel.json" ]; then continue; fi
  stage=$(mktemp -d)
  mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules}
  cp /bin/busybox "$stage/bin/busybox"
  cp "$loader" "$stage/bin/bpfplay-guest"
  cp "$here/init" "$stage/init"
  cp "$k"/modules/*.ko "$stage/lib/modules/" 2>/dev/null || true
  # Uncompressed: the kernel unpacks it in no time, and qemu only maps the file.
  (cd "$stage" && find . | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null >"$img.tmp")
  mv "$img.tmp" "$img"
  rm -rf "$stage"
  echo "guest: built $img"
done
