// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The reference consumer for the throughput figure: what a small C loader built on libbpf's
 * ring_buffer API delivers from the same BPF object the agent runs.
 *
 *   ringbuf-consumer OBJECT TRIGGER_TGID BURST
 *
 * Opens OBJECT, sets the `trigger_tgid` and `burst` knobs in .rodata, loads and attaches every
 * program, prints "ready", then counts records until SIGTERM; after a final drain it prints one
 * JSON line: records delivered, the program's own counts (written, refused by a full ring), and
 * the monotonic times of the first and last batch that carried records.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

struct event {
	unsigned long long seq;
	unsigned long long ts;
	unsigned int pid;
	unsigned int cpu;
	char comm[16];
};

struct tally {
	unsigned long long records;
	unsigned long long seq_sum; /* reads every record, so the count is not all the work done */
};

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct tally *t = ctx;
	if (size >= sizeof(struct event))
		t->seq_sum += ((struct event *)data)->seq;
	t->records++;
	return 0;
}

/* Write a 4-byte `const volatile` global, found by name in the object's .rodata DATASEC. */
static int set_rodata_u32(struct bpf_object *obj, const char *name, unsigned int value)
{
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	if (!rodata || !btf)
		return -ENOENT;
	size_t size = 0;
	/* libbpf 1.1 returns it const, but it is the writable image until load. */
	char *data = (char *)bpf_map__initial_value(rodata, &size);
	int sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || sec_id < 0)
		return -ENOENT;
	const struct btf_type *sec = btf__type_by_id(btf, sec_id);
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), name) == 0 && vsi->size == 4 &&
		    vsi->offset + 4 <= size) {
			memcpy(data + vsi->offset, &value, 4);
			return 0;
		}
	}
	return -ENOENT;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJECT TRIGGER_TGID BURST\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (set_rodata_u32(obj, "trigger_tgid", atoi(argv[2])) || set_rodata_u32(obj, "burst", atoi(argv[3]))) {
		fprintf(stderr, "%s: no trigger_tgid/burst in .rodata\n", argv[1]);
		return 1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "attach %s: %s\n", bpf_program__name(prog), strerror(errno));
			return 1;
		}
	}
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	struct bpf_map *counts = bpf_object__find_map_by_name(obj, "counts");
	if (!events || !counts) {
		fprintf(stderr, "the object has no `events` ring buffer or `counts` array\n");
		return 1;
	}
	struct tally tally = { 0 };
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(events), on_record, &tally, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");

	double first = 0, last = 0;
	while (!stopping) {
		int n = ring_buffer__poll(rb, 100);
		if (n > 0) {
			last = now_ns();
			if (!first)
				first = last;
		}
	}
	while (ring_buffer__consume(rb) > 0)
		last = now_ns();

	unsigned long long written = 0, refused = 0;
	unsigned int k = 0;
	bpf_map_lookup_elem(bpf_map__fd(counts), &k, &written);
	k = 1;
	bpf_map_lookup_elem(bpf_map__fd(counts), &k, &refused);
	printf("{\"delivered\":%llu,\"written\":%llu,\"refused\":%llu,\"firstNs\":%.0f,\"lastNs\":%.0f,\"seqSum\":%llu}\n",
	       tally.records, written, refused, first, last, tally.seq_sum);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
