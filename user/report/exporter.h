/* SPDX-License-Identifier: GPL-2.0-only */
/* --exporter: an HTTP server (libmicrohttpd, its own thread) answering
 * GET /metrics with the Prometheus exposition (prom.c) of the snapshot
 * the tracer side published last. Publishing renders both formats from
 * the publisher's own snapshot, then swaps the texts in under a mutex; a
 * scrape copies one text under it. No pointer into the publisher's
 * snapshot crosses threads: its next read frees and rebuilds every
 * array while scrapes go on. */
#ifndef CT_EXPORTER_H
#define CT_EXPORTER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct MHD_Daemon;

struct exporter {
	struct MHD_Daemon *d;
	int lfd; /* the listening socket, or -1 */
	pthread_mutex_t mu;
	/* the last published exposition, [0] Prometheus text, [1]
	 * OpenMetrics (NULL: none yet); owned here, swapped under mu */
	char *text[2];
	size_t len[2];
	uint64_t scrapes;
};

/* Listens on addr:port (IPv4 or IPv6 literal) and starts serving. 0, or
 * -1 with one line in err (a busy port, an address not of this host). */
int exporter_open(struct exporter *e, const char *addr, uint16_t port, char *err, size_t errlen);
/* Publishes s's exposition (s is read only during the call); 0, or -1
 * out of memory (the last published one stays). */
int exporter_publish(struct exporter *e, const struct ct_snapshot *s);
/* Stops serving (a scrape in progress finishes) and frees everything. */
void exporter_close(struct exporter *e);

#endif
