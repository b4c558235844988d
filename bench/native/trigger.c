// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Load generator for the bench, so the bench's own Node process is not on the measured path.
 *
 *   trigger getppid RATE SECONDS   after a line on stdin, call getppid() RATE times a second
 *                                  (0: as fast as possible) for SECONDS; print how many calls
 *   trigger execve INTERVAL_US     call execve() on a path that does not exist every INTERVAL_US
 *                                  until killed: sys_enter_execve fires without forking anything
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int getppid_mode(double rate, double seconds)
{
	char line[16];
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	unsigned long calls = 0;
	double start = now_s(), end = start + seconds;
	/* Paced in 1 ms slices: each slice issues what the rate owes so far, then sleeps. */
	for (double t = start; t < end; t = now_s()) {
		unsigned long owed = rate > 0 ? (unsigned long)((t - start) * rate) + 1 : calls + 64;
		while (calls < owed) {
			syscall(SYS_getppid);
			calls++;
		}
		if (rate > 0) {
			struct timespec d = { 0, 1000000 };
			nanosleep(&d, NULL);
		}
	}
	printf("{\"calls\":%lu,\"seconds\":%.6f}\n", calls, now_s() - start);
	return 0;
}

static int execve_mode(long interval_us)
{
	char *argv[] = { "bpfplay-bench-tick", NULL };
	char *envp[] = { NULL };
	struct timespec d = { interval_us / 1000000, (interval_us % 1000000) * 1000 };
	for (;;) {
		execve("/nonexistent/bpfplay-bench-tick", argv, envp);
		nanosleep(&d, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "getppid") == 0)
		return getppid_mode(atof(argv[2]), atof(argv[3]));
	if (argc == 3 && strcmp(argv[1], "execve") == 0)
		return execve_mode(atol(argv[2]));
	fprintf(stderr, "usage: trigger getppid RATE SECONDS | trigger execve INTERVAL_US\n");
	return 2;
}
