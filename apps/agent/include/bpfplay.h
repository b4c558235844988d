/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * bpfplay annotations. The playground's decoder reads these from the object's BTF
 * (BTF_KIND_DECL_TAG), so they change nothing in the compiled code.
 *
 *   struct { __uint(type, BPF_MAP_TYPE_RINGBUF); ... } events SEC(".maps") BPFPLAY_RECORD(my_rec);
 *   BPFPLAY_KEEP_TYPE(struct my_rec);
 *       records in `events` are `struct my_rec` (without it the decoder uses `struct event`).
 *   struct { __uint(type, BPF_MAP_TYPE_ARRAY); ... } slots SEC(".maps") BPFPLAY_HIST;
 *       render this map as a log2 histogram: index i counts values in [2^i, 2^(i+1)).
 *   struct { ... } hists SEC(".maps") BPFPLAY_UNIT(us);
 *       the values are in microseconds (ns, us, ms, s, bytes, or any word): the histogram's
 *       buckets are labelled with it. Without it the unit comes from the map's name (lat_ns).
 *   struct event { __u32 pid; __u64 frames[32] BPFPLAY_STACK; };
 *       `frames` holds bpf_get_stack() output: shown by symbol and drawn as a flame graph. Fields
 *       named stack, kstack, ustack, kern_stack, kernel_stack or user_stack (arrays of __u64) are
 *       taken as stacks without it.
 *
 * Included by the playground's <bpf/bpf_helpers.h>; include it yourself only when you do not use that header.
 */
#ifndef __BPFPLAY_H__
#define __BPFPLAY_H__

#define BPFPLAY_RECORD(type_name) __attribute__((btf_decl_tag("bpfplay.record:" #type_name)))
#define BPFPLAY_HIST __attribute__((btf_decl_tag("bpfplay.render:log2-hist")))
#define BPFPLAY_UNIT(unit) __attribute__((btf_decl_tag("bpfplay.unit:" #unit)))
#define BPFPLAY_STACK __attribute__((btf_decl_tag("bpfplay.stack")))

/*
 * BPFPLAY_KEEP_TYPE(struct my_rec);  at file scope: keeps a type in the object's BTF even when the
 * program only uses it through local variables (clang emits BTF only for types reachable from
 * globals and function signatures). Use it with BPFPLAY_RECORD(my_rec) for a record type of your own.
 * The pointers live in a section named like DWARF's (.debug_*), which libbpf skips without a word:
 * under any other name it logs "skipping unrecognized data section" on every load.
 */
#define ___bpfplay_cat2(a, b) a##b
#define ___bpfplay_cat(a, b) ___bpfplay_cat2(a, b)
#define BPFPLAY_KEEP_TYPE(T) \
	T *___bpfplay_cat(___bpfplay_keep_, __COUNTER__) __attribute__((section(".debug_bpfplay_types"), used))

#endif /* __BPFPLAY_H__ */
