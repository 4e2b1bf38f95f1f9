// SPDX-License-Identifier: GPL-2.0-only
/* A4 zero-copy through io_uring: IORING_OP_SENDMSG_ZC over the header and
 * the 8 fields, one ring per connection. Each request's first CQE says how
 * much was sent; with IORING_CQE_F_MORE a second, notification CQE
 * (IORING_CQE_F_NOTIF) follows once the kernel holds no reference to the
 * pages any more. A slot is written again only after every notification
 * it is owed has arrived. With registered buffers (a region per slot,
 * io_uring_register_buffers, IORING_RECVSEND_FIXED_BUF) the pages are
 * pinned once, not on every send; kernels whose SENDMSG_ZC refuses fixed
 * buffers (before 6.15) pin per send instead, and the mode is reported. */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "impl.h"
#include "msg.h"
#include "sockio.h"

/* Debian bookworm's liburing 2.3 predates these (kernel 6.2 uapi). */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

#define SLOT_BUDGET (4u << 20) /* as a3: covers the default maximum send buffer */
#define WAIT_MS 250 /* a wait looks at the stop flag this often */
#define DRAIN_TIMEOUT_MS 10000
#define FIELD_ALIGN 64

struct a4_slot {
	struct ct_msg m; /* carved out of base: header, then the 8 fields */
	char *base;
	size_t len;
	int results; /* requests whose result CQE has not arrived */
	int notifs; /* notifications owed (F_MORE results - notifications) */
};

struct a4 {
	struct io_uring ring;
	int nslots, next;
	struct a4_slot *slot;
	int fixed; /* registered buffers in use */
	char why[64]; /* why not, when not */
	int usage; /* the kernel takes IORING_SEND_ZC_REPORT_USAGE */
	int decided; /* a request was accepted: the fallbacks are settled */
	long owed; /* notifications owed over all slots */
	int have_result, result;
	struct msghdr mh; /* the one request in flight */
	struct iovec iov[CT_FIELDS + 1];
	uint64_t stop_seen;
};

/* One line for io_uring_setup's failure: which switch turned it off. */
static void setup_error(struct conn *c, int err)
{
	long v = -1;
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	if (err == -ENOSYS)
		side_error(c->r,
			   "io_uring is not available: io_uring_setup: %s (kernel without "
			   "io_uring, or a seccomp filter blocks it)",
			   strerror(-err));
	else if (err == -EPERM && v == 2)
		side_error(c->r, "io_uring is disabled on this host (kernel.io_uring_disabled=2)");
	else if (err == -EPERM && v == 1)
		side_error(c->r,
			   "io_uring is disabled for this process (kernel.io_uring_disabled=1 "
			   "and not in kernel.io_uring_group)");
	else if (err == -EPERM)
		side_error(c->r,
			   "io_uring is not permitted: io_uring_setup: %s (a seccomp filter "
			   "or security module forbids it)",
			   strerror(-err));
	else
		side_error(c->r, "io_uring_setup: %s", strerror(-err));
}

/* Lays a message out in one mapping (header, then each field at its own
 * aligned offset, NUL-terminated like msg_alloc's strings), so the slot is
 * a single registered buffer. */
static int slot_alloc(struct a4_slot *sl, size_t size)
{
	struct ct_msg *m = &sl->m;
	memset(sl, 0, sizeof(*sl));
	m->size = size;
	msg_split(size - CT_HDR_SIZE, m->flen);
	size_t off = FIELD_ALIGN, at[CT_FIELDS];
	for (int i = 0; i < CT_FIELDS; i++) {
		at[i] = off;
		off += (m->flen[i] + 1 + FIELD_ALIGN - 1) / FIELD_ALIGN * FIELD_ALIGN;
	}
	sl->len = off;
	sl->base = mmap(NULL, off, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sl->base == MAP_FAILED) {
		sl->base = NULL;
		return -1;
	}
	m->hdr = (struct ct_hdr *)sl->base;
	m->iov[0] = (struct iovec){ m->hdr, CT_HDR_SIZE };
	for (int i = 0; i < CT_FIELDS; i++) {
		m->field[i] = sl->base + at[i];
		m->iov[i + 1] = (struct iovec){ m->field[i], m->flen[i] };
	}
	return 0;
}

