/* SPDX-License-Identifier: GPL-2.0-only */
/* The processes a traced command started, with trace_run as their
 * child subreaper: every orphan (a daemon that forked and let its parent
 * exit) is re-parented to trace_run, so the whole tree stays its
 * descendants; it reaps them, passes a signal on and kills what is left. */
#ifndef CT_CMDTREE_H
#define CT_CMDTREE_H
#include <sys/types.h>

/* Makes trace_run the subreaper of what it starts. 0, or -1 with errno. */
int cmdtree_subreaper(void);
/* Reaps every child that has exited; when one of them is main, its wait
 * status goes to *status and *main_done is set. 1 when no child is left. */
int cmdtree_reap(pid_t main, int *status, int *main_done);
/* Sends sig to the process group pgid (0: none) and to every descendant
 * not in it (a daemon's own session). */
void cmdtree_signal(pid_t pgid, int sig);
/* SIGKILLs the group (while main is not reaped) and every descendant,
 * over and over, reaping, until no child is left or secs have passed;
 * returns how many were left. */
int cmdtree_kill(pid_t pgid, pid_t main, int *status, int *main_done, double secs);

#endif
