/* SPDX-License-Identifier: GPL-2.0-only */
/* Client receive by mapping: TCP_ZEROCOPY_RECEIVE maps whole received pages
 * into a mapping of the socket instead of copying them; what the kernel
 * cannot map (partial pages, page-cache pages) is copied. */
#ifndef CT_RX_ZEROCOPY_H
#define CT_RX_ZEROCOPY_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/result.h"

/* The MSS the receiver advertises so that each segment carries whole pages
 * (7 x 4 KiB + the 12-byte timestamp option; TCP_MAXSEG takes at most
 * 32767), as the kernel's selftests/net/tcp_mmap.c advises: every frame
 * must carry whole pages. Loopback's MTU carries it; a link needs an MTU
 * of RXZC_MSS + 40 (IPv4 and TCP headers) for it (the runner's veth). */
#define RXZC_MSS (7 * 4096 + 12)
/* Sets it. Before connect. */
int rxzc_set_mss(int fd);

struct rxzc {
	int fd;
	void *map; /* mapping of the socket, len bytes */
	size_t len;
	unsigned unmapped; /* calls in a row that found bytes and mapped none */
};

/* Maps len bytes of the socket. Returns 0, or -1 with the error recorded. */
int rxzc_init(struct rxzc *z, int fd, size_t len, struct side_result *r);
/* Receives once, waiting as recv() would (SO_RCVTIMEO, signals): mapped
 * bytes first, then what the kernel would not map, copied into buf (len
 * bytes), each handed to consume in stream order. Returns bytes received
 * (> 0), 0 at EOF, -1 with errno set, or -2 when consume returned
 * non-zero. */
ssize_t rxzc_recv(struct rxzc *z, uint8_t *buf, size_t len, struct side_result *r,
		  int (*consume)(void *arg, const uint8_t *p, size_t n), void *arg);
void rxzc_free(struct rxzc *z);
#endif
