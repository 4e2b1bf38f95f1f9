// SPDX-License-Identifier: GPL-2.0-only
#include "rx_zerocopy.h"

#include <errno.h>
#include <linux/tcp.h> /* struct tcp_zerocopy_receive; not with netinet/tcp.h */
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

/* A stream whose last UNMAPPED calls found bytes but mapped none carries
 * no whole pages (a1, a2, messages under a page): its calls then hand the
 * kernel a copy buffer, which it fills with all that is queued when that
 * fits, one call where it would take a call and a recv() per skb. Every
 * PROBE-th call goes without, to see whether pages came back. */
#define UNMAPPED 4
#define PROBE 16

int rxzc_set_mss(int fd)
{
	int mss = RXZC_MSS;
	return setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
}

int rxzc_init(struct rxzc *z, int fd, size_t len, struct side_result *r)
{
	z->fd = fd;
	z->len = len;
	z->unmapped = 0;
	z->map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (z->map == MAP_FAILED) {
		z->map = NULL;
		side_error(r, "--rx zerocopy: mmap of the socket: %s (kernel 4.18+ TCP needed)",
			   strerror(errno));
		return -1;
	}
	return 0;
}

/* recv() of the part the kernel would not map, handed on as copied. */
static ssize_t copy_part(struct rxzc *z, uint8_t *buf, size_t want, struct side_result *r,
			 int (*consume)(void *, const uint8_t *, size_t), void *arg)
{
	ssize_t n = recv(z->fd, buf, want, MSG_DONTWAIT);
	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : n;
	r->rx_copied_bytes += (uint64_t)n;
	return consume(arg, buf, (size_t)n) ? -2 : n;
}

ssize_t rxzc_recv(struct rxzc *z, uint8_t *buf, size_t len, struct side_result *r,
		  int (*consume)(void *, const uint8_t *, size_t), void *arg)
{
	for (;;) {
		struct tcp_zerocopy_receive zc;
		memset(&zc, 0, sizeof(zc));
		zc.address = (uint64_t)(uintptr_t)z->map;
		zc.length = (uint32_t)z->len;
		/* A copy buffer only for a stream without pages (UNMAPPED):
		 * given one, the kernel copies into it everything queued when
		 * that fits (inq <= copybuf_len), mappable pages included, and,
		 * when the mapping is full, the next bytes of the skb it stopped
		 * in; the stream then resumes inside a page, and the rest of that
		 * skb cannot be mapped. Without, what the kernel does not map is
		 * read below with recv(). */
		int copy = z->unmapped >= UNMAPPED && z->unmapped % PROBE;
		if (copy) {
			zc.copybuf_address = (uint64_t)(uintptr_t)buf;
			zc.copybuf_len = (int32_t)len;
		}
		socklen_t zl = sizeof(zc);
		/* Also unmaps (zaps) what the previous call mapped. */
		if (getsockopt(z->fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &zl)) {
			if (errno == EINTR || errno == EAGAIN)
				return -1;
			/* Once the peer's FIN is queued the kernel answers EIO:
			 * read the rest, and the EOF, with recv(). */
			if (errno == EIO) {
				ssize_t n = recv(z->fd, buf, len, 0);
				if (n <= 0)
					return n;
				r->rx_copied_bytes += (uint64_t)n;
				return consume(arg, buf, (size_t)n) ? -2 : n;
			}
			int e = errno;
			side_error(r, "TCP_ZEROCOPY_RECEIVE: %s", strerror(e));
			errno = e;
			return -1;
		}
		r->rx_zc_calls++;
		if (zc.err) {
			errno = -zc.err;
			return -1;
		}
		if (zc.copybuf_len < 0) {
			errno = -zc.copybuf_len;
			return -1;
		}
		ssize_t total = 0;
		if (zc.length) { /* mapped pages come first in the stream */
			r->rx_mapped_bytes += zc.length;
			total += zc.length;
			if (consume(arg, z->map, zc.length))
				return -2;
		}
		if (zc.copybuf_len) { /* then what the kernel copied (copy) */
			r->rx_copied_bytes += (uint64_t)zc.copybuf_len;
			total += zc.copybuf_len;
			if (consume(arg, buf, (size_t)zc.copybuf_len))
				return -2;
		}
		if (zc.recv_skip_hint) { /* then what must be read with recv() */
			size_t want = zc.recv_skip_hint < len ? zc.recv_skip_hint : len;
			ssize_t n = copy_part(z, buf, want, r, consume, arg);
			if (n < 0)
				return n;
			total += n;
		}
		if (total) {
			z->unmapped = zc.length ? 0 : z->unmapped + 1;
			return total;
		}
		/* Nothing queued: wait as recv() would, without taking a byte
		 * (MSG_PEEK) or copying one (MSG_TRUNC: TCP skips the copy), and
		 * so also see EOF, timeouts and signals. */
		char b;
		ssize_t n = recv(z->fd, &b, 1, MSG_PEEK | MSG_TRUNC);
		if (n <= 0)
			return n;
	}
}

void rxzc_free(struct rxzc *z)
{
	if (z->map)
		munmap(z->map, z->len);
	z->map = NULL;
}
