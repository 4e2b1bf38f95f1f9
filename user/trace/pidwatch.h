/* SPDX-License-Identifier: GPL-2.0-only */
/* Processes watched through pidfds (pidfd_open, 5.3+): a pidfd stays
 * bound to its process, so an exit is seen even while the process is a
 * zombie nobody reaped and never confused with a later process that got
 * the same pid (kill(pid, 0) is true for both). */
#ifndef CT_PIDWATCH_H
#define CT_PIDWATCH_H
#include <sys/types.h>

#include "proctree.h"

struct pidwatch {
	struct pidset pids; /* every process watched so far */
	int *fd; /* per pids.v[i]: its pidfd, -1 once it has exited */
	int fdcap;
};

/* Starts watching pid. 1 watched, 0 already watched or gone (no such
 * process), -1 when no pidfd could be had (errno). */
int pw_add(struct pidwatch *w, pid_t pid);
/* Whether pid is (or was) watched. */
int pw_has(const struct pidwatch *w, pid_t pid);
/* Waits up to ms (0: just looks) for watched processes to exit; returns
 * how many are still alive. */
int pw_alive(struct pidwatch *w, int ms);
void pw_free(struct pidwatch *w);

#endif
