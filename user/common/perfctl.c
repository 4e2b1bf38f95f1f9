// SPDX-License-Identifier: GPL-2.0-only
/* perf stat's control FIFOs: enable/disable counting, wait for the ack. */
#include "perfctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errf.h"

#define ACK_TIMEOUT_MS 10000

static int open_fifo(const char *what, const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		return errf(err, errlen,
			    "--perf-ctl: no perf reads %s '%s' (run ctrun under "
			    "perf stat -D -1 --control fifo:CTL,ACK)",
			    what, path);
	if (fd < 0)
		return errf(err, errlen, "--perf-ctl: cannot open %s '%s': %s", what, path,
			    strerror(errno));
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return errf(err, errlen, "--perf-ctl: %s '%s' is not a FIFO (make it with mkfifo)",
			    what, path);
	}
	return fd;
}

int perfctl_open(struct perfctl *p, const char *ctl, const char *ack, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->all_ended, NULL);
	p->ctl = open_fifo("CTL", ctl, O_WRONLY, err, errlen);
	if (p->ctl < 0)
		return -1;
	p->ack = open_fifo("ACK", ack, O_RDONLY, err, errlen);
	if (p->ack < 0) {
		close(p->ctl);
		return -1;
	}
	/* CTL blocks from now on (a short write to a pipe is atomic); ACK
	 * stays non-blocking, read after poll. */
	fcntl(p->ctl, F_SETFL, fcntl(p->ctl, F_GETFL) & ~O_NONBLOCK);
	return 0;
}

/* Sends "cmd\n" on CTL and waits for the line "ack" on ACK (perf writes
 * "ack\n" with its terminating NUL, skipped here). */
static int command(struct perfctl *p, const char *cmd)
{
	char line[16], got[8];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	ssize_t w;
	while ((w = write(p->ctl, line, (size_t)n)) < 0 && errno == EINTR)
		;
	if (w != n)
		return errf(p->err, sizeof(p->err), "--perf-ctl: writing '%s' to CTL: %s", cmd,
			    w < 0 ? strerror(errno) : "short write");
	size_t len = 0;
	for (;;) {
		struct pollfd pf = { .fd = p->ack, .events = POLLIN };
		int r = poll(&pf, 1, ACK_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return errf(p->err, sizeof(p->err),
				    "--perf-ctl: perf did not acknowledge '%s' "
				    "within %d s",
				    cmd, ACK_TIMEOUT_MS / 1000);
		char c;
		ssize_t k = read(p->ack, &c, 1);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return errf(p->err, sizeof(p->err),
				    "--perf-ctl: no acknowledgement of '%s' "
				    "from perf: %s",
				    cmd, k ? strerror(errno) : "ACK closed (perf exited?)");
		if (c == '\n')
			break;
		if (c && len < sizeof(got) - 1)
			got[len++] = c;
	}
	got[len] = 0;
	if (strcmp(got, "ack"))
		return errf(p->err, sizeof(p->err),
			    "--perf-ctl: perf answered '%s' to '%s', not 'ack'", got, cmd);
	return 0;
}

int perfctl_enable(struct perfctl *p, int windows)
{
	if (!p)
		return 0;
	p->windows = windows; /* before the connections' threads exist */
	if (command(p, "enable"))
		return -1;
	p->enabled = 1;
	return 0;
}

void perfctl_window_end(struct perfctl *p, int wait)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	if (--p->windows == 0) {
		if (p->enabled) {
			p->enabled = 0;
			command(p, "disable");
		}
		pthread_cond_broadcast(&p->all_ended);
	}
	while (wait && p->windows > 0)
		pthread_cond_wait(&p->all_ended, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

int perfctl_done(struct perfctl *p)
{
	if (!p)
		return 0;
	if (p->enabled) { /* no connection's window ran */
		p->enabled = 0;
		command(p, "disable");
	}
	return p->err[0] ? -1 : 0;
}
