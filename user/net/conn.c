// SPDX-License-Identifier: GPL-2.0-only
/* The connection error every implementation reports the same way. */
#include "impl.h"
#include "sockio.h"

#include <errno.h>
#include <string.h>

int conn_error(struct conn *c, const char *what, ssize_t err)
{
	if ((err == -EPIPE || err == -ECONNRESET) && ct_stop)
		side_error(c->r,
			   "interrupted while the client was not reading: connection cut "
			   "(%s: %s)",
			   what, strerror((int)-err));
	else if (err == -EPIPE || err == -ECONNRESET)
		side_error(c->r, "client closed the connection mid-run (%s: %s)", what,
			   strerror((int)-err));
	else if (err == -ETIMEDOUT || err == -EHOSTUNREACH || err == -ENETUNREACH)
		/* TCP_USER_TIMEOUT: nothing acknowledged that long, the peer gone
		 * without a reset (the error is the last ICMP/neighbour one, if any) */
		side_error(c->r,
			   "client gone mid-run: nothing acknowledged within --peer-timeout %g s "
			   "(%s: %s)",
			   c->o->peer_timeout > 0 ? c->o->peer_timeout : CT_PEER_TIMEOUT_S, what,
			   strerror((int)-err));
	else
		side_error(c->r, "%s: %s", what, strerror((int)-err));
	return -1;
}
