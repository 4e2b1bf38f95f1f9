/* SPDX-License-Identifier: GPL-2.0-only */
/* Figures each side measures about itself, and the combined run result. */
#ifndef CT_RESULT_H
#define CT_RESULT_H
#include <stdint.h>
#include <stdio.h>
#include "hist.h"
#include "opts.h"

/* Seconds of per-second sent bytes a side keeps (--interval's check). */
#define CT_SENT_SECS 600

struct side_result {
	int ok; /* 1 when the side finished without error */
	char error[256]; /* first error, one line */
	char peer[64]; /* --role: the peer's address:port as this side saw it */
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t messages_sent;
	uint64_t messages_received;
	uint64_t send_calls;
	uint64_t gather_bytes; /* a1: bytes copied by ct_gather */
	uint64_t zc_sends; /* a3: sendmsg calls that took a zerocopy id */
	uint64_t zc_notifications; /* a3: error-queue messages read */
	uint64_t zc_completions; /* a3: ids completed */
	uint64_t zc_copied; /* a3: ids completed with ZEROCOPY_COPIED */
	uint64_t zc_backoffs; /* a3, a4: ENOBUFS/EAGAIN waits for completions */
	uint64_t zc_waits; /* a3, a4: blocking waits for completions (a3's
			    * poll for the error queue, a4's CQE waits) */
	uint64_t zc_wait_ns; /* a3, a4: time blocked in them (CLOCK_MONOTONIC) */
	char zc_mode[128]; /* a4: registered buffers or pinned per send, and why */
	char probe_site[128]; /* a1: what its uprobe site held at the end (the
			       * kernel's path: trap or optimized call) */
	uint64_t sendfile_calls; /* a5: splice() calls that handed pages to the socket */
	uint64_t sendfile_bytes; /* a5: bytes sent from the memfd's pages by reference
				  * (payload + padding) */
	uint64_t detached_bytes; /* a5: memfd bytes cut out of the file before sending */
	uint64_t pad_bytes; /* a5: zero bytes that fill a payload's last page */
	uint64_t rx_mapped_bytes; /* client --rx zerocopy: bytes mapped, not copied */
	uint64_t rx_copied_bytes; /* client --rx zerocopy: the rest, copied */
	uint64_t rx_zc_calls; /* client --rx zerocopy: TCP_ZEROCOPY_RECEIVE calls */
	uint64_t verify_errors;
	/* client: what the server's hello said it sends (learnt when the
	 * client was not given --impl): an impl + 1 (0: not heard), and
	 * whether a6 sends by sendfile */
	int served_impl;
	int served_tls_sendfile;
	uint64_t window_bytes; /* client: bytes received within duration */
	double window_s; /* client: measured duration */
	double elapsed_s;
	double cpu_user_s, cpu_sys_s;
	long ctx_vol, ctx_invol;
	struct hist lat; /* client: latency, ns */
	/* bytes_sent per second of CLOCK_REALTIME: sent_per_s[i] in second
	 * sent_first_s + i (0: nothing sent yet); what the application sent
	 * in each of trace_run --interval's whole-second intervals */
	uint64_t sent_first_s;
	uint64_t sent_per_s[CT_SENT_SECS];
};

struct run_result {
	struct ct_opts opts;
	struct side_result server, client;
};

void side_init(struct side_result *r);
void side_error(struct side_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void side_rusage(struct side_result *r);
/* Counts n bytes sent now: bytes_sent and its second's share. */
void side_sent(struct side_result *r, uint64_t n);
void side_merge(struct side_result *into, const struct side_result *from);
double run_gbps(const struct side_result *client);

/* Writes s as a JSON string literal (quoted, escaped). */
void json_str(FILE *f, const char *s);

/* Output. The JSON object is documented in docs/data-paths.md ("app" object). */
void side_json(FILE *f, const char *name, const struct side_result *r, int indent);
void run_json(FILE *f, const struct run_result *r, int indent);
void run_summary(FILE *f, const struct run_result *r);
/* build/client's line: the client's side only (its server's figures are
 * the server's to print), named by the impl it received. */
void client_summary(FILE *f, const struct run_result *r);

#endif
