/* SPDX-License-Identifier: GPL-2.0-only */
/* What the options set: struct ct_opts, its enums and limits (the option
 * table fills it; every binary reads it). */
#ifndef CT_CTOPTS_H
#define CT_CTOPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ct_impl { IMPL_A1 = 0, IMPL_A2 = 1, IMPL_A3 = 2, IMPL_A4 = 3, IMPL_A5 = 4, IMPL_A6 = 5 };
/* a6 (kTLS): how the encrypted socket is fed */
enum ct_tls_send { TLS_SEND_COPY = 0, TLS_SEND_SENDFILE = 1 };
enum ct_rx { RX_COPY = 0, RX_ZEROCOPY = 1 };
enum ct_mode { MODE_STREAM = 0, MODE_RR = 1 };
enum ct_net { NET_VETH = 0, NET_LOOPBACK = 1, NET_HOST = 2, NET_NIC = 3 };
enum ct_role { ROLE_SERVER, ROLE_CLIENT, ROLE_RUNNER, ROLE_TRACE };
/* trace_run --role: both sides here (the runner's namespaces), or one side
 * on this host against a peer elsewhere (two real hosts). */
enum ct_host_role { HOST_BOTH = 0, HOST_SERVER = 1, HOST_CLIENT = 2 };
struct perfctl;

#define CT_MAX_SIZE (64u << 20)
/* The smallest message: its header alone (net/msg.h checks the two agree). */
#define CT_MIN_BYTES 32 /* a literal: --help prints it */
#define CT_MIN_SIZE ((size_t)CT_MIN_BYTES)
#define CT_MAX_THREADS 1024
#define CT_DEFAULT_PORT 5301
/* trace_run --role: how long a peer may take to show up (default) */
#define CT_PEER_TIMEOUT_S 30
/* --pid: each listed process has a slot of its own in the tracer's
 * per-process rows (CT_SLOT_LATE in bpf/copytrace.h; target.c checks). */
#define CT_MAX_PIDS 30
#define CT_PID_MAX 4194304 /* the kernel's PID_MAX_LIMIT on 64-bit */

struct ct_opts {
	enum ct_impl impl;
	size_t size;
	int threads;
	double duration;
	enum ct_mode mode;
	enum ct_net net;
	uint16_t port;
	char addr[64]; /* --bind (server) or --connect (client); trace_run
			* --role: --listen's or --connect's address */
	enum ct_host_role host_role; /* trace_run --role (HOST_BOTH: the runner's pair) */
	double peer_timeout; /* --peer-timeout: server: wait for the clients this long;
			      * client: retry connecting this long (0: the defaults) */
	bool verify;
	int slots; /* a3, a4: message slots in flight (0 = auto) */
	enum ct_rx rx; /* client: recv() copy or TCP_ZEROCOPY_RECEIVE (a5: the
			* latter unless --rx copy is given) */
	enum ct_tls_send tls_send; /* a6: sendmsg (copy) or sendfile from a memfd */
	int ready_fd; /* server: write one byte here once listening */
	const char *json; /* --json FILE */
	bool quiet;
	/* ctrun only: --perf-ctl CTL,ACK (empty: off); the runner opens them
	 * into perf, which only the client side uses */
	char perf_ctl[256], perf_ack[256];
	struct perfctl *perf;
	/* trace_run only */
	const char *backend;
	bool compare;
	int repeat;
	const char *format;
	const char *output;
	bool check; /* assert ledger against app counts */
	bool no_systime; /* --no-syscall-time */
	bool bpf_stats; /* --bpf-stats: the tracer's BPF run time */
	bool kernel_facts; /* --kernel-facts: print them and exit */
	bool impl_given, duration_given, rx_given, tls_send_given;
	/* tracing a program instead of --impl: one of these */
	char **cmd; /* -- COMMAND [ARG...] (NULL-terminated argv) */
	const char *pids; /* --pid PID[,PID...] */
	const char *cgroup; /* --cgroup PATH */
	const char *user; /* --user NAME: runs the command, owns the output files */
	bool per_conn; /* --per-connection */
	int top; /* --top: connections in the table */
	/* the sampling profiler (--impl only so far) */
	unsigned sample_hz; /* --sample-freq (0: off) */
	bool sample_given;
	const char *folded; /* --folded FILE */
	const char *flamegraph; /* --flamegraph FILE */
	/* --interval S [--count N] (or bare trailing S [N]): the ledger of
	 * every S seconds while tracing; 0: off. --count N ends the trace
	 * after N x S seconds (as --duration would). */
	double interval;
	long count;
	/* --exporter [ADDR:]PORT: serve /metrics until a signal (NULL: off) */
	const char *exporter;
	char exp_addr[64]; /* the address part (default 127.0.0.1) */
	uint16_t exp_port;
	bool all; /* --all: every process of the host (the root cgroup) */
	bool by_comm; /* --by comm: the exporter's series per name, not per pid */
};

/* 99 Hz per CPU (bpftrace's and perf flame-graph custom; bcc profile: 49):
 * each sample is a timer interrupt, whose cost is the platform's. On the
 * 2-core VM the project is measured on, even `perf record -F 499 -a`
 * without stacks raised a1 256 B's CPU per message by 17 %; at 99 Hz the
 * profiler is within the noise (docs/tracer.md, "The profiler"). Odd: no lockstep with
 * periodic timers. --sample-freq raises it. */
#define CT_SAMPLE_HZ 99
#define CT_SAMPLE_MAX_HZ 20000

#endif
