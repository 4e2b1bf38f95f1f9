/* What trace_run traces when it is not the built-in experiment: a command
 * it starts, running processes, or a cgroup. Checks the input, starts the
 * command once the tracer is attached, waits for the end of the trace. */
#ifndef CT_TARGET_H
#define CT_TARGET_H
#include <sys/types.h>

#include "common/opts.h"
#include "tracer.h"

/* Tracing a program (not --impl): what was traced and how it ended. */
struct ct_program {
	const char *mode;                 /* "command", "pid", "cgroup" */
	char what[512];                   /* the command line, pids or cgroup path */
	double seconds;                   /* traced for */
	int exit_status;                  /* the command's, or -1 */
	const char *ended;                /* why the trace ended */
};

struct ct_target {
	pid_t child;         /* -- COMMAND: the command (0: none or reaped) */
	int go_fd;           /* its start signal (write end), or -1 */
	int exec_fd;         /* exec's errno from the child (read end), or -1 */
	int cgroup_fd;
	int status;          /* the command's wait status */
	int npids;
	pid_t pids[CT_NSLOTS - 1];
};

/* Checks the target of o and fills the tracer's filter: a command is
 * forked but held before exec until target_start. 0, or -1 with one line
 * in err (nothing left behind). */
int target_prepare(struct ct_target *tg, const struct ct_opts *o, struct trace_filter *f,
		   struct ct_program *p, char *err, size_t errlen);
/* Lets the command exec. 0, or -1 with why (it could not be executed). */
int target_start(struct ct_target *tg, const struct ct_opts *o, char *err, size_t errlen);
/* Waits for the end of the trace: the command's exit, every listed
 * process gone, --duration, or Ctrl-C (forwarded to the command). */
void target_wait(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
		 struct ct_program *p);
/* Kills and reaps a command not yet reaped; closes descriptors. */
void target_close(struct ct_target *tg);

#endif