/* One CQE: a request's result or its notification (same user_data). */
static int on_cqe(struct conn *c, struct a4 *s, const struct io_uring_cqe *cqe)
{
	if (cqe->user_data >= (uint64_t)s->nslots) {
		side_error(c->r, "io_uring: completion for unknown request %llu",
			   (unsigned long long)cqe->user_data);
		return -1;
	}
	struct a4_slot *sl = &s->slot[cqe->user_data];
	if (cqe->flags & IORING_CQE_F_NOTIF) {
		sl->notifs--;
		s->owed--;
		c->r->zc_notifications++;
		c->r->zc_completions++;
		if (s->usage && (cqe->res & IORING_NOTIF_USAGE_ZC_COPIED))
			c->r->zc_copied++;
	} else {
		sl->results--;
		if (cqe->flags & IORING_CQE_F_MORE) {
			sl->notifs++;
			s->owed++;
			c->r->zc_sends++;
		}
		s->result = cqe->res;
		s->have_result = 1;
	}
	/* A notification nobody announced would leave the count wrong forever. */
	if (!sl->results && sl->notifs < 0) {
		side_error(c->r, "io_uring: notification without IORING_CQE_F_MORE on slot %llu",
			   (unsigned long long)cqe->user_data);
		return -1;
	}
	return 0;
}

/* Waits up to timeout_ms for a CQE (0: don't wait), then handles every CQE
 * queued. Returns how many, or -1 with the error recorded. */
static int reap(struct conn *c, struct a4 *s, int timeout_ms)
{
	struct io_uring_cqe *cqe;
	if (timeout_ms) {
		struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000,
						.tv_nsec = (timeout_ms % 1000) * 1000000L };
		uint64_t t0 = now_ns();
		int rc = io_uring_wait_cqe_timeout(&s->ring, &cqe, &ts);
		c->r->zc_waits++;
		c->r->zc_wait_ns += now_ns() - t0;
		if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN) {
			side_error(c->r, "io_uring_wait_cqe: %s", strerror(-rc));
			return -1;
		}
	}
	unsigned head, n = 0;
	int rc = 0;
	io_uring_for_each_cqe(&s->ring, head, cqe)
	{
		n++;
		if ((rc = on_cqe(c, s, cqe)))
			break;
	}
	io_uring_cq_advance(&s->ring, n);
	return rc ? -1 : (int)n;
}

/* After a stop request a wait may go on for the grace period only. */
static int stopped(struct conn *c, struct a4 *s)
{
	if (!stop_grace_over(&s->stop_seen))
		return 0;
	side_error(c->r,
		   "stopped with %ld io_uring zerocopy notifications still outstanding "
		   "after %d ms",
		   s->owed, CT_STOP_GRACE_MS);
	return 1;
}

/* Queues the rest of slot idx's message from byte done on. Requests go one
 * at a time: io_uring does not order independent requests on a socket, so
 * a second one could overtake a first one that waits for room. */
static int submit(struct conn *c, struct a4 *s, int idx, size_t done)
{
	struct a4_slot *sl = &s->slot[idx];
	int n = 0;
	for (int i = 0; i < CT_FIELDS + 1; i++) {
		struct iovec v = sl->m.iov[i];
		if (done >= v.iov_len) {
			done -= v.iov_len;
			continue;
		}
		s->iov[n++] = (struct iovec){ (char *)v.iov_base + done, v.iov_len - done };
		done = 0;
	}
	s->mh = (struct msghdr){ .msg_iov = s->iov, .msg_iovlen = (size_t)n };
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	if (!sqe) { /* cannot happen with one request at a time */
		side_error(c->r, "io_uring: submission queue full");
		return -1;
	}
	/* MSG_WAITALL: the kernel retries a short send itself (io_net_retry). */
	io_uring_prep_sendmsg_zc(sqe, c->fd, &s->mh, MSG_NOSIGNAL | MSG_WAITALL);
	if (s->usage)
		sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE;
	if (s->fixed) {
		sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
		sqe->buf_index = (uint16_t)idx;
	}
	io_uring_sqe_set_data64(sqe, (uint64_t)idx);
	sl->results++;
	int rc = io_uring_submit(&s->ring);
	if (rc != 1) {
		sl->results--;
		side_error(c->r, "io_uring_submit: %s",
			   rc < 0 ? strerror(-rc) : "nothing submitted");
		return -1;
	}
	return 0;
}

