// SPDX-License-Identifier: Apache-2.0
/*
 * load-log: load a one-program BPF object the way the agent does (libbpf, a
 * per-program log buffer of a chosen size and level) and print the kernel's
 * verifier log on stdout. Exit 0 when the program loaded, 1 when the kernel
 * refused it, 2 on usage or open errors.
 *
 * Why not `bpftool prog load`: bpftool only offers log level 1 (libbpf's retry
 * after a failure) or 1|2|4 (-d), and libbpf then grows its buffer until the
 * whole log fits (85 MB for a program that hits the 1M instruction limit).
 * The agent asks for level 4 (stats) or 1|4 (trace + stats) in a buffer of
 * fixed size, where the kernel keeps only the log's tail. Goldens must look
 * like that, truncation included.
 *
 *	load-log OBJ LEVEL BUFSIZE
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *only = NULL;
	unsigned long level, size;
	char *buf;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJ LEVEL BUFSIZE\n", argv[0]);
		return 2;
	}
	level = strtoul(argv[2], NULL, 0);
	size = strtoul(argv[3], NULL, 0);
	buf = calloc(1, size);
	if (!buf || size < 128) {
		fprintf(stderr, "bad buffer size %s\n", argv[3]);
		return 2;
	}
	libbpf_set_print(print_warnings);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	bpf_object__for_each_program(prog, obj) {
		if (only) {
			fprintf(stderr, "%s has more than one program; the goldens hold one log each\n", argv[1]);
			return 2;
		}
		only = prog;
	}
	if (!only) {
		fprintf(stderr, "%s has no program\n", argv[1]);
		return 2;
	}
	bpf_program__set_log_buf(only, buf, size);
	bpf_program__set_log_level(only, level);
	err = bpf_object__load(obj);
	fputs(buf, stdout);
	bpf_object__close(obj);
	free(buf);
	return err ? 1 : 0;
}
