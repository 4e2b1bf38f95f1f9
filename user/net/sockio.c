// SPDX-License-Identifier: GPL-2.0-only
#include "sockio.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

volatile int ct_stop;

/* The flag SIGINT/SIGTERM set in this process (one per process: the
 * runner's own, or a side's ct_stop after the fork). */
static volatile int *stop_flag = &ct_stop;

static void on_signal(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

void stop_signals(volatile int *flag)
{
	stop_flag = flag;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void side_signals(void)
{
	stop_signals(&ct_stop);
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int stop_grace_over(uint64_t *since)
{
	if (!ct_stop)
		return 0;
	uint64_t t = now_ns();
	if (!*since)
		*since = t;
	return t - *since >= CT_STOP_GRACE_MS * 1000000ull;
}

ssize_t sendmsg_all(int fd, const struct iovec *iov, int cnt, int flags, const struct send_hooks *h,
		    uint64_t *calls)
{
	struct iovec v[cnt];
	size_t total = 0, done = 0;
	int first = 0;

	memcpy(v, iov, sizeof(v));
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	while (done < total) {
		struct msghdr mh = { .msg_iov = v + first, .msg_iovlen = (size_t)(cnt - first) };
		ssize_t n = sendmsg(fd, &mh, flags | MSG_NOSIGNAL);
		if (n < 0) {
			/* After a stop request, a call a signal interrupted before
			 * it moved a byte ends the send: retrying would sleep
			 * again with no signal left to wake it. */
			if (errno == EINTR && !ct_stop)
				continue;
			if ((errno == EAGAIN || errno == ENOBUFS) && h && h->blocked) {
				if (h->blocked(h->arg, errno) == 0)
					continue;
			}
			return -errno;
		}
		(*calls)++;
		if (h && h->sent)
			h->sent(h->arg);
		done += (size_t)n;
		/* Partial send: skip what went out, trim the next iovec. */
		while (n > 0 && first < cnt) {
			if ((size_t)n >= v[first].iov_len) {
				n -= (ssize_t)v[first].iov_len;
				first++;
			} else {
				v[first].iov_base = (char *)v[first].iov_base + n;
				v[first].iov_len -= (size_t)n;
				n = 0;
			}
		}
	}
	return (ssize_t)done;
}

ssize_t send_all(int fd, const void *buf, size_t len, uint64_t *calls)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR && !ct_stop) /* as in sendmsg_all */
				continue;
			return -errno;
		}
		(*calls)++;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t recv_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = recv(fd, (char *)buf + done, len - done, 0);
		if (n == 0)
			return done ? -EPIPE : 0;
		if (n < 0) {
			if (errno == EINTR && !ct_stop)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int set_nodelay(int fd)
{
	int one = 1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int set_user_timeout(int fd, double seconds)
{
	unsigned ms = (unsigned)(seconds * 1000);
	return setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
}

void addr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t n)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];
	if (getnameinfo(sa, len, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, n, "?");
		return;
	}
	int v6 = sa->sa_family == AF_INET6 && strchr(h, ':');
	snprintf(buf, n, "%s%s%s:%s", v6 ? "[" : "", h, v6 ? "]" : "", p);
}

int set_timeout(int fd, int optname, double seconds)
{
	struct timeval tv = { .tv_sec = (time_t)seconds,
			      .tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6) };
	return setsockopt(fd, SOL_SOCKET, optname, &tv, sizeof(tv));
}

int make_addr(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *res;
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(host, ps, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}
