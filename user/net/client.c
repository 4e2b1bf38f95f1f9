// SPDX-License-Identifier: GPL-2.0-only
/* Client: --threads connections, each receiving (stream) or asking and
 * receiving (rr) for --duration, checking framing and, with --verify,
 * every byte. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parse.h"
#include "common/perfctl.h"
#include "ktls.h"
#include "proto.h"
#include "rx_zerocopy.h"
#include "sockio.h"

#define RBUF (256u << 10)
#define CONNECT_RETRY_S 5
#define READY_TIMEOUT_S 30
#define DRAIN_TIMEOUT_S 10
#define POLL_S 0.1 /* recv timeout so a quiet stream still ends on time */

struct cworker {
	pthread_t tid;
	int fd;
	const struct ct_opts *o;
	uint64_t start, deadline;
	struct side_result r;
	struct parser p;
	uint64_t now; /* time of the recv that completed the current messages */
	int in_window;
	int window_over;
	struct rxzc zc; /* --rx zerocopy */
};

/* This connection's window is over (once). With --perf-ctl the last one
 * stops perf's counting, and each waits for it before its drain. */
static void window_end(struct cworker *w)
{
	if (!w->window_over) {
		w->window_over = 1;
		perfctl_window_end(w->o->perf, 1);
	}
}

static void on_message(void *arg, const struct ct_hdr *h)
{
	struct cworker *w = arg;
	/* One-way delivery latency: sender's stamp to full receipt, valid when
	 * both ends share a clock (same host; not under trace_run --role,
	 * whose peer is another host's). */
	if (w->in_window && w->o->mode == MODE_STREAM && w->now > h->send_ns &&
	    w->o->host_role != HOST_CLIENT)
		hist_add(&w->r.lat, w->now - h->send_ns);
}

/* Feeds received bytes; returns -1 when framing is lost. */
static int consume(struct cworker *w, const uint8_t *buf, size_t n, size_t *msgs)
{
	w->r.bytes_received += n;
	size_t m = parser_feed(&w->p, buf, n, on_message, w);
	if (msgs)
		*msgs += m;
	if (w->p.lost_sync) {
		side_error(&w->r, "verify: %s", w->p.first_error);
		return -1;
	}
	return 0;
}

struct feed {
	struct cworker *w;
	size_t *msgs;
};

static int feed(void *arg, const uint8_t *p, size_t n)
{
	struct feed *f = arg;
	f->w->now = now_ns();
	return consume(f->w, p, n, f->msgs);
}

/* One receive, by copy (recv) or by mapping (--rx zerocopy), its bytes fed
 * to the parser. Returns bytes (> 0), 0 at EOF, -1 with errno, -2 when the
 * parser lost framing (recorded). */
static ssize_t rx_once(struct cworker *w, uint8_t *buf, size_t *msgs)
{
	struct feed f = { w, msgs };
	if (w->o->rx == RX_ZEROCOPY)
		return rxzc_recv(&w->zc, buf, RBUF, &w->r, feed, &f);
	ssize_t n = recv(w->fd, buf, RBUF, 0);
	if (n > 0 && feed(&f, buf, (size_t)n))
		return -2;
	return n;
}

static void eof_error(struct cworker *w)
{
	side_error(&w->r, "server closed the connection mid-run");
}

/* A failed recv/send (err = errno); a reset means the server died. */
static void io_error(struct cworker *w, const char *what, int err)
{
	if (err == ECONNRESET || err == EPIPE)
		side_error(&w->r, "server closed the connection mid-run (%s: %s)", what,
			   strerror(err));
	else
		side_error(&w->r, "%s: %s", what, strerror(err));
}

/* After the window: half-close, then read to EOF so every byte the server
 * sent is received and checked. */
