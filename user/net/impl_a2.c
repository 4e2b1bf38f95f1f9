// SPDX-License-Identifier: GPL-2.0-only
/* A2 one-copy: sendmsg() with an iovec over the header and the 8 field
 * buffers. No user-space gather; the kernel still copies into skbs. */
#include <stdlib.h>

#include "impl.h"
#include "msg.h"
#include "sockio.h"

static int a2_init(struct conn *c)
{
	struct ct_msg *m = calloc(1, sizeof(*m));
	if (!m || msg_alloc(m, c->size)) {
		free(m);
		side_error(c->r, "out of memory for %zu-byte message", c->size);
		return -1;
	}
	msg_fill_text(m);
	c->priv = m;
	return 0;
}

static int a2_send(struct conn *c, uint64_t seq)
{
	struct ct_msg *m = c->priv;
	msg_stamp(m, seq, now_ns(), c->pattern);
	ssize_t n = sendmsg_all(c->fd, m->iov, CT_FIELDS + 1, 0, NULL, &c->r->send_calls);
	if (n < 0)
		return conn_error(c, "sendmsg", n);
	side_sent(c->r, (uint64_t)n);
	c->r->messages_sent++;
	return 0;
}

static int a2_finish(struct conn *c)
{
	struct ct_msg *m = c->priv;
	if (m) {
		msg_free(m);
		free(m);
	}
	c->priv = NULL;
	return 0;
}

const struct impl_ops impl_a2 = { "a2", a2_init, a2_send, a2_finish };
