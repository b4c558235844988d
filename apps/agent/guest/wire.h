/* SPDX-License-Identifier: MIT */
/*
 * The messages between the agent's guest runner (src/guest/wire.ts) and bpfplay-guest, the loader inside
 * a microVM, over one virtio-serial port. Each message: u32 little-endian length of what follows, u8
 * kind, payload. Numbers are little-endian; strings inside a payload end with a NUL, the last string
 * of a payload runs to its end. wire.ts holds the same table; a test runs both against each other.
 */
#ifndef BPFPLAY_GUEST_WIRE_H
#define BPFPLAY_GUEST_WIRE_H

/* host -> guest, in this order: object, settings, then GO; QUIT at any time after. */
#define TO_OBJECT 'O'   /* the object file's bytes */
#define TO_NAME 'N'     /* the object's name (libbpf prefixes its map names with it) */
#define TO_SKIP 'S'     /* a program to switch off before load (autoload off): its name */
#define TO_MODE 'T'     /* u8 attach mode (1 iter, 2 perf_event), program name; others attach by section */
#define TO_INITIAL 'I'  /* initial value of the map whose name ends in this: suffix NUL, bytes */
#define TO_RESIZE 'Z'   /* u32 max_entries, u32 value_size (0 = keep), map name */
#define TO_CONFIG 'C'   /* u32 perf_event Hz, u32 map snapshot interval ms, u32 entries per map snapshot */
#define TO_GO 'G'       /* load, attach, stream */
#define TO_QUIT 'Q'     /* detach, drain, last snapshot, DONE, power off */
#define TO_KSYMS 'Y'    /* while running: send the kernel's text symbols (FROM_KSYMS) */

/* guest -> host */
#define FROM_READY 'r'     /* u32 possible CPUs, kernel release */
#define FROM_LOG 'l'       /* libbpf's messages */
#define FROM_VERIFIER 'v'  /* u8 ok, u8 log truncated, program NUL, verifier log */
#define FROM_PROGRAM 'p'   /* u8 loaded, u32 insns, u32 jited bytes, name NUL section */
#define FROM_MAP 'm'       /* u16 index, u32 type, u32 key size, u32 value size, u32 max entries, u32 flags, name */
#define FROM_LOADED 'L'    /* u32 load time in microseconds */
#define FROM_FAILED 'f'    /* stage NUL message; stage: open, load, verifier, attach, internal */
#define FROM_LINK 'a'      /* u8 ok, program NUL target NUL message */
#define FROM_ATTACHED 'A'  /* u64 CLOCK_MONOTONIC ns at attach (bpf_ktime_get_ns's clock), u32 attach us */
#define FROM_NOW 'n'       /* u64 CLOCK_MONOTONIC ns: the records that follow were read then */
#define FROM_RECORD 'e'    /* u16 map index, the ring buffer record */
#define FROM_SAMPLE 'P'    /* u16 map index, u32 cpu, the perf buffer sample */
#define FROM_LOST 'x'      /* u16 map index, u64 samples the perf buffer lost */
#define FROM_ENTRY 'k'     /* u16 map index, u32 key size, key, value (per-CPU maps: all CPUs' values) */
#define FROM_MAP_END 'K'   /* u16 map index, u32 entries not sent, i32 -errno (0: read fine) */
#define FROM_SNAPSHOT 's'  /* u64 ns: the entries that follow are one snapshot */
#define FROM_SNAP_END 'E'  /* the snapshot is complete */
#define FROM_ITER 'i'      /* program NUL iterator output */
#define FROM_DONE 'd'      /* everything detached and drained: the guest powers off next */
#define FROM_KSYMS 'y'     /* u32 length inflated, zlib: /proc/kallsyms's text lines (t, T, w, W) */

#define MODE_ITER 1
#define MODE_PERF_EVENT 2

#endif