static void drain(struct cworker *w, uint8_t *buf)
{
	shutdown(w->fd, SHUT_WR);
	set_timeout(w->fd, SO_RCVTIMEO, DRAIN_TIMEOUT_S);
	for (;;) {
		ssize_t n = rx_once(w, buf, NULL);
		if (n == 0)
			break;
		if (n == -2)
			return;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				side_error(&w->r, "server did not finish within %d s",
					   DRAIN_TIMEOUT_S);
			else
				io_error(w, "recv while draining", errno);
			return;
		}
	}
	if (!parser_idle(&w->p))
		side_error(&w->r, "stream ended inside a message");
}

static void run_stream(struct cworker *w, uint8_t *buf)
{
	set_timeout(w->fd, SO_RCVTIMEO, POLL_S);
	w->in_window = 1;
	/* --peer-timeout: a server gone without a word (no FIN, no reset)
	 * ends the run that long after its last byte */
	uint64_t last = now_ns(), quiet = (uint64_t)(w->o->peer_timeout * 1e9);
	for (;;) {
		ssize_t n = rx_once(w, buf, NULL);
		w->now = now_ns();
		if (n == -2)
			return;
		if (n == 0) {
			if (!ct_stop)
				eof_error(w);
			return;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			io_error(w, "recv", errno);
			return;
		}
		if (n > 0)
			last = w->now;
		else if (quiet && w->now - last > quiet) {
			side_error(&w->r, "no data from the server for %g s (--peer-timeout)",
				   w->o->peer_timeout);
			return;
		}
		if (w->now >= w->deadline || ct_stop)
			break;
	}
	w->in_window = 0;
	w->r.window_bytes = w->r.bytes_received;
	w->r.window_s = (double)(w->now - w->start) / 1e9;
	window_end(w);
	drain(w, buf);
}

static void run_rr(struct cworker *w, uint8_t *buf)
{
	uint64_t seq = 0;
	set_timeout(w->fd, SO_RCVTIMEO, DRAIN_TIMEOUT_S); /* a lost answer fails, not hangs */
	while (now_ns() < w->deadline && !ct_stop) {
		struct request rq = { .magic = REQ_MAGIC, .seq = seq };
		uint64_t t0 = now_ns();
		ssize_t s = send_all(w->fd, &rq, sizeof(rq), &w->r.send_calls);
		if (s < 0) {
			io_error(w, "send request", (int)-s);
			return;
		}
		w->r.bytes_sent += sizeof(rq);
		size_t got = 0;
		while (!got) {
			ssize_t n = rx_once(w, buf, &got);
			if (n == 0) {
				eof_error(w);
				return;
			}
			if (n == -2)
				return;
			if (n < 0) {
				if (errno == EINTR && !ct_stop)
					continue;
				if (errno == EINTR) /* Ctrl-C: drain collects the answer */
					goto out;
				if (errno == EAGAIN)
					side_error(&w->r, "no answer from server within %d s",
						   DRAIN_TIMEOUT_S);
				else
					io_error(w, "recv", errno);
				return;
			}
		}
		hist_add(&w->r.lat, now_ns() - t0);
		seq++;
	}
out:
	w->r.window_bytes = w->r.bytes_received;
	w->r.window_s = (double)(now_ns() - w->start) / 1e9;
	window_end(w);
	drain(w, buf);
}

static void *cworker_main(void *arg)
{
	struct cworker *w = arg;
	uint8_t *buf = malloc(RBUF);
	if (!buf) {
		side_error(&w->r, "out of memory");
		window_end(w);
		return NULL;
	}
	parser_init(&w->p, 0, w->o->verify);
	if (w->o->rx == RX_ZEROCOPY && rxzc_init(&w->zc, w->fd, RBUF, &w->r))
		;
	else if (w->o->mode == MODE_STREAM)
		run_stream(w, buf);
	else
		run_rr(w, buf);
	rxzc_free(&w->zc);
	window_end(w); /* when run_* failed before its window ended */
	w->r.messages_received = w->p.messages;
	w->r.verify_errors = w->p.errors;
	if (w->p.errors && w->r.ok)
		side_error(&w->r, "verify: %s (%llu bad messages)", w->p.first_error,
			   (unsigned long long)w->p.errors);
	free(buf);
	close(w->fd);
	return NULL;
}

