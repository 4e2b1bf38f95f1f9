/* SPDX-License-Identifier: GPL-2.0-only */
/* Pages held by reference in pipes on their way to a socket (a5): filled
 * from a file with splice (no copy), then spliced into the socket, either
 * handed over (the pipes empty) or kept for the next message (tee()
 * duplicates each pipe into a spare one first, again by reference). */
#ifndef CT_PAGEPIPE_H
#define CT_PAGEPIPE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pagepipes {
	int (*p)[2]; /* n pipes, pipe i holding file bytes [i*chunk, +plen[i]) */
	size_t *plen;
	int n;
	size_t chunk; /* bytes a pipe holds: whole pages */
	size_t len; /* bytes held in all */
	int keep; /* send by tee: the pages stay for the next send */
	int out[2]; /* keep: the spare pipe tee() fills */
};

/* Pipes for len bytes, each holding as much as a pipe may without
 * privileges (up to 1 MiB), the last one less. Returns 0, or -errno with
 * what failed in *what; pp_close() either way. */
int pp_open(struct pagepipes *pp, size_t len, int keep, const char **what);
/* splice()s bytes [0, len) of fd into the pipes (fd's pages, by
 * reference). In keep mode the write ends are closed afterwards: nothing
 * is added again. Returns 0 or -errno (-EIO: fd is shorter than len). */
int pp_fill(struct pagepipes *pp, int fd);
/* Splices all held bytes into sock (blocking; SPLICE_F_MORE but for the
 * last pipe). calls counts splice() calls into sock. Returns len or
 * -errno; EINTR is retried unless a stop was requested (ct_stop). */
ssize_t pp_send(struct pagepipes *pp, int sock, uint64_t *calls);
/* Closes the pipes (also of a failed, or a zeroed never opened, pp). */
void pp_close(struct pagepipes *pp);
#endif
