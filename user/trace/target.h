/* SPDX-License-Identifier: GPL-2.0-only */
/* What trace_run traces when it is not the built-in experiment: a command
 * it starts, running processes with their descendants, or a cgroup.
 * Checks the input, starts the command once the tracer is attached,
 * waits for the end of the trace and leaves nothing it started behind. */
#ifndef CT_TARGET_H
#define CT_TARGET_H
#include <sys/types.h>

#include "common/identity.h"
#include "common/opts.h"
#include "pidwatch.h"
#include "proctree.h"
#include "tracer.h"

/* Tracing a program (not --impl): what was traced and how it ended. */
struct ct_program {
	const char *mode; /* "command", "pid", "cgroup" */
	char what[512]; /* the command line, pids or cgroup path */
	double seconds; /* traced for */
	int exit_status; /* the command's, or -1 */
	const char *ended; /* why the trace ended */
};

struct ct_target {
	pid_t child; /* -- COMMAND: the command (0: none or reaped) */
	pid_t pgid; /* its process group (its pid), or 0 */
	int go_fd; /* its start signal (write end), or -1 */
	int exec_fd; /* why it could not start (read end), or -1 */
	int cgroup_fd;
	int status; /* the command's wait status */
	int main_done; /* the command was reaped (status holds it) */
	int npids;
	pid_t pids[CT_MAX_PIDS];
	struct ct_identity id; /* who the command runs as */
	struct tracer *t; /* set by target_attached (--pid: its tree) */
	struct pidwatch watch; /* --pid: the listed processes and their tree */
	struct pidset gone; /* --pid: traced pids already found gone */
};

/* Checks the target of o and fills the tracer's filter: a command is
 * forked (its own process group, as the --user or sudo user) but held
 * before exec until target_start. 0, or -1 with one line in err (nothing
 * left behind). */
int target_prepare(struct ct_target *tg, const struct ct_opts *o, struct trace_filter *f,
		   struct ct_program *p, char *err, size_t errlen);
/* The tracer is attached, following forks: --pid adds the listed
 * processes' descendants that exist now (walked until none is new). 0,
 * or -1 with why. */
int target_attached(struct ct_target *tg, struct tracer *t, char *err, size_t errlen);
/* Lets the command exec. 0, or -1 with why (it could not be executed). */
int target_start(struct ct_target *tg, const struct ct_opts *o, char *err, size_t errlen);
/* Waits for the end of the trace: the last process of the command's tree
 * gone, every listed process and its descendants gone, --duration, or
 * SIGINT/SIGTERM/SIGHUP (passed on to a command, which gets 5 s before
 * what is left of its tree is killed). */
void target_wait(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
		 struct ct_program *p);
/* Kills and reaps whatever of a command's tree is left; closes
 * descriptors. */
void target_close(struct ct_target *tg);

#endif
