// SPDX-License-Identifier: GPL-2.0-only
/* A1 two-copy: gather the 8 fields into one buffer in user space
 * (ct_gather), then send(); the kernel copies it again into skbs. */
#include <stdlib.h>

#include "gather.h"
#include "impl.h"
#include "msg.h"
#include "sockio.h"

struct a1 {
	struct ct_msg m;
	char *buf; /* the contiguous send buffer */
};

static int a1_init(struct conn *c)
{
	struct a1 *s = calloc(1, sizeof(*s));
	if (!s || msg_alloc(&s->m, c->size) || !(s->buf = malloc(c->size))) {
		free(s);
		side_error(c->r, "out of memory for %zu-byte message", c->size);
		return -1;
	}
	msg_fill_text(&s->m);
	c->priv = s;
	return 0;
}

static int a1_send(struct conn *c, uint64_t seq)
{
	struct a1 *s = c->priv;
	msg_stamp(&s->m, seq, now_ns(), c->pattern);
	c->r->gather_bytes += ct_gather(s->buf, s->m.iov, CT_FIELDS + 1);
	ssize_t n = send_all(c->fd, s->buf, s->m.size, &c->r->send_calls);
	if (n < 0)
		return conn_error(c, "send", n);
	side_sent(c->r, (uint64_t)n);
	c->r->messages_sent++;
	return 0;
}

static int a1_finish(struct conn *c)
{
	struct a1 *s = c->priv;
	/* before the tracer detaches: which path its uprobe took */
	if (!c->r->probe_site[0])
		ct_gather_probe_site(c->r->probe_site, sizeof(c->r->probe_site));
	if (s) {
		msg_free(&s->m);
		free(s->buf);
		free(s);
	}
	c->priv = NULL;
	return 0;
}

const struct impl_ops impl_a1 = { "a1", a1_init, a1_send, a1_finish };
