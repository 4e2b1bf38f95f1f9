// SPDX-License-Identifier: GPL-2.0-only
#include "pagepipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockio.h"

/* The default fs.pipe-max-size: the most an unprivileged process may ask
 * for; larger messages take several pipes rather than privileges. */
#define PP_MAX ((size_t)1 << 20)

/* A pipe that holds want bytes: resized towards it, halving on refusal (a
 * user over fs.pipe-user-pages-soft gets EPERM). Returns its capacity (0
 * on error). */
static size_t pipe_sized(int fd[2], size_t want, size_t pg)
{
	if (pipe2(fd, O_CLOEXEC)) {
		fd[0] = fd[1] = -1;
		return 0;
	}
	for (size_t w = want; w >= pg; w /= 2)
		if (fcntl(fd[0], F_SETPIPE_SZ, (int)w) >= 0)
			break;
	int n = fcntl(fd[0], F_GETPIPE_SZ);
	return n > 0 ? (size_t)n : 0;
}

int pp_open(struct pagepipes *pp, size_t len, int keep, const char **what)
{
	memset(pp, 0, sizeof(*pp));
	pp->len = len;
	pp->keep = keep;
	pp->out[0] = pp->out[1] = -1;
	if (!len)
		return 0;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t want = (len + pg - 1) / pg * pg;
	if (want > PP_MAX)
		want = PP_MAX;
	int first[2] = { -1, -1 };
	size_t cap = pipe_sized(first, want, pg) / pg * pg;
	*what = "creating a pipe";
	if (!cap) {
		int e = errno;
		if (first[0] >= 0) {
			close(first[0]);
			close(first[1]);
		}
		return -e;
	}
	pp->chunk = cap;
	size_t n = (len + pp->chunk - 1) / pp->chunk;
	pp->p = calloc(n, sizeof(*pp->p));
	pp->plen = calloc(n, sizeof(*pp->plen));
	if (!pp->p || !pp->plen) {
		close(first[0]);
		close(first[1]);
		*what = "allocating the pipe table";
		return -ENOMEM;
	}
	/* The first pipe is the spare one (keep) or holds the first chunk. */
	if (keep) {
		pp->out[0] = first[0];
		pp->out[1] = first[1];
	}
	for (size_t i = 0; i < n; i++) {
		size_t share = len - i * pp->chunk < pp->chunk ? len - i * pp->chunk : pp->chunk;
		if (i == 0 && !keep) {
			pp->p[0][0] = first[0];
			pp->p[0][1] = first[1];
		} else if (pipe_sized(pp->p[i], pp->chunk, pg) < pp->chunk) {
			int e = errno;
			if (pp->p[i][0] >= 0) {
				close(pp->p[i][0]);
				close(pp->p[i][1]);
				e = ENOMEM;
				*what = "sizing a pipe (over fs.pipe-user-pages-soft?)";
			}
			return -e;
		}
		pp->n = (int)i + 1; /* open from here on: pp_close closes it */
		pp->plen[i] = share;
	}
	return 0;
}

int pp_fill(struct pagepipes *pp, int fd)
{
	loff_t off = 0;
	for (int i = 0; i < pp->n; i++) {
		for (size_t done = 0; done < pp->plen[i];) {
			ssize_t k = splice(fd, &off, pp->p[i][1], NULL, pp->plen[i] - done, 0);
			if (k < 0 && errno == EINTR && !ct_stop)
				continue;
			if (k < 0)
				return -errno;
			if (k == 0) /* the file is shorter than we think: never spin */
				return -EIO;
			done += (size_t)k;
		}
		if (pp->keep) { /* held for good: nothing is added again */
			close(pp->p[i][1]);
			pp->p[i][1] = -1;
		}
	}
	return 0;
}

/* splice() n bytes from the pipe rd into sock. */
static ssize_t drain(int rd, int sock, size_t n, int more, uint64_t *calls)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = splice(rd, NULL, sock, NULL, n - done, more ? SPLICE_F_MORE : 0);
		if (k < 0 && errno == EINTR && !ct_stop)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO;
		(*calls)++;
		done += (size_t)k;
	}
	return (ssize_t)n;
}

ssize_t pp_send(struct pagepipes *pp, int sock, uint64_t *calls)
{
	for (int i = 0; i < pp->n; i++) {
		int rd = pp->p[i][0];
		if (pp->keep) {
			/* the spare pipe is empty and as large as any held one:
			 * tee takes all of pipe i at once, or fails */
			ssize_t t;
			do
				t = tee(rd, pp->out[1], pp->plen[i], 0);
			while (t < 0 && errno == EINTR && !ct_stop);
			if (t < 0)
				return -errno;
			if ((size_t)t != pp->plen[i])
				return -EIO;
			rd = pp->out[0];
		}
		ssize_t k = drain(rd, sock, pp->plen[i], i + 1 < pp->n, calls);
		if (k < 0)
			return k;
	}
	return (ssize_t)pp->len;
}

void pp_close(struct pagepipes *pp)
{
	for (int i = 0; i < pp->n; i++)
		for (int e = 0; e < 2; e++)
			if (pp->p[i][e] >= 0)
				close(pp->p[i][e]);
	for (int e = 0; e < 2 && pp->keep; e++)
		if (pp->out[e] >= 0)
			close(pp->out[e]);
	free(pp->p);
	free(pp->plen);
	memset(pp, 0, sizeof(*pp));
	pp->out[0] = pp->out[1] = -1;
}
