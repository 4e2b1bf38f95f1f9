// SPDX-License-Identifier: GPL-2.0-only
/* A5, no CPU copy of the payload at either end: the 8 fields live
 * contiguously in a memfd (written in place through a shared mapping),
 * their pages go to the socket by reference (splice), and the client's
 * half of A5, --rx zerocopy (TCP_ZEROCOPY_RECEIVE, implied by --impl a5),
 * maps them instead of copying.
 *
 * Framing: page-aligned fields. TCP_ZEROCOPY_RECEIVE maps a page only
 * where it is a whole skb fragment (offset 0, 4096 bytes) with no
 * page->mapping (can_map_frag). TCP fills an skb up to its size goal, a
 * multiple of the MSS, and starts a new one after an skb marked MSG_EOR.
 * So per message (msg.h has the flags the header announces this with):
 *  - the 32-byte header goes alone, send(MSG_EOR): the kernel copies it
 *    (32 B per message at each end) and MSG_EOR ends its skb, so the
 *    fields start a fresh skb on a page boundary;
 *  - the fields' pages follow as whole-page fragments; when their last
 *    page is more than half full it is padded with zeros to a whole page
 *    (CT_HDR_PADDED), so that it maps too; a tail of half a page or less
 *    goes unpadded and is copied at the receiver (padding never costs
 *    more bytes than the copy it spares);
 *  - every cut TCP makes in the stream is a multiple of the MSS from an
 *    skb's start (its size goal, the congestion window's quota), so the
 *    pages stay whole only with an MSS that is a multiple of the page:
 *    the client asks for 7 pages (rx_zerocopy.c), and the runner's veth
 *    carries that for --rx zerocopy (with 1448 B, a cut falls inside a
 *    page every few pages, as the kernel's tcp_mmap.c warns: each frame
 *    must carry whole pages);
 *  - in stream mode the socket is corked (TCP_CORK): an ACK-clocked push
 *    with TCP_NODELAY cuts a segment at the receive window's edge, at any
 *    byte, splitting a page across two skbs; corked, TCP cuts at whole
 *    MSS. rr sends one message at a time into an open window and stays
 *    uncorked (latency). Pushes from within the send call itself still
 *    cut at the window's edge when the receiver falls behind (rare: well
 *    under 1 % of the pages in the runs measured here);
 *  - a message with no whole page (under 2 KiB of payload) has nothing to
 *    map: no MSG_EOR and no cork, so that TCP packs many into one skb
 *    (fewer, larger reads at the receiver, no held tail).
 *
 * Pages by reference, never written again. An ACK is no proof that the
 * pages are free: on loopback and veth the skbs are delivered with the
 * sender's pages in their frags, so the receive queue and the receiver's
 * mappings keep pointing at them after the ACK (SIOCOUTQ falls to 0 long
 * before the client reads; tests/unit/test_a5.c shows a page rewritten
 * after the ACK arriving rewritten). So every page is detached from the
 * memfd before the socket sees it: spliced into pipes (page references,
 * no copy), then cut out of the file by ftruncate(0) + ftruncate(len).
 * Truncation removes the pages from the file (page->mapping = NULL, which
 * is also what lets TCP_ZEROCOPY_RECEIVE map them: since 6.8,
 * CVE-2024-26640, it copies page-cache pages instead) while the pipes,
 * skbs and receiver mappings hold their own references; nothing can reach
 * the old pages to write any more, and the next writes fault in fresh
 * zeroed ones. Two cases:
 *  - fields that do not change (the default, written once like every
 *    impl's "pre-registered" fields): detached once; the pipes keep them
 *    and each message tee()s them (by reference) into a spare pipe that
 *    splice() empties into the socket;
 *  - fields rewritten for every message (--verify's pattern): written into
 *    the memfd, spliced into the pipes, detached, then spliced into the
 *    socket, for every message.
 * Why ftruncate to 0 and not fallocate(PUNCH_HOLE): a punch that ends
 * inside a large folio (shmem huge pages) zeroes that part in place
 * (truncate_inode_partial_folio), the very page an skb may carry;
 * truncating to 0 drops whole folios only. Large folios would not map
 * anyway (can_map_frag refuses compound pages): the mapping asks for
 * small ones (MADV_NOHUGEPAGE; shmem_enabled=force overrides it). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "impl.h"
#include "msg.h"
#include "pagepipe.h"
#include "sockio.h"

struct a5 {
	struct ct_msg m; /* hdr on the heap; fields in the memfd mapping with a
			  * pattern, else (written once) held by the pipes */
	int mfd;
	char *map;
	size_t plen; /* payload bytes */
	size_t len; /* payload + padding: the memfd's size, and what
		     * goes by reference per message */
	struct pagepipes pp;
	int paged; /* at least one whole page: EOR, and cork the stream */
	int corked;
};

static void a5_free(struct a5 *s)
{
	pp_close(&s->pp);
	if (s->map)
		munmap(s->map, s->len);
	if (s->mfd >= 0)
		close(s->mfd);
	free(s->m.hdr);
	free(s);
}

