// SPDX-License-Identifier: GPL-2.0-only
/* A5 (the fields' pages detached from a memfd, held in pipes and spliced
 * to the socket) against the real kernel, over loopback in the test's own
 * network namespace (root; skipped otherwise):
 *  - the hazard is real: a memfd page rewritten in place after sendfile
 *    returned (and after the ACK) reaches the receiver rewritten, because
 *    loopback delivers the sender's page-cache pages by reference;
 *  - a5 with a per-message pattern and a receiver that reads nothing until
 *    every message is queued (so every skb still holds its pages when the
 *    next message is written) delivers every byte intact, by copy and by
 *    mapping; unchanging fields, sent again and again from the same
 *    pages, arrive as written;
 *  - the framing keeps pages whole: the receiver maps every byte but the
 *    headers (and a tail of half a page or less, which goes unpadded);
 *  - the counters: bytes by reference = payload + padding, detached once
 *    (unchanging fields) or per message (rewritten ones). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/impl.h"
#include "net/parse.h"
#include "net/rx_zerocopy.h"
#include "net/sockio.h"
#include "netns_pair.h"

static int group_setup(void **st)
{
	(void)st;
	signal(SIGPIPE, SIG_IGN);
	netns_enter();
	return 0;
}

/* Buffers big enough that every message of a test is queued before the
 * receiver reads a byte. The receiver's MSS as the client sets it for
 * --rx zerocopy. */
static void tcp_pair(struct pair *p, int mss)
{
	tcp_pair_opts(p,
		      &(struct pair_opts){ .sndbuf = 16 << 20,
					   .rcvbuf = 16 << 20,
					   .force = 1,
					   .before_connect = mss ? rxzc_set_mss : NULL });
}

/* Unacknowledged bytes in the send queue (SIOCOUTQ). */
static int outq(int fd)
{
	int n = -1;
	assert_int_equal(ioctl(fd, SIOCOUTQ, &n), 0);
	return n;
}

/* The hazard a5 is built against: sendfile a page, wait until the receiver
 * ACKed it (SIOCOUTQ 0), rewrite the page in place, then read: the
 * receiver gets the new bytes. */
static void rewrite_in_place_reaches_receiver(void **st)
{
	(void)st;
	NEED_NETNS();
	struct pair p;
	tcp_pair(&p, 0);
	int mfd = memfd_create("test-a5", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 4096), 0);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 'A', 4096);
	off_t off = 0;
	assert_int_equal(sendfile(p.snd, mfd, &off, 4096), 4096);
	for (int i = 0; i < 100 && outq(p.snd); i++)
		usleep(10000);
	assert_int_equal(outq(p.snd), 0); /* ACKed: "free" by SIOCOUTQ */
	memset(m, 'B', 4096); /* ... yet the skb holds this page */
	char buf[4096];
	assert_int_equal(recv_all(p.rcv, buf, sizeof(buf)), 4096);
	size_t b = 0;
	for (int i = 0; i < 4096; i++)
		b += buf[i] == 'B';
	print_message("rewritten after the ACK: %zu of 4096 bytes arrive rewritten\n", b);
	assert_int_equal(b, 4096);
	munmap(m, 4096);
	close(mfd);
	close(p.snd);
	close(p.rcv);
}

static struct ct_opts o;
static struct side_result r, rr;
static struct conn c;

/* What the receiver should see of unchanging fields: each message's
 * payload is the text msg_fill_text wrote, then its padding's zeros. */
struct expect {
	uint8_t *payload;
	size_t hdr, plen, pad;
	uint64_t off; /* stream offset */
	size_t bad;
};

static void expect_init(struct expect *e, size_t size)
{
	struct ct_msg m;
	assert_int_equal(msg_alloc(&m, size), 0);
	msg_fill_text(&m);
	*e = (struct expect){ .hdr = CT_HDR_SIZE, .plen = size - CT_HDR_SIZE };
	e->pad = msg_page_pad(e->plen);
	e->payload = malloc(e->plen + 1);
	assert_non_null(e->payload);
	for (size_t i = 0, off = 0; i < CT_FIELDS; off += m.flen[i++])
		memcpy(e->payload + off, m.field[i], m.flen[i]);
	msg_free(&m);
}

static void expect_feed(struct expect *e, const uint8_t *b, size_t n)
{
	size_t whole = e->hdr + e->plen + e->pad;
	for (size_t i = 0; i < n; i++, e->off++) {
		size_t w = e->off % whole;
		if (w >= e->hdr)
			e->bad += b[i] != (w - e->hdr < e->plen ? e->payload[w - e->hdr] : 0);
	}
}

struct rx {
	struct parser ps;
	struct expect *e; /* unchanging fields: checked against the text */
};

static int feed(void *arg, const uint8_t *b, size_t n)
{
	struct rx *x = arg;
	parser_feed(&x->ps, b, n, NULL, NULL);
	if (x->e)
		expect_feed(x->e, b, n);
	return 0;
}

/* n messages of size through a5, all queued before the receiver starts,
 * which then reads (mapping with rx_zc) and checks every byte. */