/* The server's answer to our hello: ready (its duration cap into *cap_ms,
 * the smallest so far) and its own hello into *srv, or a refusal naming
 * what differs. 0 or -1. */
static int read_answer(int fd, const struct hello *h, struct hello *srv, struct side_result *r,
		       uint64_t *ready_bytes, uint32_t *cap_ms)
{
	struct ready rd;
	set_timeout(fd, SO_RCVTIMEO, READY_TIMEOUT_S);
	ssize_t n = recv_all(fd, &rd, sizeof(rd));
	memset(srv, 0, sizeof(*srv));
	if (n == sizeof(rd) && rd.magic == REFUSED_MAGIC) {
		char why[200];
		n = recv_all(fd, srv, sizeof(*srv));
		if (n != sizeof(*srv) || srv->magic != HELLO_MAGIC ||
		    !hello_match(srv, h, 0, why, sizeof(why)))
			snprintf(why, sizeof(why), "it sent no reason");
		side_error(r, "server refused: %s", why);
		return -1;
	}
	if (n == sizeof(rd) && rd.magic == READY_MAGIC)
		n = recv_all(fd, srv, sizeof(*srv));
	if (n != sizeof(*srv) || rd.magic != READY_MAGIC || srv->magic != HELLO_MAGIC) {
		side_error(r, "server refused the connection or is not a copytrace server%s%s",
			   n < 0 ? ": " : "", n < 0 ? strerror((int)-n) : "");
		return -1;
	}
	*ready_bytes += sizeof(rd) + sizeof(*srv);
	if (rd.cap_ms && (!*cap_ms || rd.cap_ms < *cap_ms))
		*cap_ms = rd.cap_ms;
	return 0;
}

/* a6 (given, or learnt from the server's hello): everything after the
 * answer is kTLS records; the kernel decrypts what is already queued too. */
static int decrypt_if_a6(int fd, const struct ct_opts *o, enum ct_impl served,
			 struct side_result *r)
{
	char why[200];
	if (served != IMPL_A6)
		return 0;
	if (o->rx == RX_ZEROCOPY) {
		side_error(r,
			   "the server runs --impl a6 (kTLS): --rx zerocopy cannot map records "
			   "the kernel decrypts; receive with --rx copy");
		return -1;
	}
	if (ktls_enable(fd, TLS_RX, why, sizeof(why))) {
		side_error(r, "--impl a6%s: %s", o->impl_given ? "" : " (the server's)", why);
		return -1;
	}
	return 0;
}

/* Connects (retrying while the server is not up yet, each attempt bounded
 * by the time left) and says hello. */
