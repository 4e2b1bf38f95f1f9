// SPDX-License-Identifier: GPL-2.0-only
/* A3 zerocopy against the real kernel: ids of
 * partial sends, waits that must end, buffers the kernel still holds.
 * TCP over loopback in the test's own network namespace (needs root;
 * skipped otherwise), so per-namespace sysctls such as net.core.optmem_max
 * can be lowered without touching the host's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net/impl.h"
#include "net/parse.h"
#include "net/sockio.h"
#include "netns_pair.h"
#include "rx_thread.h"

#define OPTMEM "/proc/sys/net/core/optmem_max"

static long optmem_default;

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static void write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%ld\n", v);
	assert_int_equal(fclose(f), 0);
}

static int group_setup(void **st)
{
	(void)st;
	/* Only this process (thread) moves; the host's sysctls stay as they are. */
	netns_enter();
	if (in_netns)
		optmem_default = read_long(OPTMEM);
	return 0;
}

/* A pair with the given send and receive buffers (0: default). */
static void tcp_pair(struct pair *p, int sndbuf, int rcvbuf)
{
	tcp_pair_opts(p, &(struct pair_opts){ .sndbuf = sndbuf, .rcvbuf = rcvbuf });
}

static struct ct_opts o;
static struct side_result r;
static struct conn c;

static void a3_conn(int fd, size_t size, int slots)
{
	memset(&o, 0, sizeof(o));
	o.slots = slots;
	side_init(&r);
	c = (struct conn){ .fd = fd, .o = &o, .size = size, .pattern = 1, .r = &r };
	assert_int_equal(impl_a3.init(&c), 0);
}

static void send_ok(uint64_t seq)
{
	if (impl_a3.send(&c, seq))
		fail_msg("message %llu: %s", (unsigned long long)seq, r.error);
}

/* Receiver: reads to EOF, checking framing and every payload byte. */
/* A sendmsg that sends part of a message takes a
 * zerocopy id at once, and the error queue may report it while the rest of
 * the message still waits in the EAGAIN/ENOBUFS back-off.
 * Made repeatable: the receiver reads nothing at first, so once its window
 * closes the rest of a message waits unsent in the send queue. The next
 * message's first sendmsg fills the rest of the 1.5-message send buffer
 * (the kernel adds its id to the previous message's notification range)
 * and returns part done after the 20 ms send timeout; the next call gets
 * EAGAIN and the back-off polls for the previous message's ids. The
 * receiver starts only once the sender sleeps in that poll, so a single
 * notification then reports those ids and the partial send's id together.
 * Later messages, with a paced receiver and optmem_max lowered in this
 * namespace only, add ENOBUFS back-offs. */
static void partial_send_completes_mid_message(void **st)
{
	(void)st;
	NEED_NETNS();
	enum { N = 100 };
	struct pair p;
	struct rx x;
	write_long(OPTMEM, 1024); /* room for two or three notification skbs */
	tcp_pair(&p, 48 << 10, 0); /* send buffer: 1.5 messages */
	assert_int_equal(set_timeout(p.snd, SO_SNDTIMEO, 0.02), 0);
	a3_conn(p.snd, 49159, 8);
	rx_start(&x, p.rcv, gettid(), 20);
	for (uint64_t seq = 0; seq < N; seq++)
		send_ok(seq);
	if (impl_a3.finish(&c))
		fail_msg("finish: %s", r.error);
	rx_check(&x, p.snd, N);
	assert_int_equal(r.zc_sends, r.zc_completions);
	/* The case under test happened: messages took several sendmsg calls
	 * and sendmsg had to wait for completions. */
	assert_true(r.send_calls > N);
	assert_true(r.zc_backoffs > 0);
	write_long(OPTMEM, optmem_default);
	close(p.snd);
	close(p.rcv);
}

/* Item 2: a wait for the completions of a slot cannot end by itself when
 * the receiver reads nothing. A stop request or a socket error must end it
 * (with a one-line error), not leave it waiting or spinning on POLLERR.
 * The injector acts once the sender sleeps in poll. Should a3_send still
 * be waiting 15 s later (the bug), it drains the receiver so the test
 * ends, and fails, instead of hanging. */
enum inject { INJECT_STOP, INJECT_ICMP };

struct injector {
	pthread_t tid;
	enum inject what;
	pid_t sender;
	int snd, rcv;
	uint32_t first_seq; /* snd's first data byte */
	uint64_t written; /* bytes snd was given */
	volatile int done; /* a3_send returned */
	volatile int rescued;
};

static uint16_t csum(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An ICMP host-unreachable that quotes snd's first unacknowledged byte:
 * with IP_RECVERR on, TCP sets sk_err and leaves its queue alone, so
 * POLLERR stays up while the ids stay outstanding. */
static void send_host_unreach(const struct injector *j)
{
	struct sockaddr_in me, peer;
	socklen_t l = sizeof(me), pl = sizeof(peer);
	int outq = 0;
	assert_int_equal(getsockname(j->snd, (struct sockaddr *)&me, &l), 0);
	assert_int_equal(getpeername(j->snd, (struct sockaddr *)&peer, &pl), 0);
	assert_int_equal(ioctl(j->snd, SIOCOUTQ, &outq), 0);
	struct icmphdr h = { .type = ICMP_DEST_UNREACH, .code = ICMP_HOST_UNREACH };
	struct iphdr ip = { .version = 4,
			    .ihl = 5,
			    .ttl = 64,
			    .protocol = IPPROTO_TCP,
			    .tot_len = htons(40),
			    .saddr = me.sin_addr.s_addr,
			    .daddr = peer.sin_addr.s_addr };
	uint32_t una = htonl(j->first_seq + (uint32_t)(j->written - (uint64_t)outq));
	uint8_t pkt[sizeof(h) + sizeof(ip) + 8];
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), &ip, sizeof(ip));
	memcpy(pkt + sizeof(h) + sizeof(ip), &me.sin_port, 2);
	memcpy(pkt + sizeof(h) + sizeof(ip) + 2, &peer.sin_port, 2);
	memcpy(pkt + sizeof(h) + sizeof(ip) + 4, &una, 4);
	h.checksum = csum(pkt, sizeof(pkt));
	memcpy(pkt, &h, sizeof(h));
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	assert_true(raw >= 0);
	assert_int_equal(sendto(raw, pkt, sizeof(pkt), 0, (struct sockaddr *)&peer, pl),
			 (ssize_t)sizeof(pkt));
	close(raw);
}

