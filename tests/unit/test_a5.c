/* A5 (sendfile from a memfd) against the real kernel, over loopback in the
 * test's own network namespace (root; skipped otherwise):
 *  - the hazard is real: a memfd page rewritten in place after sendfile
 *    returned (and after the ACK) reaches the receiver rewritten, because
 *    loopback delivers the sender's page-cache pages by reference;
 *  - a5 with a per-message pattern and a receiver that reads nothing until
 *    every message is queued (so every skb still holds its pages when the
 *    next message is written) delivers every byte intact, also when the
 *    receiver maps with TCP_ZEROCOPY_RECEIVE, and the detached pages can be
 *    mapped;
 *  - the counters: sendfile bytes = payload bytes, detached only when the
 *    fields are rewritten. */
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
	tcp_pair_opts(p, &(struct pair_opts){ .sndbuf = 16 << 20, .rcvbuf = 16 << 20, .force = 1,
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
	memset(m, 'B', 4096);             /* ... yet the skb holds this page */
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

static int feed(void *arg, const uint8_t *b, size_t n)
{
	parser_feed(arg, b, n, NULL, NULL);
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
	/* With a pattern the memfd goes before the receiver reads (skbs keep
	 * their pages); unchanging fields stay in the live memfd meanwhile
	 * (closing it would free the file and detach them too). */
	if (pattern)
		assert_int_equal(impl_a5.finish(&c), 0);
	shutdown(p.snd, SHUT_WR);
	struct parser ps;
	parser_init(&ps, 0, pattern);
	static uint8_t buf[256 << 10];
	struct rxzc z;
	if (rx_zc)
		assert_int_equal(rxzc_init(&z, p.rcv, sizeof(buf), &rr), 0);
	for (;;) {
		ssize_t k = rx_zc ? rxzc_recv(&z, buf, sizeof(buf), &rr, feed, &ps)
				  : recv(p.rcv, buf, sizeof(buf), 0);
		if (k == 0)
			break;
		assert_true(k > 0);
		if (!rx_zc)
			parser_feed(&ps, buf, (size_t)k, NULL, NULL);
	}
	if (rx_zc)
		rxzc_free(&z);
	if (!pattern)
		assert_int_equal(impl_a5.finish(&c), 0);
	if (ps.errors || ps.lost_sync)
		fail_msg("receiver: %s", ps.first_error);
	assert_int_equal(ps.messages, (uint64_t)n);
	assert_true(parser_idle(&ps));
	uint64_t plen = size - 32;
	assert_int_equal(r.messages_sent, (uint64_t)n);
	assert_int_equal(r.bytes_sent, (uint64_t)n * size);
	assert_int_equal(r.sendfile_bytes, (uint64_t)n * plen);
	assert_int_equal(r.detached_bytes, pattern ? (uint64_t)n * plen : 0);
	close(p.snd);
	close(p.rcv);
}

/* Each message rewrites the memfd while all earlier ones still sit in the
 * receive queue: only detaching keeps them intact. */
static void rewritten_fields_intact_by_copy(void **st)
{
	(void)st;
	NEED_NETNS();
	queued_then_read(65536, 64, 1, 0);
	queued_then_read(100003, 20, 1, 0); /* odd size: partial last page */
}

/* The same read by mapping; detached pages have no page->mapping, so
 * TCP_ZEROCOPY_RECEIVE maps them: most of each message (not the header,
 * the last partial page, nor what a segment boundary splits) is mapped. */
static void rewritten_fields_intact_mapped(void **st)
{
	(void)st;
	NEED_NETNS();
	queued_then_read(65536, 64, 1, 1);
	print_message("detached pages: %llu B mapped, %llu B copied\n",
		      (unsigned long long)rr.rx_mapped_bytes,
		      (unsigned long long)rr.rx_copied_bytes);
	assert_true(rr.rx_mapped_bytes > 2 * rr.rx_copied_bytes);
}

/* Unchanging fields stay in the page cache and are never detached; the
 * receiver's kernel may refuse to map page-cache pages (6.8+), which is
 * reported, not asserted. */
static void static_fields_stay(void **st)
{
	(void)st;
	NEED_NETNS();
	queued_then_read(65536, 32, 0, 1);
	print_message("page-cache pages: %llu B mapped, %llu B copied\n",
		      (unsigned long long)rr.rx_mapped_bytes,
		      (unsigned long long)rr.rx_copied_bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rewrite_in_place_reaches_receiver),
		cmocka_unit_test(rewritten_fields_intact_by_copy),
		cmocka_unit_test(rewritten_fields_intact_mapped),
		cmocka_unit_test(static_fields_stay),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
