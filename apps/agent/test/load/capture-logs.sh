#!/usr/bin/env bash
# Regenerate the verifier-log goldens from THIS kernel: compile every broken gallery example
# (bpf/broken-*/) and every extra case (test/load/cases/*.bpf.c), load each with the agent's log
# settings, and keep the kernel's log.
#
#   capture-logs.sh [--out DIR] [--only REGEX] [--examples-only] [--levels "5 7"]
#
# Per case it writes DIR/<case>.log (log level 1|4 for a failing program, 4 for an ok-* one: what
# the agent asks for) and, unless --levels says otherwise, DIR/<case>.level7.log (1|2|4: every
# state). Buffers are 128 KiB and the kernel keeps the TAIL of a longer log, exactly as it does for
# the agent: goldens of programs that run into the 1M-instruction limit start mid-line.
# Afterwards run `npx vitest run -u test/load` in apps/agent to refresh the .json files.
# Needs root, clang-19, bpftool, libbpf-dev and /sys/kernel/btf/vmlinux. Loads nothing it leaves
# behind: programs are never pinned, and closing the loader releases them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
out="$here/golden"
only='.'
examples_only=0
levels='5 7'
log_size=$((128 * 1024))

while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--examples-only) examples_only=1; shift ;;
	--levels) levels=$2; shift 2 ;;
	*) echo "usage: $0 [--out DIR] [--only REGEX] [--examples-only] [--levels \"5 7\"]" >&2; exit 2 ;;
	esac
done

die() { echo "capture-logs: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root: loading BPF programs needs CAP_BPF and CAP_PERFMON"
command -v clang-19 >/dev/null || die "clang-19 is missing (scripts/setup.sh installs it)"
command -v bpftool >/dev/null || die "bpftool is missing (scripts/setup.sh installs it)"
[ -r /sys/kernel/btf/vmlinux ] || die "/sys/kernel/btf/vmlinux is missing: this kernel has no BTF"
[ -r /usr/include/bpf/libbpf.h ] || die "libbpf headers are missing (install libbpf-dev)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$tmp/vmlinux.h"
clang-19 -O2 -Wall -o "$tmp/load-log" "$here/load-log.c" -lbpf
mkdir -p "$out"

# name<TAB>source, examples first.
{
	for src in "$repo"/bpf/broken-*/broken-*.bpf.c; do
		[ -e "$src" ] && printf '%s\t%s\n' "$(basename "$src" .bpf.c)" "$src"
	done
	if [ "$examples_only" = 0 ]; then
		for src in "$here"/cases/*.bpf.c; do
			printf '%s\t%s\n' "$(basename "$src" .bpf.c)" "$src"
		done
	fi
} >"$tmp/cases"

count=0
while IFS=$'\t' read -r name src; do
	[[ "$name" =~ $only ]] || continue
	# -g: line info is what puts `; source @ file:line` in the log. Compile from the source's own
	# folder so the file name the kernel prints is the bare name, as in the agent's sandbox.
	(cd "$(dirname "$src")" && clang-19 -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$tmp" \
		-c "$(basename "$src")" -o "$tmp/$name.o" 2>"$tmp/$name.cc") ||
		{ cat "$tmp/$name.cc" >&2; die "$name: does not compile"; }
	for level in $levels; do
		case "$name" in ok-*) want=0; [ "$level" = 5 ] && level=4 ;; *) want=1 ;; esac
		file="$out/$name.log"
		[ "$level" = 7 ] && file="$out/$name.level7.log"
		rc=0
		"$tmp/load-log" "$tmp/$name.o" "$level" "$log_size" >"$file" 2>"$tmp/$name.err" || rc=$?
		if [ "$rc" != "$want" ]; then
			cat "$tmp/$name.err" >&2
			if [ "$want" = 1 ]; then die "$name: expected the verifier to refuse it, but load-log exited $rc"; fi
			die "$name: expected it to load, but load-log exited $rc"
		fi
		echo "$name: level $level, $(wc -c <"$file") bytes -> ${file#"$repo"/}"
		count=$((count + 1))
	done
done <"$tmp/cases"
[ "$count" -gt 0 ] || die "no case matched '$only'"
