// SPDX-License-Identifier: GPL-2.0-only
/* Server: accepts --threads connections, one thread each, and sends
 * messages through the selected implementation until the client is done. */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "impl.h"
#include "ktls.h"
#include "proto.h"
#include "sockio.h"

#define ACCEPT_TIMEOUT_S 30
#define HELLO_TIMEOUT_S 10
#define STOP_GRACE_NS 3000000000ull /* after Ctrl-C, before blocked sends are cut */
#define CHECK_NS 1000000ull /* how often a streaming sender looks for the client's FIN */

struct worker {
	pthread_t tid;
	struct conn c;
	struct side_result r;
	int refused; /* its client's hello failed or did not match: the run ends */
};

/* The client's hello, checked against ours (hello.h). A mismatch is
 * answered with a refusal carrying ours, so that the client names what
 * differs too. The magic and version come first: any version's hello is
 * read that far. */
static int read_hello(struct worker *w)
{
	struct conn *c = &w->c;
	struct hello h, mine;
	const size_t head = offsetof(struct hello, mode);
	memset(&h, 0, sizeof(h));
	set_timeout(c->fd, SO_RCVTIMEO, HELLO_TIMEOUT_S);
	ssize_t n = recv_all(c->fd, &h, head);
	if (n > 0 && h.magic == HELLO_MAGIC && h.version == PROTO_VERSION)
		n = recv_all(c->fd, (char *)&h + head, sizeof(h) - head);
	set_timeout(c->fd, SO_RCVTIMEO, 0);
	if (n <= 0) {
		side_error(c->r, "no hello from client: %s",
			   n == 0 ? "connection closed" : strerror((int)-n));
		return -1;
	}
	c->r->bytes_received += h.version == PROTO_VERSION ? sizeof(h) : head;
	if (h.magic != HELLO_MAGIC) {
		side_error(c->r, "peer is not a copytrace client (bad hello)");
		return -1;
	}
	char why[200];
	hello_make(&mine, c->o, 0);
	if (hello_match(&mine, &h, 1, why, sizeof(why))) {
		struct ready rf = { REFUSED_MAGIC, 0 };
		uint64_t calls = 0;
		if (send_all(c->fd, &rf, sizeof(rf), &calls) == sizeof(rf) &&
		    send_all(c->fd, &mine, sizeof(mine), &calls) == sizeof(mine))
			side_sent(c->r, sizeof(rf) + sizeof(mine));
		side_error(c->r, "%s", why);
		return -1;
	}
	c->pattern = c->o->verify; /* the client's --verify is the same */
	return 0;
}

static int send_ready(struct conn *c)
{
	/* trace_run --role server traces --duration seconds of traffic: the
	 * client's window is the shorter of its own and this */
	struct ready rd = { READY_MAGIC,
			    c->o->host_role == HOST_SERVER ? (uint32_t)(c->o->duration * 1000 + 0.5)
							   : 0 };
	/* then ours: a client not told --impl learns it (a6: it decrypts) */
	struct hello mine;
	hello_make(&mine, c->o, 0);
	uint64_t calls = 0;
	ssize_t n = send_all(c->fd, &rd, sizeof(rd), &calls);
	if (n >= 0)
		n = send_all(c->fd, &mine, sizeof(mine), &calls);
	if (n < 0)
		return conn_error(c, "send", n);
	side_sent(c->r, sizeof(rd) + sizeof(mine));
	return 0;
}

/* Streams until the client half-closes (its duration is over). */
static void serve_stream(struct conn *c, const struct impl_ops *im)
{
	uint64_t seq = 0, next_check = now_ns() + CHECK_NS;
	while (!ct_stop) {
		if (im->send(c, seq++))
			return;
		uint64_t t = now_ns();
		if (t < next_check)
			continue;
		next_check = t + CHECK_NS;
		char b[64];
		ssize_t n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0)
			return; /* client's FIN: finish after this whole message */
		if (n > 0) {
			side_error(c->r, "unexpected data from client in stream mode");
			return;
		}
		if (errno != EAGAIN && errno != EINTR) {
			conn_error(c, "recv", -errno);
			return;
		}
	}
}

