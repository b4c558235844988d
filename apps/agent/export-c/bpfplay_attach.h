/* SPDX-License-Identifier: (Apache-2.0 OR BSD-2-Clause) */
/*
 * Attaching what libbpf cannot attach from a section name alone, for the loader bpfplay generated:
 * XDP, tc and socket filters need an interface (--ifname; the playground used a veth of its own),
 * perf_event programs a perf event per CPU, iterators a read. Each helper says what failed and why.
 */
#ifndef BPFPLAY_ATTACH_H
#define BPFPLAY_ATTACH_H

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/perf_event.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define BPFPLAY_MAX_ATTACH 512

static struct bpf_link *bpfplay_links[BPFPLAY_MAX_ATTACH];
static int bpfplay_nlinks;
static int bpfplay_fds[BPFPLAY_MAX_ATTACH];
static int bpfplay_nfds;
/* tc filters outlive our fds: the hooks we created are destroyed at exit. */
static struct bpf_tc_hook bpfplay_tc_hooks[16];
static int bpfplay_ntc;

static __attribute__((unused)) int ifindex_of(const char *ifname, const char *what)
{
	int i;
	if (!ifname) {
		fprintf(stderr, "%s needs an interface: pass --ifname IF (the playground used its own veth)\n", what);
		return 0;
	}
	i = if_nametoindex(ifname);
	if (!i)
		fprintf(stderr, "no interface named %s: %s\n", ifname, strerror(errno));
	return i;
}

static __attribute__((unused)) bool keep_link(struct bpf_link *l, const char *what)
{
	if (!l) {
		fprintf(stderr, "cannot attach %s: %s\n", what, strerror(errno));
		return false;
	}
	if (bpfplay_nlinks < BPFPLAY_MAX_ATTACH)
		bpfplay_links[bpfplay_nlinks++] = l;
	return true;
}

static __attribute__((unused)) bool attach_xdp(struct bpf_program *prog, const char *ifname)
{
	int i = ifindex_of(ifname, bpf_program__name(prog));
	return i && keep_link(bpf_program__attach_xdp(prog, i), bpf_program__name(prog));
}

static __attribute__((unused)) bool attach_tc(struct bpf_program *prog, const char *ifname, enum bpf_tc_attach_point point)
{
	int i = ifindex_of(ifname, bpf_program__name(prog)), err;
	if (!i)
		return false;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = i, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	err = bpf_tc_hook_create(&hook);
	bool created = !err;
	if (err && err != -EEXIST) {
		fprintf(stderr, "cannot add a clsact qdisc to %s: %s\n", ifname, strerror(-err));
		return false;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fprintf(stderr, "cannot attach %s to tc on %s: %s\n", bpf_program__name(prog), ifname, strerror(-err));
		return false;
	}
	/* Only a qdisc this loader added is removed at exit; one that was there stays. */
	if (created && bpfplay_ntc < 16) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpfplay_tc_hooks[bpfplay_ntc++] = hook;
	}
	return true;
}

/* A socket filter sees what a packet socket bound to the interface receives. */
static __attribute__((unused)) bool attach_socket(struct bpf_program *prog, const char *ifname)
{
	int i = ifindex_of(ifname, bpf_program__name(prog)), fd, pfd = bpf_program__fd(prog);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	if (!i)
		return false;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_ifindex = i;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &pfd, sizeof(pfd))) {
		fprintf(stderr, "cannot attach %s to a packet socket on %s: %s\n", bpf_program__name(prog), ifname,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (bpfplay_nfds < BPFPLAY_MAX_ATTACH)
		bpfplay_fds[bpfplay_nfds++] = fd;
	return true;
}

/* The playground samples with the software cpu-clock on every online CPU (99 Hz unless told). */
static __attribute__((unused)) bool attach_perf_event(struct bpf_program *prog, int freq)
{
	int ncpu = libbpf_num_possible_cpus(), attached = 0;
	for (int cpu = 0; cpu < ncpu; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.size = sizeof(attr),
			.freq = 1,
			.sample_freq = freq,
		};
		int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0)
			continue; /* an offline CPU */
		struct bpf_link *l = bpf_program__attach_perf_event(prog, fd);
		if (!l) {
			close(fd);
			continue;
		}
		keep_link(l, bpf_program__name(prog));
		attached++;
	}
	if (!attached)
		fprintf(stderr, "cannot attach %s to any CPU's cpu-clock: %s\n", bpf_program__name(prog), strerror(errno));
	return attached > 0;
}

/* An iterator runs once: its output is printed as it is read. */
static __attribute__((unused)) bool run_iter(struct bpf_program *prog)
{
	struct bpf_link *l = bpf_program__attach_iter(prog, NULL);
	char buf[4096];
	ssize_t n;
	int fd;
	if (!keep_link(l, bpf_program__name(prog)))
		return false;
	fd = bpf_iter_create(bpf_link__fd(l));
	if (fd < 0) {
		fprintf(stderr, "cannot read iterator %s: %s\n", bpf_program__name(prog), strerror(errno));
		return false;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return true;
}

static __attribute__((unused)) void cleanup_attachments(void)
{
	for (int i = 0; i < bpfplay_nlinks; i++)
		bpf_link__destroy(bpfplay_links[i]);
	for (int i = 0; i < bpfplay_nfds; i++)
		close(bpfplay_fds[i]);
	for (int i = 0; i < bpfplay_ntc; i++)
		bpf_tc_hook_destroy(&bpfplay_tc_hooks[i]);
	bpfplay_nlinks = bpfplay_nfds = bpfplay_ntc = 0;
}

/* An integer value of a map, summed over CPUs for a per-CPU map (the playground's sum). */
static __attribute__((unused)) unsigned long long sum_values(const unsigned char *val, unsigned int vsz, int ncpu, bool percpu)
{
	unsigned long long sum = 0;
	unsigned int stride = (vsz + 7) / 8 * 8;
	unsigned int size = vsz > 8 ? 8 : vsz;
	for (int c = 0; c < (percpu ? ncpu : 1); c++) {
		unsigned long long v = 0;
		for (int i = size - 1; i >= 0; i--)
			v = (v << 8) | val[c * stride + i];
		sum += v;
	}
	return sum;
}

#endif /* BPFPLAY_ATTACH_H */
