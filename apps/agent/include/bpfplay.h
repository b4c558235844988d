/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * bpfplay annotations. The playground's decoder reads these from the object's BTF
 * (BTF_KIND_DECL_TAG), so they change nothing in the compiled code.
 *
 *   struct { __uint(type, BPF_MAP_TYPE_RINGBUF); ... } events SEC(".maps") BPFPLAY_RECORD(event);
 *       records in `events` are `struct event` (without it the decoder guesses by name).
 *   struct { __uint(type, BPF_MAP_TYPE_ARRAY); ... } slots SEC(".maps") BPFPLAY_HIST;
 *       render this map as a log2 histogram: index i counts values in [2^i, 2^(i+1)).
 *
 * Included by the playground's <bpf/bpf_helpers.h>; include it yourself only when you do not use that header.
 */
#ifndef __BPFPLAY_H__
#define __BPFPLAY_H__

#define BPFPLAY_RECORD(type_name) __attribute__((btf_decl_tag("bpfplay.record:" #type_name)))
#define BPFPLAY_HIST __attribute__((btf_decl_tag("bpfplay.render:log2-hist")))

#endif /* __BPFPLAY_H__ */