static int fail(struct conn *c, struct a5 *s, const char *what, int err)
{
	side_error(c->r, "a5: %s: %s", what, strerror(err));
	a5_free(s);
	return -1;
}

/* Cuts the memfd's pages out of the file (see the top of the file). */
static int detach(struct a5 *s)
{
	return ftruncate(s->mfd, 0) || ftruncate(s->mfd, (off_t)s->len) ? -errno : 0;
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
	s->len = s->plen + msg_page_pad(s->plen);
	m->hdr_flags = s->len > s->plen ? CT_HDR_PADDED : 0;
	msg_split(s->plen, m->flen);
	m->hdr = calloc(1, CT_HDR_SIZE);
	if (!m->hdr)
		return fail(c, s, "allocating the header", ENOMEM);
	/* The fields lie back to back in the file (no NUL between them: the
	 * NUL was never sent anyway); the padding after them is the file's
	 * zeros. */
	const char *what = "";
	if (msg_fields_in_memfd(m, "copytrace-a5", s->len, &s->mfd, &s->map, &what))
		return fail(c, s, what, errno);
	if (s->map)
		madvise(s->map, s->len, MADV_NOHUGEPAGE); /* advice: no error if refused */
	int rc = pp_open(&s->pp, s->len, !c->pattern, &what);
	if (rc)
		return fail(c, s, what, -rc);
	if (!c->pattern) {
		/* Written once, held by the pipes from now on: the memfd and its
		 * mapping are not needed any more. */
		msg_fill_text(m);
		if ((rc = pp_fill(&s->pp, s->mfd)) || (rc = detach(s)))
			return fail(c, s, "holding the fields in pipes", -rc);
		c->r->detached_bytes += s->len;
		if (s->map)
			munmap(s->map, s->len);
		close(s->mfd);
		s->map = NULL;
		s->mfd = -1;
		for (int i = 0; i < CT_FIELDS; i++)
			m->field[i] = NULL;
	}
	int one = 1;
	s->paged = s->len >= CT_PAGE;
	if (s->paged && c->o->mode == MODE_STREAM) {
		if (setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)))
			return fail(c, s, "TCP_CORK", errno);
		s->corked = 1;
	}
	c->priv = s;
	return 0;
}

/* The header, alone in its skb when pages follow (see the top of the
 * file). */
static int send_header(struct conn *c, struct a5 *s, uint64_t *calls)
{
	/* MSG_EOR: nothing is appended to the header's skb, the pages start
	 * their own on a page boundary. MSG_MORE: it waits for them (it would
	 * go alone otherwise, TCP_NODELAY). */
	for (size_t done = 0; done < CT_HDR_SIZE;) {
		ssize_t n = send(c->fd, (char *)s->m.hdr + done, CT_HDR_SIZE - done,
				 MSG_NOSIGNAL | (s->paged ? MSG_EOR : 0) | (s->len ? MSG_MORE : 0));
		if (n < 0 && errno == EINTR && !ct_stop)
			continue;
		if (n < 0)
			return conn_error(c, "send", -errno);
		(*calls)++;
		done += (size_t)n;
	}
	side_sent(c->r, CT_HDR_SIZE);
	return 0;
}

static int a5_send(struct conn *c, uint64_t seq)
{
	struct a5 *s = c->priv;
	/* With a pattern this writes the fields: into fresh pages, the
	 * previous message's were detached before they were sent. */
	msg_stamp(&s->m, seq, now_ns(), c->pattern);
	uint64_t calls = 0, sp = 0;
	if (send_header(c, s, &calls))
		return -1;
	if (c->pattern && s->len) {
		int rc = pp_fill(&s->pp, s->mfd);
		if (rc || (rc = detach(s))) {
			side_error(c->r, "a5: detaching the message's pages: %s", strerror(-rc));
			return -1;
		}
		c->r->detached_bytes += s->len;
	}
	ssize_t n = pp_send(&s->pp, c->fd, &sp);
	c->r->send_calls += calls + sp;
	c->r->sendfile_calls += sp;
	if (n < 0)
		return conn_error(c, "splice", n);
	side_sent(c->r, (uint64_t)n);
	c->r->sendfile_bytes += (uint64_t)n;
	c->r->pad_bytes += s->len - s->plen;
	c->r->messages_sent++;
	return 0;
}

/* Uncorks (what is held goes out now) and frees. Nothing to wait for:
 * closing the pipes and the memfd drops only our references; pages an skb
 * or a receiver mapping still holds stay alive and are never written
 * again (unlike a3's heap buffers, which malloc would hand out again). */
static int a5_finish(struct conn *c)
{
	struct a5 *s = c->priv;
	if (s && s->corked)
		setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &(int){ 0 }, sizeof(int));
	if (s)
		a5_free(s);
	c->priv = NULL;
	return 0;
}

const struct impl_ops impl_a5 = { "a5", a5_init, a5_send, a5_finish };
