/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs a server and a client on this host in fresh network namespaces.
 * Used by ctrun and trace_run. */
#ifndef CT_RUNNER_H
#define CT_RUNNER_H
#include <stdint.h>
#include <sys/types.h>
#include "common/opts.h"
#include "common/result.h"

/* What a tracer needs to filter on the experiment. */
struct run_targets {
	pid_t server_pid, client_pid; /* 0: not on this host (--role) */
	uint64_t server_netns, client_netns; /* netns inode numbers (equal for loopback) */
	uint16_t port; /* server's TCP port */
	char exe[4096]; /* binary holding ct_gather (this program) */
};

struct run_hooks {
	/* Called once both sides exist in their namespaces, before any byte
	 * is sent. Non-zero return aborts the run. */
	int (*before_start)(void *arg, const struct run_targets *t);
	/* Called after both sides have exited. */
	void (*after_end)(void *arg);
	void *arg;
	/* Called once the server listens (may be NULL). */
	void (*listening)(void *arg);
};

/* Runs both sides here, or with o->host_role (trace_run --role) the one
 * side in this host's network namespace against a peer elsewhere (the
 * other side's result stays empty). Returns 0 on success. On failure
 * returns -1 with a one-line message in err; children and namespaces are
 * gone either way. */
int runner_run(const struct ct_opts *o, const struct run_hooks *h, struct run_result *out,
	       char *err, size_t errlen);

/* Set by the SIGINT/SIGTERM handler that runner_install_signals installs;
 * runs end early and cleanly when it becomes non-zero. */
extern volatile int runner_stop;
void runner_install_signals(void);

#endif