static void *inject_main(void *arg)
{
	struct injector *j = arg;
	for (int i = 0; i < 500 && !in_poll(j->sender); i++)
		usleep(10000);
	if (j->what == INJECT_STOP)
		ct_stop = 1; /* as the server's main thread does on SIGINT */
	else
		send_host_unreach(j);
	for (int i = 0; i < 150 && !j->done; i++)
		usleep(100000);
	if (j->done)
		return NULL;
	j->rescued = 1;
	static char buf[1 << 16];
	set_timeout(j->rcv, SO_RCVTIMEO, 0.1);
	while (!j->done)
		recv(j->rcv, buf, sizeof(buf), 0);
	return NULL;
}

/* snd's first data sequence number, read in repair mode (root) before
 * any data is queued. */
static uint32_t first_seq(int fd)
{
	int on = TCP_REPAIR_ON, off = TCP_REPAIR_OFF_NO_WP, q = TCP_SEND_QUEUE;
	uint32_t seq = 0;
	socklen_t l = sizeof(seq);
	assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)), 0);
	assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)), 0);
	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &l), 0);
	assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)), 0);
	return seq;
}

/* Queues a 1 MiB message the receiver never reads, then sends the next one
 * into the single slot: a3_send must wait for the first one's completion
 * until the injector's stop or socket error ends the wait. */
static void blocked_slot_wait(enum inject what, const char *says)
{
	struct pair p;
	struct injector j = { .what = what, .sender = gettid() };
	tcp_pair(&p, 4 << 20, 0);
	int one = 1; /* TCP turns ICMP errors into sk_err only with IP_RECVERR */
	assert_int_equal(setsockopt(p.snd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)), 0);
	j.snd = p.snd;
	j.rcv = p.rcv;
	j.first_seq = first_seq(p.snd);
	a3_conn(p.snd, 1 << 20, 1);
	send_ok(0);
	j.written = r.bytes_sent;
	assert_int_equal(pthread_create(&j.tid, NULL, inject_main, &j), 0);
	int rc = impl_a3.send(&c, 1);
	j.done = 1;
	pthread_join(j.tid, NULL);
	ct_stop = 0;
	impl_a3.finish(&c);
	close(p.snd);
	close(p.rcv);
	if (j.rescued)
		fail_msg("a3_send still waited 15 s after the %s (rc %d: %s)",
			 what == INJECT_STOP ? "stop request" : "socket error", rc, r.error);
	assert_int_equal(rc, -1);
	if (!strstr(r.error, says) || strchr(r.error, '\n'))
		fail_msg("error '%s' does not say '%s' on one line", r.error, says);
}

static void stop_ends_slot_wait(void **st)
{
	(void)st;
	NEED_NETNS();
	blocked_slot_wait(INJECT_STOP, "stopped");
}

static void socket_error_ends_slot_wait(void **st)
{
	(void)st;
	NEED_NETNS();
	blocked_slot_wait(INJECT_ICMP, "No route to host");
}

/* Item 3: after a failed connection a3_finish gives the completions 1 s,
 * then freed the slot buffers although the kernel still held their pages
 * for data it had not sent; the heap handed them out again and the kernel
 * sent whatever was written there next. Here the receiver reads nothing
 * until finish has returned and the program has reused freed memory, then
 * checks every byte that arrives. This shows what reaches the wire; it
 * cannot see the kernel's own page references. */
static void failed_finish_keeps_buffers_kernel_holds(void **st)
{
	(void)st;
	NEED_NETNS();
	enum { N = 4, SIZE = 65536 };
	struct pair p;
	struct rx x;
	tcp_pair(&p, 1 << 20, 0);
	a3_conn(p.snd, SIZE, N);
	for (uint64_t seq = 0; seq < N; seq++)
		send_ok(seq); /* most of it waits unsent: the receiver reads nothing */
	side_error(&r, "connection failed (injected)");
	assert_int_equal(impl_a3.finish(&c), -1); /* ids still outstanding */
	/* What the program does next: allocate and write. */
	void *reuse[8 * N * (CT_FIELDS + 1)];
	size_t k = 0;
	for (int round = 0; round < 8; round++)
		for (int i = 0; i < N * (CT_FIELDS + 1); i++) {
			size_t len = i % (CT_FIELDS + 1) ? SIZE / CT_FIELDS + 1 : CT_HDR_SIZE;
			reuse[k] = malloc(len);
			assert_non_null(reuse[k]);
			memset(reuse[k++], 0xa5, len);
		}
	rx_start(&x, p.rcv, 0, 0);
	rx_check(&x, p.snd, N);
	for (size_t i = 0; i < k; i++)
		free(reuse[i]);
	close(p.snd);
	close(p.rcv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(partial_send_completes_mid_message),
		cmocka_unit_test(stop_ends_slot_wait),
		cmocka_unit_test(socket_error_ends_slot_wait),
		cmocka_unit_test(failed_finish_keeps_buffers_kernel_holds),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
