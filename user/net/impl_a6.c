// SPDX-License-Identifier: GPL-2.0-only
/* A6, kernel TLS: the same message over a socket whose sends the kernel
 * encrypts (TCP_ULP "tls" + TLS_TX, AES-GCM-128 with ktls.c's fixed test
 * keys; the client decrypts with TLS_RX). Two ways to feed it:
 *  - copy (--tls-send copy, the default): sendmsg() with a2's iovec; the
 *    kernel copies the plaintext into its record buffers and encrypts
 *    them into others;
 *  - sendfile (--tls-send sendfile): the 32-byte header by send(MSG_MORE),
 *    which keeps the record open, then the 8 fields by sendfile() from a
 *    memfd where they lie back to back (as in a5). The kernel takes the
 *    pages by reference into the open record, but software kTLS must still
 *    read them to encrypt into new buffers: "by reference" ends there.
 * Fields rewritten per message (--verify's pattern) go into fresh pages:
 * the memfd's old ones are cut out of the file first (ftruncate to 0 and
 * back, as a5 does), so a record the kernel has not encrypted yet (async
 * crypto) still holds the previous message's bytes, never a mix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "impl.h"
#include "ktls.h"
#include "msg.h"
#include "sockio.h"

struct a6 {
	struct ct_msg m; /* copy: msg_alloc's buffers; sendfile: hdr on the
			  * heap, fields in the memfd's mapping */
	int mfd;
	char *map;
	size_t plen;
	int tx_on; /* TLS_TX set: on the first send, after the clear ready */
};

static void a6_free(struct a6 *s)
{
	if (s->mfd >= 0) {
		if (s->map)
			munmap(s->map, s->plen);
		close(s->mfd);
		free(s->m.hdr);
	} else if (s->m.hdr) {
		msg_free(&s->m);
	}
	free(s);
}

static int fail(struct conn *c, struct a6 *s, const char *what, int err)
{
	side_error(c->r, "a6: %s: %s", what, strerror(err));
	a6_free(s);
	return -1;
}

/* The fields in a memfd, back to back (sendfile mode). */
static int memfd_fields(struct conn *c, struct a6 *s)
{
	struct ct_msg *m = &s->m;
	m->size = c->size;
	msg_split(s->plen, m->flen);
	if (!(m->hdr = calloc(1, CT_HDR_SIZE)))
		return fail(c, s, "allocating the header", ENOMEM);
	const char *what = "";
	if (msg_fields_in_memfd(m, "copytrace-a6", s->plen, &s->mfd, &s->map, &what))
		return fail(c, s, what, errno);
	return 0;
}

static int a6_init(struct conn *c)
{
	struct a6 *s = calloc(1, sizeof(*s));
	if (!s) {
		side_error(c->r, "out of memory for the a6 state");
		return -1;
	}
	s->mfd = -1;
	s->plen = c->size - CT_HDR_SIZE;
	if (c->o->tls_send == TLS_SEND_SENDFILE) {
		if (memfd_fields(c, s))
			return -1;
	} else if (msg_alloc(&s->m, c->size)) {
		s->m.hdr = NULL;
		return fail(c, s, "allocating the message", ENOMEM);
	}
	msg_fill_text(&s->m);
	c->priv = s;
	return 0;
}

/* sendfile mode: the header into the open record, then the fields. */
static int send_by_file(struct conn *c, struct a6 *s)
{
	for (size_t done = 0; done < CT_HDR_SIZE;) {
		ssize_t n = send(c->fd, (char *)s->m.hdr + done, CT_HDR_SIZE - done,
				 MSG_NOSIGNAL | (s->plen ? MSG_MORE : 0));
		if (n < 0 && errno == EINTR && !ct_stop)
			continue;
		if (n < 0)
			return conn_error(c, "send", -errno);
		c->r->send_calls++;
		done += (size_t)n;
	}
	side_sent(c->r, CT_HDR_SIZE);
	off_t off = 0;
	while ((size_t)off < s->plen) {
		ssize_t n = sendfile(c->fd, s->mfd, &off, s->plen - (size_t)off);
		if (n < 0 && errno == EINTR && !ct_stop)
			continue;
		if (n < 0)
			return conn_error(c, "sendfile", -errno);
		if (n == 0)
			return conn_error(c, "sendfile", -EPIPE);
		c->r->send_calls++;
		c->r->sendfile_calls++;
		c->r->sendfile_bytes += (uint64_t)n;
		side_sent(c->r, (uint64_t)n);
	}
	return 0;
}

static int a6_send(struct conn *c, uint64_t seq)
{
	struct a6 *s = c->priv;
	char why[200];
	/* the ready and the server's hello went in the clear: a client not
	 * told --impl learns a6 from them before it turns TLS_RX on */
	if (!s->tx_on && ktls_enable(c->fd, TLS_TX, why, sizeof(why))) {
		side_error(c->r, "a6: %s", why);
		return -1;
	}
	s->tx_on = 1;
	if (s->mfd >= 0 && c->pattern && s->plen) {
		if (ftruncate(s->mfd, 0) || ftruncate(s->mfd, (off_t)s->plen)) {
			side_error(c->r, "a6: detaching the previous message's pages: %s",
				   strerror(errno));
			return -1;
		}
		c->r->detached_bytes += s->plen;
	}
	msg_stamp(&s->m, seq, now_ns(), c->pattern);
	if (s->mfd >= 0) {
		if (send_by_file(c, s))
			return -1;
	} else {
		ssize_t n = sendmsg_all(c->fd, s->m.iov, CT_FIELDS + 1, 0, NULL, &c->r->send_calls);
		if (n < 0)
			return conn_error(c, "sendmsg", n);
		side_sent(c->r, (uint64_t)n);
	}
	c->r->messages_sent++;
	return 0;
}

static int a6_finish(struct conn *c)
{
	if (c->priv)
		a6_free(c->priv);
	c->priv = NULL;
	return 0;
}

const struct impl_ops impl_a6 = { "a6", a6_init, a6_send, a6_finish };
