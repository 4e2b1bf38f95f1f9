/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the data-path unit tests (test_a3/a4/a5): a private network
 * namespace with lo up, and connected loopback TCP pairs in it. Include
 * after <cmocka.h>. */
#ifndef CT_TEST_NETNS_PAIR_H
#define CT_TEST_NETNS_PAIR_H
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockio.h"

static int in_netns;

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Moves this process into its own network namespace (root only), so the
 * host's sysctls and ports stay as they are; sets in_netns. */
static void netns_enter(void)
{
	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && lo_up() == 0)
		in_netns = 1;
}

#define NEED_NETNS()                                                                 \
	do {                                                                         \
		if (!in_netns) {                                                     \
			print_message("needs root for its own network namespace\n"); \
			skip();                                                      \
		}                                                                    \
	} while (0)

struct pair {
	int snd, rcv;
};

/* Socket options of a pair; 0 keeps a default. */
struct pair_opts {
	int sndbuf, rcvbuf; /* SO_SNDBUF, SO_RCVBUF (the listener's: inherited) */
	int force; /* set them with SO_*BUFFORCE, above the sysctl caps */
	int (*before_connect)(int fd); /* e.g. the receiver's MSS, or NULL */
};

/* A connected loopback pair, the sender with TCP_NODELAY. */
static void tcp_pair_opts(struct pair *p, const struct pair_opts *po)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	if (po->rcvbuf)
		assert_int_equal(setsockopt(l, SOL_SOCKET, po->force ? SO_RCVBUFFORCE : SO_RCVBUF,
					    &po->rcvbuf, sizeof(po->rcvbuf)),
				 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	p->snd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->snd >= 0);
	if (po->sndbuf)
		assert_int_equal(setsockopt(p->snd, SOL_SOCKET,
					    po->force ? SO_SNDBUFFORCE : SO_SNDBUF, &po->sndbuf,
					    sizeof(po->sndbuf)),
				 0);
	if (po->before_connect)
		assert_int_equal(po->before_connect(p->snd), 0);
	assert_int_equal(connect(p->snd, (struct sockaddr *)&a, len), 0);
	p->rcv = accept(l, NULL, NULL);
	assert_true(p->rcv >= 0);
	close(l);
	set_nodelay(p->snd);
}

#endif
