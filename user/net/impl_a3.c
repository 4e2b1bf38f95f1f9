// SPDX-License-Identifier: GPL-2.0-only
/* A3 zero-copy: SO_ZEROCOPY + sendmsg(MSG_ZEROCOPY) over the field buffers.
 * The kernel pins the pages instead of copying, so a slot's buffers may be
 * written again only after the error queue reports its ids completed
 * (completion handling as in the kernel's selftests/net/msg_zerocopy.c). */
#include <errno.h>
#include <time.h> /* before linux/errqueue.h, which needs struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "impl.h"
#include "msg.h"
#include "sockio.h"
#include "zc_track.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

/* message slots per connection: covers the default maximum send buffer
 * (tcp_wmem) */
#define SLOT_BUDGET (4u << 20)
#define DRAIN_TIMEOUT_MS 10000
#define WAIT_MS 250 /* a slot wait looks at the stop flag this often */

struct slot {
	struct ct_msg m;
	uint32_t last_id; /* id of the last sendmsg that carried this slot */
	int busy;
};

struct a3 {
	struct zc_track zc;
	int nslots, next;
	struct slot *slot;
	uint64_t stop_seen; /* for stop_grace_over */
};

/* Reads every queued notification. Returns how many were read, -1 on a
 * malformed one (recorded). */
static int read_errqueue(struct conn *c, struct a3 *s)
{
	int got = 0;
	for (;;) {
		char ctrl[128];
		struct msghdr mh = { .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };
		if (recvmsg(c->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return got;
			side_error(c->r, "recvmsg(MSG_ERRQUEUE): %s", strerror(errno));
			return -1;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
				continue;
			struct sock_extended_err ee;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee.ee_errno != 0) {
				side_error(c->r,
					   "unexpected error-queue message (origin %u, errno %u)",
					   ee.ee_origin, ee.ee_errno);
				return -1;
			}
			if (zc_complete(&s->zc, ee.ee_info, ee.ee_data,
					ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED) < 0) {
				side_error(c->r, "zerocopy completion [%u, %u] for ids never sent",
					   ee.ee_info, ee.ee_data);
				return -1;
			}
			got++;
		}
	}
}

/* Blocks (poll, no spinning) until a notification arrives or timeout.
 * Returns notifications read, or -1 with the error recorded. */
static int wait_completion(struct conn *c, struct a3 *s, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = 0 };
	uint64_t t0 = now_ns();
	int n = poll(&p, 1, timeout_ms);
	c->r->zc_waits++;
	c->r->zc_wait_ns += now_ns() - t0;
	if (n < 0 && errno != EINTR) {
		side_error(c->r, "poll: %s", strerror(errno));
		return -1;
	}
	int got = read_errqueue(c, s);
	if (got != 0 || n <= 0)
		return got;
	/* poll returned at once with nothing queued: a socket error (POLLERR,
	 * e.g. a reset) or a closed connection (POLLHUP). Both stay up, so
	 * polling again would spin. An error ends the connection. */
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
		return conn_error(c, "waiting for zerocopy completions", -err);
	/* Closed: the kernel still reports the ids of the skbs it frees. */
	poll(NULL, 0, timeout_ms < 10 ? timeout_ms : 10);
	return read_errqueue(c, s);
}

/* After a stop request a wait may go on for the grace period only. */
static int stopped(struct conn *c, struct a3 *s)
{
	if (!stop_grace_over(&s->stop_seen))
		return 0;
	side_error(c->r, "stopped with %u zerocopy completions still outstanding after %d ms",
		   zc_outstanding(&s->zc), CT_STOP_GRACE_MS);
	return 1;
}

/* sendmsg hit the optmem/locked-memory limit (ENOBUFS) or EAGAIN: room
 * comes back as completions free their notification skbs. */
static int on_block(void *arg, int err)
{
	struct conn *c = arg;
	struct a3 *s = c->priv;
	(void)err;
	c->r->zc_backoffs++;
	if (stopped(c, s))
		return -1;
	if (zc_outstanding(&s->zc) == 0) {
		poll(NULL, 0, 1); /* nothing to wait for: back off briefly */
		return 0;
	}
	return wait_completion(c, s, 100) < 0 ? -1 : 0;
}

/* Registered per call, not per message: the error queue may report a
 * partial send's id while the rest of the message is still in on_block. */
static void on_sent(void *arg)
{
	struct conn *c = arg;
	zc_taken(&((struct a3 *)c->priv)->zc, 1);
}

