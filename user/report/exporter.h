/* SPDX-License-Identifier: GPL-2.0-only */
/* --exporter: an HTTP server (libmicrohttpd, its own thread) answering
 * GET /metrics with the Prometheus exposition (prom.c) of the snapshot
 * the tracer side published last. Publishing copies under a mutex taken
 * with trylock, so a scrape being formatted never holds up the publisher
 * (it tries again shortly); a scrape formats the copy, never the tracer's
 * maps. */
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
	struct ct_snapshot *pub; /* the last published snapshot (NULL: none yet) */
	uint64_t scrapes;
};

/* Listens on addr:port (IPv4 or IPv6 literal) and starts serving. 0, or
 * -1 with one line in err (a busy port, an address not of this host). */
int exporter_open(struct exporter *e, const char *addr, uint16_t port, char *err, size_t errlen);
/* Publishes a copy of s; 0, or -1 when a scrape holds the copy (try later). */
int exporter_publish(struct exporter *e, const struct ct_snapshot *s);
/* Stops serving (a scrape in progress finishes) and frees everything. */
void exporter_close(struct exporter *e);

#endif