static int a4_init(struct conn *c)
{
	struct a4 *s = calloc(1, sizeof(*s));
	if (!s) {
		side_error(c->r, "out of memory for io_uring state");
		return -1;
	}
	s->nslots = c->o->slots;
	if (!s->nslots) {
		size_t n = SLOT_BUDGET / c->size;
		s->nslots = n < 2 ? 2 : n > 256 ? 256 : (int)n;
	}
	/* Room for every slot's notification plus a partial send or two
	 * (the kernel keeps overflow anyway: IORING_FEAT_NODROP). */
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 4u * (unsigned)s->nslots + 16 };
	int rc = io_uring_queue_init_params(8, &s->ring, &p);
	if (rc < 0) {
		setup_error(c, rc);
		free(s);
		return -1;
	}
	c->priv = s;
	struct io_uring_probe *pr = io_uring_get_probe_ring(&s->ring);
	int have = pr && io_uring_opcode_supported(pr, IORING_OP_SENDMSG_ZC);
	io_uring_free_probe(pr);
	if (!have) {
		struct utsname u;
		uname(&u);
		side_error(c->r,
			   "io_uring on this kernel (%s) has no IORING_OP_SENDMSG_ZC: "
			   "zero-copy send through io_uring needs Linux 6.0 or later",
			   u.release);
		return -1;
	}
	s->slot = calloc((size_t)s->nslots, sizeof(*s->slot));
	struct iovec *reg = calloc((size_t)s->nslots, sizeof(*reg));
	if (!s->slot || !reg) {
		free(reg);
		side_error(c->r, "out of memory for zerocopy slots");
		return -1;
	}
	for (int i = 0; i < s->nslots; i++) {
		if (slot_alloc(&s->slot[i], c->size)) {
			free(reg);
			side_error(c->r, "cannot map %d zerocopy slots of %zu bytes", s->nslots,
				   c->size);
			return -1;
		}
		if (i == 0)
			msg_fill_text(&s->slot[0].m);
		else
			for (int f = 0; f < CT_FIELDS; f++)
				memcpy(s->slot[i].m.field[f], s->slot[0].m.field[f],
				       s->slot[0].m.flen[f]);
		reg[i] = (struct iovec){ s->slot[i].base, s->slot[i].len };
	}
	/* Pins every slot once. Fails e.g. over RLIMIT_MEMLOCK without
	 * CAP_IPC_LOCK: then each send pins its pages instead. */
	rc = io_uring_register_buffers(&s->ring, reg, (unsigned)s->nslots);
	free(reg);
	s->fixed = rc == 0;
	if (rc < 0)
		snprintf(s->why, sizeof(s->why), "registering buffers: %s", strerror(-rc));
	s->usage = 1;
	return 0;
}

/* sendmsg found no room (EAGAIN) or no memory (ENOBUFS): room comes back
 * as notifications free their skbs; with none owed, back off briefly. */
static int backoff(struct conn *c, struct a4 *s)
{
	c->r->zc_backoffs++;
	if (stopped(c, s))
		return -1;
	if (s->owed <= 0) {
		poll(NULL, 0, 1);
		return 0;
	}
	return reap(c, s, 100) < 0 ? -1 : 0;
}

