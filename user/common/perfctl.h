/* SPDX-License-Identifier: GPL-2.0-only */
/* ctrun --perf-ctl CTL,ACK: the client tells `perf stat -D -1 --control
 * fifo:CTL,ACK` (started with counting disabled) to count exactly its
 * measuring window: "enable" when the window starts, "disable" when the
 * last connection's window ends, each acknowledged with "ack" on ACK.
 * Connections whose window ended wait for the others before they drain,
 * so no drain is counted. */
#ifndef CT_PERFCTL_H
#define CT_PERFCTL_H
#include <pthread.h>
#include <stddef.h>

struct perfctl {
	int ctl, ack; /* the FIFOs: we write CTL, read ACK */
	pthread_mutex_t mu;
	pthread_cond_t all_ended;
	int windows; /* connections whose window has not ended yet */
	int enabled;
	char err[320]; /* the failure, one line */
};

/* Opens both FIFOs; fails (one line in err) when a path is missing or not
 * a FIFO, or no perf reads CTL. */
int perfctl_open(struct perfctl *p, const char *ctl, const char *ack, char *err, size_t errlen);
/* The window starts for `windows` connections: enable counting. */
int perfctl_enable(struct perfctl *p, int windows);
/* One connection's window ended (call once per connection): the last one
 * disables counting. With wait, returns only once every window ended. */
void perfctl_window_end(struct perfctl *p, int wait);
/* After the run: disables counting if still enabled; -1 if a command
 * failed (p->err says why). Every function is a no-op for p == NULL. */
int perfctl_done(struct perfctl *p);

#endif
