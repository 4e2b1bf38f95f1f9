// SPDX-License-Identifier: GPL-2.0-only
/* A command's process tree: see cmdtree.h. */
#include "cmdtree.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proctree.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmdtree_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int cmdtree_reap(pid_t main, int *status, int *main_done)
{
	for (;;) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);
		if (r > 0) {
			if (r == main) {
				*status = st;
				*main_done = 1;
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 && errno == ECHILD;
	}
}

void cmdtree_signal(pid_t pgid, int sig)
{
	if (pgid > 0)
		kill(-pgid, sig);
	struct pidset d = { 0 };
	proc_descendants(getpid(), &d);
	for (int i = 0; i < d.n; i++) {
		struct proc_entry e;
		if (!proc_stat_read(d.v[i], &e) && e.pgrp != pgid)
			kill(d.v[i], sig);
	}
	pidset_free(&d);
}

int cmdtree_kill(pid_t pgid, pid_t main, int *status, int *main_done, double secs)
{
	double t0 = mono();
	for (;;) {
		if (pgid > 0 && !*main_done) /* the id is reserved until main is reaped */
			kill(-pgid, SIGKILL);
		/* top-down: a killed parent's children come to trace_run and
		 * are met on the next round */
		struct pidset d = { 0 };
		proc_descendants(getpid(), &d);
		for (int i = 0; i < d.n; i++)
			kill(d.v[i], SIGKILL);
		int left = d.n;
		pidset_free(&d);
		if (cmdtree_reap(main, status, main_done))
			return 0;
		if (mono() - t0 > secs)
			return left;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}
