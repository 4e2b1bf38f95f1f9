// SPDX-License-Identifier: GPL-2.0-only
/* Processes watched through pidfds: see pidwatch.h. */
#include "pidwatch.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int pw_has(const struct pidwatch *w, pid_t pid)
{
	return pidset_has(&w->pids, pid);
}

int pw_add(struct pidwatch *w, pid_t pid)
{
	if (pw_has(w, pid))
		return 0;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec always */
	if (fd < 0)
		return errno == ESRCH ? 0 : -1;
	if (w->pids.n == w->fdcap) {
		int cap = w->fdcap ? 2 * w->fdcap : 32,
		    *f = realloc(w->fd, (size_t)cap * sizeof(*f));
		if (!f) {
			close(fd);
			return -1;
		}
		w->fd = f;
		w->fdcap = cap;
	}
	if (pidset_add(&w->pids, pid) < 0) {
		close(fd);
		return -1;
	}
	w->fd[w->pids.n - 1] = fd;
	return 1;
}

int pw_alive(struct pidwatch *w, int ms)
{
	struct pollfd pf[256];
	int alive = 0;
	/* poll in batches; only the first batch waits */
	for (int i = 0; i < w->pids.n;) {
		int k = 0, at[256];
		for (; i < w->pids.n && k < 256; i++)
			if (w->fd[i] >= 0) {
				pf[k] = (struct pollfd){ .fd = w->fd[i], .events = POLLIN };
				at[k++] = i;
			}
		if (!k)
			continue;
		int r = poll(pf, (nfds_t)k, ms);
		ms = 0;
		for (int j = 0; j < k; j++) {
			if (r > 0 && pf[j].revents) { /* POLLIN: the process exited */
				close(w->fd[at[j]]);
				w->fd[at[j]] = -1;
			} else {
				alive++;
			}
		}
	}
	return alive;
}

void pw_free(struct pidwatch *w)
{
	for (int i = 0; i < w->pids.n; i++)
		if (w->fd[i] >= 0)
			close(w->fd[i]);
	pidset_free(&w->pids);
	free(w->fd);
	memset(w, 0, sizeof(*w));
}