static int a4_send(struct conn *c, uint64_t seq)
{
	struct a4 *s = c->priv;
	int idx = s->next;
	struct a4_slot *sl = &s->slot[idx];

	/* Never touch a slot whose pages the kernel may still be reading. */
	while (sl->results || sl->notifs)
		if (stopped(c, s) || reap(c, s, WAIT_MS) < 0)
			return -1;
	msg_stamp(&sl->m, seq, now_ns(), c->pattern);
	size_t done = 0;
	while (done < sl->m.size) {
		if (submit(c, s, idx, done))
			return -1;
		while (!s->have_result)
			if (stopped(c, s) || reap(c, s, WAIT_MS) < 0)
				return -1;
		s->have_result = 0;
		int res = s->result;
		if (res > 0) {
			done += (size_t)res;
			c->r->send_calls++;
			s->decided = 1;
			continue;
		}
		/* The first request settles what this kernel takes: vectored
		 * fixed buffers came in 6.15, usage reports in 6.2. */
		if (res == -EINVAL && !s->decided && s->fixed) {
			s->fixed = 0;
			snprintf(s->why, sizeof(s->why),
				 "kernel refuses fixed buffers for SENDMSG_ZC");
			continue;
		}
		if (res == -EINVAL && !s->decided && s->usage) {
			s->usage = 0;
			continue;
		}
		/* Without CAP_IPC_LOCK io_uring charges pages pinned per send to
		 * RLIMIT_MEMLOCK and says ENOMEM: room comes back as owed
		 * notifications arrive; with none owed, waiting cannot help. */
		if (res == -EAGAIN || res == -ENOBUFS || (res == -ENOMEM && s->owed > 0)) {
			if (backoff(c, s))
				return -1;
			continue;
		}
		if (res == -EINTR && !ct_stop)
			continue;
		if (res == -ENOMEM) {
			side_error(c->r,
				   "io_uring sendmsg_zc: %s (pinned pages over RLIMIT_MEMLOCK?)",
				   strerror(ENOMEM));
			return -1;
		}
		return conn_error(c, "io_uring sendmsg_zc", res ? res : -EPIPE);
	}
	s->next = (s->next + 1) % s->nslots;
	side_sent(c->r, done);
	c->r->messages_sent++;
	/* Collect notifications that are already there (no syscall). */
	return reap(c, s, 0) < 0 ? -1 : 0;
}

static int pending(const struct a4 *s)
{
	if (s->owed)
		return 1;
	for (int i = 0; i < s->nslots; i++)
		if (s->slot[i].results)
			return 1;
	return 0;
}

static int a4_finish(struct conn *c)
{
	struct a4 *s = c->priv;
	int rc = 0;
	if (!s)
		return 0;
	if (s->slot) {
		int limit_ms = c->r->ok ? DRAIN_TIMEOUT_MS : 1000;
		uint64_t deadline = now_ns() + (uint64_t)limit_ms * 1000000ull;
		while (pending(s) && now_ns() < deadline && !stopped(c, s))
			if (reap(c, s, 100) < 0)
				rc = -1;
		if (pending(s)) {
			side_error(
				c->r,
				"%ld io_uring zerocopy notifications did not arrive within %d ms",
				s->owed, limit_ms);
			rc = -1;
		}
		/* Which mode ran; without usage reports zc_copied means nothing. */
		if (s->fixed)
			snprintf(c->r->zc_mode, sizeof(c->r->zc_mode), "registered-buffers");
		else
			snprintf(c->r->zc_mode, sizeof(c->r->zc_mode), "pinned-per-send (%.64s)",
				 s->why);
		if (!s->usage)
			strcat(c->r->zc_mode, ", no usage report (before 6.2)");
	}
	/* Closing the ring cancels what is left and drops the registration.
	 * Unmapping is safe even with notifications outstanding (unlike a3's
	 * heap buffers): pages the kernel still holds stay its own, and a new
	 * mapping never gets them back. */
	io_uring_queue_exit(&s->ring);
	for (int i = 0; s->slot && i < s->nslots; i++)
		if (s->slot[i].base)
			munmap(s->slot[i].base, s->slot[i].len);
	free(s->slot);
	free(s);
	c->priv = NULL;
	return rc;
}

const struct impl_ops impl_a4 = { "a4", a4_init, a4_send, a4_finish };
