/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __TCPSTATES_H
#define __TCPSTATES_H

#define TASK_COMM_LEN 16

/*
 * TCP states as the kernel numbers them (include/net/tcp_states.h). The kernel's own enum is
 * anonymous, so a record field of that type would decode as a bare number; this named copy lets
 * the playground show TCP_SYN_SENT instead of 2.
 */
enum tcp_state_name {
	TCPS_ESTABLISHED = 1,
	TCPS_SYN_SENT = 2,
	TCPS_SYN_RECV = 3,
	TCPS_FIN_WAIT1 = 4,
	TCPS_FIN_WAIT2 = 5,
	TCPS_TIME_WAIT = 6,
	TCPS_CLOSE = 7,
	TCPS_CLOSE_WAIT = 8,
	TCPS_LAST_ACK = 9,
	TCPS_LISTEN = 10,
	TCPS_CLOSING = 11,
	TCPS_NEW_SYN_RECV = 12,
};

struct event {
	/* Time spent in oldstate, in microseconds (0 when we did not see it start). */
	__u64 delta_us;
	__u32 pid;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 saddr[4];
	__u8 daddr[4];
	enum tcp_state_name oldstate;
	enum tcp_state_name newstate;
	char comm[TASK_COMM_LEN];
};

#endif /* __TCPSTATES_H */
