/* A5, no CPU copy of the payload at the sender: the 8 fields live
 * contiguously in a memfd (written in place through a shared mapping) and
 * each message's fields go out with sendfile(), which hands the memfd's
 * page-cache pages to the socket by reference. The 32-byte header is the
 * one part the kernel copies: a send(MSG_MORE) of its own ("headers
 * aside"), so that the memfd holds only what does not change per message.
 * The client's half of A5 is --rx zerocopy (TCP_ZEROCOPY_RECEIVE), which
 * --impl a5 implies.
 *
 * Safety. sendfile gives no completion, and an ACK is no proof that the
 * pages are free: on loopback and veth the skbs are delivered with the
 * sender's pages in their frags, so the receive queue, and the receiver's
 * TCP_ZEROCOPY_RECEIVE mapping, keep pointing at them after the ACK
 * (SIOCOUTQ falls to 0 long before the client reads). A page the kernel
 * holds must therefore never be written again. Two cases:
 *  - fields that do not change (the default: written once, like every
 *    impl's "pre-registered" fields) are never written after the first
 *    send; sharing read-only pages between any number of skbs is safe;
 *  - fields rewritten for every message (--verify's per-message pattern,
 *    or any application with fresh data) are cut out of the memfd right
 *    after their sendfile: ftruncate(0) then ftruncate(len). Truncation
 *    removes the pages from the file (page->mapping = NULL) but every skb
 *    and receiver mapping holds its own page reference, so the old pages
 *    live on, unchanged, until the last of them is dropped; nothing can
 *    reach them to write any more. The next message's writes fault in
 *    fresh zeroed pages. No wait, no acknowledgement, no protocol change.
 * Why ftruncate to 0 and not fallocate(PUNCH_HOLE) on the range: a punch
 * that ends inside a large folio (shmem huge pages, shmem_enabled=always
 * or force) zeroes that part of the folio in place
 * (truncate_inode_partial_folio) — the very page an skb may still carry.
 * Truncating to 0 removes whole folios only, whatever their size.
 *
 * Detaching right after the send rather than right before the rewrite has
 * a second effect: TCP_ZEROCOPY_RECEIVE refuses to map page-cache pages
 * (can_map_frag: page->mapping must be NULL, since 6.8 / CVE-2024-26640)
 * and copies them instead; detached pages have no mapping and can be
 * mapped. Unchanging fields stay in the page cache, so the receiver has to
 * copy them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "impl.h"
#include "msg.h"
#include "sockio.h"

struct a5 {
	struct ct_msg m; /* hdr on the heap, fields in the memfd mapping */
	int mfd;
	char *map;
	size_t maplen;   /* mapping length: plen rounded up to whole pages */
	size_t plen;     /* payload bytes = the memfd's size */
};

static void a5_free(struct a5 *s)
{
	if (s->map)
		munmap(s->map, s->maplen);
	if (s->mfd >= 0)
		close(s->mfd);
	free(s->m.hdr);
	free(s);
}

static int a5_init(struct conn *c)
{
	struct a5 *s = calloc(1, sizeof(*s));
	if (!s) {
		side_error(c->r, "out of memory for the a5 state");
		return -1;
	}
	s->mfd = -1;
	struct ct_msg *m = &s->m;
	m->size = c->size;
	s->plen = c->size - CT_HDR_SIZE;
	msg_split(s->plen, m->flen);
	m->hdr = calloc(1, CT_HDR_SIZE);
	s->mfd = memfd_create("copytrace-a5", MFD_CLOEXEC);
	if (!m->hdr || s->mfd < 0) {
		side_error(c->r, "a5: %s", !m->hdr ? "out of memory" : "memfd_create failed");
		a5_free(s);
		return -1;
	}
	long pg = sysconf(_SC_PAGESIZE);
	s->maplen = (s->plen ? s->plen : 1) + (size_t)pg - 1;
	s->maplen -= s->maplen % (size_t)pg;
	if (ftruncate(s->mfd, (off_t)s->plen)) {
		side_error(c->r, "a5: sizing the memfd to %zu bytes: %s", s->plen, strerror(errno));
		a5_free(s);
		return -1;
	}
	s->map = mmap(NULL, s->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, s->mfd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		side_error(c->r, "a5: mapping the memfd: %s", strerror(errno));
		a5_free(s);
		return -1;
	}
	/* The fields lie back to back in the file so that one sendfile sends
	 * them all (no NUL between them: the NUL was never sent anyway). */
	m->iov[0] = (struct iovec){ m->hdr, CT_HDR_SIZE };
	size_t off = 0;
	for (int i = 0; i < CT_FIELDS; i++) {
		m->field[i] = s->map + off;
		m->iov[i + 1] = (struct iovec){ m->field[i], m->flen[i] };
		off += m->flen[i];
	}
	/* Written once into the page cache; with a per-message pattern each
	 * send overwrites them in fresh pages (see the top of the file). */
	msg_fill_text(m);
	c->priv = s;
	return 0;
}

/* Cuts the sent pages out of the memfd (see the top of the file). */
static int detach(struct conn *c, struct a5 *s)
{
	if (ftruncate(s->mfd, 0) || ftruncate(s->mfd, (off_t)s->plen)) {
		side_error(c->r, "a5: truncating the memfd: %s", strerror(errno));
		return -1;
	}
	c->r->detached_bytes += s->plen;
	return 0;
}

static int a5_send(struct conn *c, uint64_t seq)
{
	struct a5 *s = c->priv;
	/* With a pattern this writes the fields: into pages no skb holds,
	 * because the previous message's were detached after its send. */
	msg_stamp(&s->m, seq, now_ns(), c->pattern);
	uint64_t calls = 0;
	/* MSG_MORE: the header waits for the fields and shares their skb
	 * (TCP_NODELAY would push it alone otherwise). */
	for (size_t done = 0; done < CT_HDR_SIZE;) {
		ssize_t n = send(c->fd, (char *)s->m.hdr + done, CT_HDR_SIZE - done,
				 MSG_NOSIGNAL | (s->plen ? MSG_MORE : 0));
		if (n < 0 && errno == EINTR && !ct_stop)
			continue;
		if (n < 0)
			return conn_error(c, "send", -errno);
		calls++;
		done += (size_t)n;
	}
	c->r->bytes_sent += CT_HDR_SIZE;
	uint64_t sf = 0;
	ssize_t n = s->plen ? sendfile_all(c->fd, s->mfd, 0, s->plen, &sf) : 0;
	c->r->send_calls += calls + sf;
	c->r->sendfile_calls += sf;
	if (n < 0)
		return conn_error(c, "sendfile", n);
	c->r->bytes_sent += (uint64_t)n;
	c->r->sendfile_bytes += (uint64_t)n;
	c->r->messages_sent++;
	return c->pattern && s->plen ? detach(c, s) : 0;
}

/* Nothing to wait for: unmapping and closing the memfd drops only our
 * references; pages an skb or a receiver mapping still holds stay alive
 * and are never written again (unlike a3's heap buffers, which malloc
 * would hand out again). */
static int a5_finish(struct conn *c)
{
	if (c->priv)
		a5_free(c->priv);
	c->priv = NULL;
	return 0;
}

const struct impl_ops impl_a5 = { "a5", a5_init, a5_send, a5_finish };