static int a3_init(struct conn *c)
{
	int one = 1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		side_error(c->r, "setsockopt(SO_ZEROCOPY): %s (kernel 4.14+ needed)",
			   strerror(errno));
		return -1;
	}
	struct a3 *s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	zc_init(&s->zc);
	s->nslots = c->o->slots;
	if (!s->nslots) {
		size_t n = SLOT_BUDGET / c->size;
		s->nslots = n < 2 ? 2 : n > 256 ? 256 : (int)n;
	}
	s->slot = calloc((size_t)s->nslots, sizeof(*s->slot));
	if (!s->slot)
		goto oom;
	c->priv = s;
	for (int i = 0; i < s->nslots; i++) {
		if (msg_alloc(&s->slot[i].m, c->size))
			goto oom;
		/* Same text in every slot: fill one, copy it to the rest. */
		if (i == 0)
			msg_fill_text(&s->slot[0].m);
		else
			for (int f = 0; f < CT_FIELDS; f++)
				memcpy(s->slot[i].m.field[f], s->slot[0].m.field[f],
				       s->slot[0].m.flen[f]);
	}
	return 0;
oom:
	side_error(c->r, "out of memory for zerocopy slots");
	return -1;
}

static int a3_send(struct conn *c, uint64_t seq)
{
	struct a3 *s = c->priv;
	struct slot *sl = &s->slot[s->next];

	/* Never touch a slot whose pages the kernel may still be reading, and
	 * keep outstanding ids inside the tracker's window. */
	while ((sl->busy && !zc_is_done(&s->zc, sl->last_id)) ||
	       zc_outstanding(&s->zc) >= ZC_WINDOW - 64)
		if (stopped(c, s) || wait_completion(c, s, WAIT_MS) < 0)
			return -1;
	msg_stamp(&sl->m, seq, now_ns(), c->pattern);
	uint64_t calls = 0;
	const struct send_hooks h = { on_block, on_sent, c };
	ssize_t n = sendmsg_all(c->fd, sl->m.iov, CT_FIELDS + 1, MSG_ZEROCOPY, &h, &calls);
	if (n < 0)
		return conn_error(c, "sendmsg(MSG_ZEROCOPY)", n);
	sl->last_id = s->zc.next_id - 1;
	sl->busy = 1;
	s->next = (s->next + 1) % s->nslots;
	c->r->send_calls += calls;
	c->r->zc_sends += calls;
	side_sent(c->r, (uint64_t)n);
	c->r->messages_sent++;
	/* Completions are read when a slot is needed; reading them here too
	 * would cost a syscall per message, so only do it once half the ring
	 * is waiting (keeps the error queue and optmem use short). */
	if (zc_outstanding(&s->zc) > (uint32_t)s->nslots / 2 + 1)
		return read_errqueue(c, s) < 0 ? -1 : 0;
	return 0;
}

static int a3_finish(struct conn *c)
{
	struct a3 *s = c->priv;
	int rc = 0;
	if (!s)
		return 0;
	/* Drain every outstanding completion before the buffers go away;
	 * after a failure, don't make the user wait long for stragglers. An
	 * error on the way (a reset) doesn't end the drain: the kernel still
	 * reports the ids of the skbs it frees. */
	int limit_ms = c->r->ok ? DRAIN_TIMEOUT_MS : 1000;
	uint64_t deadline = now_ns() + (uint64_t)limit_ms * 1000000ull;
	while (zc_outstanding(&s->zc) && now_ns() < deadline && !stopped(c, s))
		if (wait_completion(c, s, 100) < 0)
			rc = -1;
	uint32_t left = zc_outstanding(&s->zc);
	if (left) {
		side_error(c->r, "%u zerocopy completions did not arrive within %d ms", left,
			   limit_ms);
		rc = -1;
	}
	c->r->zc_notifications += s->zc.notifications;
	c->r->zc_completions += s->zc.completed;
	c->r->zc_copied += s->zc.copied;
	/* Ids left mean the kernel may still read these buffers' pages: data
	 * not yet sent, which even close() (our caller's, after us) leaves to
	 * be sent later. Freed, the heap would hand them out again and the
	 * peer would get whatever is written there next, so they stay
	 * allocated: a leak of one connection's slots, only when it failed. */
	for (int i = 0; i < s->nslots && !left; i++)
		msg_free(&s->slot[i].m);
	free(s->slot);
	free(s);
	c->priv = NULL;
	return rc;
}

const struct impl_ops impl_a3 = { "a3", a3_init, a3_send, a3_finish };