/* Answers each request with one message until the client half-closes. */
static void serve_rr(struct conn *c, const struct impl_ops *im)
{
	for (;;) {
		struct request rq;
		ssize_t n = recv_all(c->fd, &rq, sizeof(rq));
		if (n == 0 || (n < 0 && ct_stop))
			return;
		if (n < 0) {
			conn_error(c, "recv", n);
			return;
		}
		c->r->bytes_received += sizeof(rq);
		if (rq.magic != REQ_MAGIC) {
			side_error(c->r, "malformed request from client");
			return;
		}
		if (im->send(c, rq.seq))
			return;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct conn *c = &w->c;
	const struct impl_ops *im = impl_get(c->o->impl);

	if (read_hello(w)) {
		__atomic_store_n(&w->refused, 1, __ATOMIC_RELEASE); /* no more waiting */
	} else {
		if (im->init(c) == 0 && send_ready(c) == 0) {
			if (c->o->mode == MODE_STREAM)
				serve_stream(c, im);
			else
				serve_rr(c, im);
		}
		if (im->finish(c) == 0 && w->r.ok) {
			/* Our FIN tells the client the last message is out; then
			 * wait for its close so no byte is left unread. */
			shutdown(c->fd, SHUT_WR);
			set_timeout(c->fd, SO_RCVTIMEO, HELLO_TIMEOUT_S);
			char b[256];
			ssize_t n;
			while ((n = recv(c->fd, b, sizeof(b), 0)) > 0)
				;
			if (n < 0 && errno != ECONNRESET && errno != EINTR)
				side_error(c->r, "client did not close: %s", strerror(errno));
		}
	}
	/* the main thread closes c->fd after the join: until then it may
	 * still shut the socket down (join_workers) */
	return NULL;
}

/* Joins the workers. After a stop request (Ctrl-C) they get STOP_GRACE_NS
 * to end the message a client is still draining; a worker blocked beyond
 * that (its client stopped reading) has its socket shut down, which ends
 * the blocked send with EPIPE, and so the server always exits. */
static void join_workers(struct worker *w, int n)
{
	uint64_t stop_at = 0;
	int shut = 0;
	for (int i = 0; i < n; i++) {
		for (;;) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_timedjoin_np(w[i].tid, NULL, &ts) == 0)
				break;
			if (ct_stop && !stop_at)
				stop_at = now_ns();
			if (stop_at && !shut && now_ns() - stop_at > STOP_GRACE_NS) {
				for (int k = i; k < n; k++)
					shutdown(w[k].c.fd, SHUT_RDWR);
				shut = 1;
			}
		}
	}
}

static int open_listener(const struct ct_opts *o, struct side_result *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (make_addr(o->addr, o->port, &ss, &len)) {
		side_error(out, "cannot resolve bind address '%s'", o->addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0) {
		side_error(out, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		if (errno == EADDRINUSE)
			side_error(out, "port %u on %s is in use", o->port, o->addr);
		else
			side_error(out, "bind %s:%u: %s", o->addr, o->port, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, o->threads + 16)) {
		side_error(out, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int server_run(const struct ct_opts *o, struct side_result *out)
{
	side_init(out);
	char why[200];
	/* a6 without kTLS: one line before listening, not one per client */
	int lfd = o->impl == IMPL_A6 && ktls_probe(why, sizeof(why))
		? (side_error(out, "--impl a6: %s", why), -1)
		: open_listener(o, out);
	if (o->ready_fd >= 0) {
		/* Tell the runner we listen (or failed: it reads our result). */
		if (lfd >= 0 && write(o->ready_fd, "r", 1) != 1)
			side_error(out, "ready pipe: %s", strerror(errno));
		close(o->ready_fd);
	}
	if (lfd < 0)
		return -1;

	double wait_s = o->peer_timeout > 0 ? o->peer_timeout : ACCEPT_TIMEOUT_S;
	uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(wait_s * 1e9);
	int refused = 0;
	struct worker *w = calloc((size_t)o->threads, sizeof(*w));
	int started = 0;
	if (!w) {
		side_error(out, "out of memory");
		close(lfd);
		return -1;
	}
	while (started < o->threads && !ct_stop && !refused) {
		uint64_t now = now_ns();
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (now >= deadline) {
			side_error(out, "only %d of %d clients connected within %g s%s", started,
				   o->threads, wait_s,
				   o->peer_timeout > 0 ? " (--peer-timeout)" : "");
			break;
		}
		/* in slices: a refused client ends the wait for the others */
		uint64_t left_ms = (deadline - now) / 1000000 + 1;
		int n = poll(&p, 1, left_ms > 100 ? 100 : (int)left_ms);
		for (int i = 0; i < started; i++)
			refused |= __atomic_load_n(&w[i].refused, __ATOMIC_ACQUIRE);
		if (n <= 0 || refused)
			continue;
		struct sockaddr_storage pa;
		socklen_t plen = sizeof(pa);
		int fd = accept4(lfd, (struct sockaddr *)&pa, &plen, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (!out->peer[0])
			addr_text((struct sockaddr *)&pa, plen, out->peer, sizeof(out->peer));
		set_nodelay(fd); /* no message may wait on Nagle + delayed ACK */
		/* a client gone without a reset fails a blocked send, in time */
		set_user_timeout(fd, o->peer_timeout > 0 ? o->peer_timeout : CT_PEER_TIMEOUT_S);
		struct worker *k = &w[started];
		side_init(&k->r);
		k->c = (struct conn){ .fd = fd, .o = o, .size = o->size, .r = &k->r };
		if (pthread_create(&k->tid, NULL, worker_main, k)) {
			side_error(out, "pthread_create failed");
			close(fd);
			break;
		}
		started++;
	}
	if (ct_stop && started < o->threads && out->ok)
		side_error(out, "interrupted while waiting for clients");
	close(lfd);
	join_workers(w, started);
	for (int i = 0; i < started; i++) {
		close(w[i].c.fd);
		side_merge(out, &w[i].r);
	}
	free(w);
	out->elapsed_s = (double)(now_ns() - t0) / 1e9;
	side_rusage(out);
	return out->ok ? 0 : -1;
}
