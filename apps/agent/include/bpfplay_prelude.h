/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * What the agent precompiles once per (kernel BTF, clang, flags): parsing vmlinux.h dominates a
 * small program's compile (measured: 0.32 s with it, 0.175 s with this as a PCH). Used only when
 * a program's first directive is #include "vmlinux.h" (see src/compile/pch.ts).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