static void queued_then_read(size_t size, int n, int pattern, int rx_zc)
{
	struct pair p;
	tcp_pair(&p, rx_zc);
	memset(&o, 0, sizeof(o));
	side_init(&r);
	side_init(&rr);
	c = (struct conn){ .fd = p.snd, .o = &o, .size = size, .pattern = pattern, .r = &r };
	if (impl_a5.init(&c))
		fail_msg("init: %s", r.error);
	for (int seq = 0; seq < n; seq++)
		if (impl_a5.send(&c, (uint64_t)seq))
			fail_msg("message %d: %s", seq, r.error);
	/* Everything goes before the receiver reads: the memfd and the
	 * pipes; the skbs keep their own references to the pages. */
	assert_int_equal(impl_a5.finish(&c), 0);
	shutdown(p.snd, SHUT_WR);
	struct expect e;
	struct rx x = { .e = pattern ? NULL : &e };
	parser_init(&x.ps, 0, pattern);
	if (!pattern)
		expect_init(&e, size);
	static uint8_t buf[256 << 10];
	struct rxzc z;
	if (rx_zc)
		assert_int_equal(rxzc_init(&z, p.rcv, sizeof(buf), &rr), 0);
	for (;;) {
		ssize_t k = rx_zc ? rxzc_recv(&z, buf, sizeof(buf), &rr, feed, &x)
				  : recv(p.rcv, buf, sizeof(buf), 0);
		if (k == 0)
			break;
		assert_true(k > 0);
		if (!rx_zc)
			feed(&x, buf, (size_t)k);
	}
	if (rx_zc)
		rxzc_free(&z);
	if (x.ps.errors || x.ps.lost_sync)
		fail_msg("receiver: %s", x.ps.first_error);
	assert_int_equal(x.ps.messages, (uint64_t)n);
	assert_true(parser_idle(&x.ps));
	if (!pattern) {
		assert_int_equal(e.bad, 0);
		free(e.payload);
	}
	uint64_t plen = size - CT_HDR_SIZE, pad = msg_page_pad(plen);
	assert_int_equal(r.messages_sent, (uint64_t)n);
	assert_int_equal(r.bytes_sent, (uint64_t)n * (size + pad));
	assert_int_equal(r.sendfile_bytes, (uint64_t)n * (plen + pad));
	assert_int_equal(r.pad_bytes, (uint64_t)n * pad);
	assert_int_equal(r.detached_bytes, (uint64_t)(pattern ? n : 1) * (plen + pad));
	close(p.snd);
	close(p.rcv);
}

/* Bytes the receiver must copy: the headers, and a tail of half a page or
 * less (unpadded); every other byte maps. */
static uint64_t must_copy(size_t size, int n)
{
	size_t plen = size - CT_HDR_SIZE;
	return (uint64_t)n * (CT_HDR_SIZE + (msg_page_pad(plen) ? 0 : plen % CT_PAGE));
}

/* Each message rewrites the memfd while all earlier ones still sit in the
 * receive queue: only detaching keeps them intact. */
static void rewritten_fields_intact_by_copy(void **st)
{
	(void)st;
	NEED_NETNS();
	queued_then_read(65536, 64, 1, 0);
	queued_then_read(100003, 20, 1, 0); /* a tail of 1667 B: not padded */
}

/* The same read by mapping: detached pages have no page->mapping, and the
 * framing keeps them whole, so TCP_ZEROCOPY_RECEIVE maps all of them. */
static void rewritten_fields_intact_mapped(void **st)
{
	(void)st;
	NEED_NETNS();
	struct {
		size_t size;
		int n;
	} c[] = {
		{ 65536, 64 }, /* 16 pages, 32 B of them padding */
		{ 100003, 20 }, /* 24 whole pages, a tail of 1667 B */
		{ 4096, 256 }, /* one page */
		{ 3145733, 4 }, /* 768 pages + 1 padded: four pipes */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		queued_then_read(c[i].size, c[i].n, 1, 1);
		print_message("%zu B x %d: %llu B mapped, %llu B copied\n", c[i].size, c[i].n,
			      (unsigned long long)rr.rx_mapped_bytes,
			      (unsigned long long)rr.rx_copied_bytes);
		assert_int_equal(rr.rx_copied_bytes, must_copy(c[i].size, c[i].n));
	}
}

/* Unchanging fields: detached once, held in pipes and tee()d into every
 * message; they arrive as written, message after message, and map. */
static void static_fields_shared_and_mapped(void **st)
{
	(void)st;
	NEED_NETNS();
	queued_then_read(65536, 32, 0, 1);
	assert_int_equal(rr.rx_copied_bytes, must_copy(65536, 32));
	queued_then_read(3145733, 4, 0, 1);
	assert_int_equal(rr.rx_copied_bytes, must_copy(3145733, 4));
	queued_then_read(65536, 32, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rewrite_in_place_reaches_receiver),
		cmocka_unit_test(rewritten_fields_intact_by_copy),
		cmocka_unit_test(rewritten_fields_intact_mapped),
		cmocka_unit_test(static_fields_shared_and_mapped),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
