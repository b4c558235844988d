/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * bpfplay's <bpf/bpf_helpers.h>: the real libbpf header, plus a bpf_printk that writes to a ring
 * buffer owned by this object instead of the kernel's single global trace_pipe. Every session's
 * object has its own `bpfplay_printk` map, so two sessions never see each other's lines.
 *
 * Contract with the agent's reader (apps/agent, printk stream) — change both sides together:
 *   map    `bpfplay_printk`, BPF_MAP_TYPE_RINGBUF, max_entries 256 KiB
 *   record exactly 256 bytes: struct bpfplay_printk_record below
 *   len    bpf_snprintf's return: bytes it wanted to write *including* the NUL (so it can exceed
 *          sizeof(msg) when the line was truncated), or a negative errno stored in a __u32 —
 *          read it as signed; on error msg holds nothing useful.
 */
#ifndef __BPFPLAY_BPF_HELPERS_SHIM__
#define __BPFPLAY_BPF_HELPERS_SHIM__

#include_next <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "../bpfplay.h"

/*
 * Records in ring/perf buffers are decoded by the type named `struct event` (libbpf-tools'
 * convention). clang emits BTF only for types reachable from globals and function signatures, and
 * most programs use `struct event` only through locals; this pointer keeps it in BTF. A program
 * without a `struct event` gets a forward declaration, which the decoder reports. The section is
 * one libbpf skips ("unrecognized data section"), so nothing is loaded for it.
 */
BPFPLAY_KEEP_TYPE(struct event);

struct bpfplay_printk_record {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u32 cpu;   /* bpf_get_smp_processor_id() */
	__u32 len;   /* bpf_snprintf()'s return, see above */
	char msg[240];
};
_Static_assert(sizeof(struct bpfplay_printk_record) == 256, "bpfplay printk record must be 256 bytes");

/*
 * Global, not static: clang drops unused static variables, and the reader expects the map to be
 * there whenever this header was included. 256 KiB holds ~1000 lines between two reads.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} bpfplay_printk SEC(".maps");

/*
 * Linux < 5.13 has no bpf_snprintf. There bpf_printk falls back to bpf_trace_printk (at most three
 * arguments, one %s), chosen per kernel by a CO-RE check of the helper's enum value: libbpf resolves
 * it when it loads the object, so the verifier sees a constant and never visits the other branch
 * (compile once, the right branch on every kernel). The global trace buffer is shared by everyone on
 * the machine, so only kernel-matrix guests allow the fallback (each guest's buffer is its run's
 * own; bpfplay-guest reads it into this run's printk stream); the host's policy accepts the call
 * only because the check proves it unreachable on a kernel with bpf_snprintf
 * (apps/agent/src/policy/core-dead-code.ts).
 */
/* They take bpf_printk's own format array (and the literal's size), never the literal again: a
 * second declaration would repeat every error about a bad format (`bpf_printk(42)`) three times. */
#define ___bpfplay_trace_printk0(fmtv, size, args...) bpf_trace_printk(fmtv, size, ##args)
#define ___bpfplay_trace_printk_many(fmtv, size, args...)                                               \
	({                                                                                              \
		static const char ___bpfplay_tfmt[] =                                                   \
			"bpfplay: a bpf_printk with more than 3 arguments needs bpf_snprintf (Linux 5.13+)"; \
		bpf_trace_printk(___bpfplay_tfmt, sizeof(___bpfplay_tfmt));                             \
	})
#define ___bpfplay_pick_trace_printk(...)                                                              \
	___bpf_nth(_, ##__VA_ARGS__, ___bpfplay_trace_printk_many, ___bpfplay_trace_printk_many,       \
		   ___bpfplay_trace_printk_many, ___bpfplay_trace_printk_many, ___bpfplay_trace_printk_many, \
		   ___bpfplay_trace_printk_many, ___bpfplay_trace_printk_many, ___bpfplay_trace_printk_many, \
		   ___bpfplay_trace_printk_many, ___bpfplay_trace_printk0, ___bpfplay_trace_printk0,     \
		   ___bpfplay_trace_printk0, ___bpfplay_trace_printk0)

/*
 * Only base helpers (ringbuf, ktime, smp id, snprintf), so it works in XDP, tc and socket programs
 * as well as in tracing ones. The format string is `static const` so it lands in .rodata, which
 * bpf_snprintf requires. With no arguments we pass (NULL, 0): the verifier accepts that pair, and
 * a zero-length stack array would not exist. A full ring buffer returns -EAGAIN (-11), like
 * bpf_ringbuf_output, and the line is dropped.
 */
#undef bpf_printk
#define bpf_printk(fmt, args...)                                                           \
	({                                                                                 \
		static const char ___bpfplay_fmt[] = fmt;                                  \
		unsigned long long ___bpfplay_arg[___bpf_narg(args) + 1];                  \
		long ___bpfplay_ret = -11;                                                 \
		struct bpfplay_printk_record *___bpfplay_rec;                              \
                                                                                           \
		if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_snprintf)) {     \
			_Pragma("GCC diagnostic push")                                     \
			_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")             \
			___bpf_fill(___bpfplay_arg, args);                                 \
			_Pragma("GCC diagnostic pop")                                      \
			___bpfplay_rec = bpf_ringbuf_reserve(&bpfplay_printk, sizeof(*___bpfplay_rec), 0); \
			if (___bpfplay_rec) {                                              \
				___bpfplay_rec->ts_ns = bpf_ktime_get_ns();                \
				___bpfplay_rec->cpu = bpf_get_smp_processor_id();          \
				___bpfplay_ret = bpf_snprintf(___bpfplay_rec->msg,         \
							      sizeof(___bpfplay_rec->msg), \
							      ___bpfplay_fmt,              \
							      ___bpf_narg(args) ? ___bpfplay_arg : 0, \
							      ___bpf_narg(args) * 8);      \
				___bpfplay_rec->len = ___bpfplay_ret;                      \
				bpf_ringbuf_submit(___bpfplay_rec, 0);                     \
			}                                                                  \
		} else {                                                                   \
			___bpfplay_ret = ___bpfplay_pick_trace_printk(args)(___bpfplay_fmt, sizeof(fmt), ##args); \
		}                                                                          \
		___bpfplay_ret;                                                            \
	})

/* libbpf's own building blocks of bpf_printk, for code that calls them directly. */
#undef __bpf_printk
#define __bpf_printk(fmt, args...) bpf_printk(fmt, ##args)
#undef __bpf_vprintk
#define __bpf_vprintk(fmt, args...) bpf_printk(fmt, ##args)

#endif /* __BPFPLAY_BPF_HELPERS_SHIM__ */
