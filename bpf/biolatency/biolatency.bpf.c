// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * biolatency: how long block device I/O takes, as a log2 histogram in microseconds.
 *
 * block_rq_issue fires when a request is handed to the device driver, block_rq_complete when
 * the device says it is done. Both carry the device and the starting sector, which together
 * identify the request while it is in flight: that pair is the key of the `start` map.
 *
 * The histogram is an array map named `hist` with one integer counter per bucket. The
 * playground draws such a map (an array of integers named like hist or slots) as a log2
 * histogram; BPFPLAY_HIST on the map says so explicitly for other names. BPFPLAY_UNIT(us)
 * labels its buckets in microseconds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 27

/* Only this device (0: all); dev_t as the kernel encodes it: (major << 20) | minor. */
const volatile dev_t targ_dev = 0;

/*
 * 4 bytes of padding sit between dev and sector, and a hash map compares keys byte by byte:
 * padding left with stack garbage would make the issue and completion keys differ. Hence the
 * memset in rq_key_of() (an initializer like `= { .dev = ... }` does not promise to clear it).
 */
struct rq_key {
	dev_t dev;
	sector_t sector;
};

static __always_inline void rq_key_of(struct rq_key *key, dev_t dev, sector_t sector)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->dev = dev;
	key->sector = sector;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct rq_key);
	__type(value, u64);
} start SEC(".maps");

/* Index = log2(latency in µs); a per-CPU array would scale better, a plain one reads simpler. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, u32);
	__type(value, u64);
} hist SEC(".maps") BPFPLAY_UNIT(us);

SEC("tracepoint/block/block_rq_issue")
int block_rq_issue(struct trace_event_raw_block_rq *ctx)
{
	struct rq_key key;
	u64 ts = bpf_ktime_get_ns();

	if (targ_dev && ctx->dev != targ_dev)
		return 0;
	rq_key_of(&key, ctx->dev, ctx->sector);
	bpf_map_update_elem(&start, &key, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int block_rq_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_key key;
	u64 *tsp, *count, delta_us;
	u32 slot = 0;

	rq_key_of(&key, ctx->dev, ctx->sector);
	tsp = bpf_map_lookup_elem(&start, &key);
	if (!tsp)
		return 0; /* issued before we attached, or filtered out */
	delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
	bpf_map_delete_elem(&start, &key);

	/* A bounded loop (5.3+): the verifier checks every iteration count up to MAX_SLOTS. */
	for (int i = 0; i < MAX_SLOTS - 1 && delta_us > 1; i++) {
		delta_us >>= 1;
		slot++;
	}
	count = bpf_map_lookup_elem(&hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
