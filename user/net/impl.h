/* SPDX-License-Identifier: GPL-2.0-only */
/* The one thing A1..A6 differ in: how a message is sent. */
#ifndef CT_IMPL_H
#define CT_IMPL_H
#include <stdint.h>
#include "common/opts.h"
#include "common/result.h"

struct conn {
	int fd;
	const struct ct_opts *o;
	size_t size; /* message size for this connection */
	int pattern; /* stamp the verification pattern */
	struct side_result *r;
	void *priv; /* the implementation's state */
};

struct impl_ops {
	const char *name;
	int (*init)(struct conn *c);
	/* Stamps message seq (timestamp now) and sends all of it.
	 * Returns 0, or -1 with the error recorded in c->r. */
	int (*send)(struct conn *c, uint64_t seq);
	/* Waits for outstanding work (zerocopy completions), frees state.
	 * Returns 0, or -1 with the error recorded. */
	int (*finish)(struct conn *c);
};

extern const struct impl_ops impl_a1, impl_a2, impl_a3, impl_a4, impl_a5, impl_a6;
const struct impl_ops *impl_get(enum ct_impl i);

/* Records a socket failure (err = -errno) in c->r, naming a dead peer as such. */
int conn_error(struct conn *c, const char *what, ssize_t err);
#endif