static int open_conn(const struct ct_opts *o, struct side_result *r, uint64_t *hello_bytes,
		     uint64_t *ready_bytes, uint32_t *cap_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (make_addr(o->addr, o->port, &ss, &len)) {
		side_error(r, "cannot resolve server address '%s'", o->addr);
		return -1;
	}
	double wait_s = o->peer_timeout > 0 ? o->peer_timeout : CONNECT_RETRY_S;
	uint64_t give_up = now_ns() + (uint64_t)(wait_s * 1e9);
	for (;;) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			side_error(r, "socket: %s", strerror(errno));
			return -1;
		}
		/* Page-sized segments where the path allows it (loopback). */
		if (o->rx == RX_ZEROCOPY && rxzc_set_mss(fd)) {
			side_error(r, "setsockopt(TCP_MAXSEG): %s", strerror(errno));
			close(fd);
			return -1;
		}
		/* connect() gives up when SO_SNDTIMEO runs out (EINPROGRESS) */
		uint64_t now = now_ns();
		set_timeout(fd, SO_SNDTIMEO,
			    now < give_up ? (double)(give_up - now) / 1e9 + 0.05 : 0.05);
		if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
			set_timeout(fd, SO_SNDTIMEO, 0);
			set_nodelay(fd); /* requests must not wait on Nagle */
			set_user_timeout(fd,
					 o->peer_timeout > 0 ? o->peer_timeout : CT_PEER_TIMEOUT_S);
			if (!r->peer[0])
				addr_text((struct sockaddr *)&ss, len, r->peer, sizeof(r->peer));
			/* a client not told --impl takes any (build/client); trace_run
			 * --role client reports the impl it names, so that must match */
			struct hello h;
			hello_make(&h, o, !o->impl_given && o->host_role != HOST_CLIENT);
			uint64_t calls = 0;
			if (send_all(fd, &h, sizeof(h), &calls) != sizeof(h)) {
				side_error(r, "sending hello: %s", strerror(errno));
				close(fd);
				return -1;
			}
			*hello_bytes += sizeof(h);
			/* Wait until the server is set up, so setup is not measured. */
			struct hello srv;
			if (read_answer(fd, &h, &srv, r, ready_bytes, cap_ms) ||
			    decrypt_if_a6(fd, o, hello_served(&srv, &h), r)) {
				close(fd);
				return -1;
			}
			r->served_impl = (int)hello_served(&srv, &h) + 1;
			r->served_tls_sendfile = !!(srv.flags & HELLO_TLS_SENDFILE);
			return fd;
		}
		int e = errno;
		close(fd);
		if (e == EINPROGRESS || e == EAGAIN) {
			side_error(r, "cannot connect to %s port %u: no answer within %g s",
				   o->addr, o->port, wait_s);
			return -1;
		}
		if ((e != ECONNREFUSED && e != EINTR) || now_ns() > give_up || ct_stop) {
			side_error(r, "cannot connect to %s port %u: %s%s", o->addr, o->port,
				   strerror(e),
				   e == ECONNREFUSED ? " (nothing listening there)" : "");
			return -1;
		}
		usleep(20000);
	}
}

int client_run(const struct ct_opts *o, struct side_result *out)
{
	side_init(out);
	char why[200];
	if (o->impl == IMPL_A6 && ktls_probe(why, sizeof(why))) {
		side_error(out, "--impl a6: %s", why);
		return -1;
	}
	struct cworker *w = calloc((size_t)o->threads, sizeof(*w));
	int opened = 0, started = 0;
	uint64_t hello = 0, ready = 0, t0 = now_ns();
	uint32_t cap_ms = 0; /* the server's --duration (trace_run --role server) */
	if (!w) {
		side_error(out, "out of memory");
		return -1;
	}
	/* Connect everyone first so all connections measure the same window. */
	for (; opened < o->threads; opened++)
		if ((w[opened].fd = open_conn(o, out, &hello, &ready, &cap_ms)) < 0)
			break;
	/* The window starts: perf (--perf-ctl) counts from here. */
	int go = opened == o->threads;
	if (go && perfctl_enable(o->perf, o->threads)) {
		side_error(out, "%s", o->perf->err);
		go = 0;
	}
	double dur = cap_ms && cap_ms / 1e3 < o->duration ? cap_ms / 1e3 : o->duration;
	if (go) {
		uint64_t start = now_ns();
		for (; started < o->threads; started++) {
			struct cworker *k = &w[started];
			side_init(&k->r);
			k->o = o;
			k->start = start;
			k->deadline = start + (uint64_t)(dur * 1e9);
			if (pthread_create(&k->tid, NULL, cworker_main, k)) {
				side_error(out, "pthread_create failed");
				break;
			}
		}
		for (int i = started; i < o->threads; i++)
			perfctl_window_end(o->perf, 0); /* its thread did not start */
	}
	for (int i = started; i < opened; i++)
		close(w[i].fd);
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		side_merge(out, &w[i].r);
	}
	if (perfctl_done(o->perf) && out->ok)
		side_error(out, "%s", o->perf->err);
	out->bytes_sent += hello;
	out->bytes_received += ready;
	free(w);
	out->elapsed_s = (double)(now_ns() - t0) / 1e9;
	side_rusage(out);
	return out->ok ? 0 : -1;
}
