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
	for (int i = 0; i < w->n; i++)
		if (w->pid[i] == pid)
			return 1;
	return 0;
}

int pw_add(struct pidwatch *w, pid_t pid)
{
	if (pw_has(w, pid))
		return 0;
	if (w->n == w->cap) {
		int cap = w->cap ? 2 * w->cap : 32;
		pid_t *p = realloc(w->pid, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		w->pid = p;
		int *f = realloc(w->fd, (size_t)cap * sizeof(*f));
		if (!f)
			return -1;
		w->fd = f;
		w->cap = cap;
	}
	int fd = (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec always */
	if (fd < 0) {
		return errno == ESRCH ? 0 : -1;
	}
	w->pid[w->n] = pid;
	w->fd[w->n++] = fd;
	return 1;
}

int pw_alive(struct pidwatch *w, int ms)
{
	struct pollfd pf[256];
	int alive = 0;
	/* poll in batches; only the first batch waits */
	for (int i = 0; i < w->n;) {
		int k = 0, at[256];
		for (; i < w->n && k < 256; i++)
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
	for (int i = 0; i < w->n; i++)
		if (w->fd[i] >= 0)
			close(w->fd[i]);
	free(w->pid);
	free(w->fd);
	memset(w, 0, sizeof(*w));
}
