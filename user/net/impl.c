/* The implementation table and the connection error helper every
 * implementation shares. */
#include "impl.h"
#include "sockio.h"

#include <errno.h>
#include <string.h>

const struct impl_ops *impl_get(enum ct_impl i)
{
	static const struct impl_ops *const t[] = { &impl_a1, &impl_a2, &impl_a3,
						     &impl_a4, &impl_a5 };
	return t[i];
}

int conn_error(struct conn *c, const char *what, ssize_t err)
{
	if ((err == -EPIPE || err == -ECONNRESET) && ct_stop)
		side_error(c->r, "interrupted while the client was not reading: connection cut "
			   "(%s: %s)", what, strerror((int)-err));
	else if (err == -EPIPE || err == -ECONNRESET)
		side_error(c->r, "client closed the connection mid-run (%s: %s)", what,
			   strerror((int)-err));
	else
		side_error(c->r, "%s: %s", what, strerror((int)-err));
	return -1;
}
