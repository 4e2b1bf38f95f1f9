/* SPDX-License-Identifier: GPL-2.0-only */
/* Socket helpers: full sends/receives with EINTR and partial-write handling. */
#ifndef CT_SOCKIO_H
#define CT_SOCKIO_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

extern volatile int ct_stop; /* set by SIGINT/SIGTERM in server and client */
/* Installs SIGINT/SIGTERM handlers that set ct_stop (no SA_RESTART, so
 * blocking calls return EINTR and loops notice); ignores SIGPIPE. */
void side_signals(void);
/* The same for any flag (the runner's runner_stop). */
void stop_signals(volatile int *flag);

uint64_t now_ns(void);

/* After a stop request, a wait that holds up a send (zerocopy completions)
 * may go on this long: the peer may still be taking the message in flight. */
#define CT_STOP_GRACE_MS 2000
/* 1 once a stop was requested and CT_STOP_GRACE_MS have passed since *since
 * (0 to start; set when the caller first sees the request), else 0. */
int stop_grace_over(uint64_t *since);

/* What sendmsg_all reports back while it sends; any member may be NULL. */
struct send_hooks {
	/* sendmsg reported EAGAIN/ENOBUFS (zerocopy): wait for room without
	 * spinning. Returns 0 to retry, -1 to give up. */
	int (*blocked)(void *arg, int err);
	/* One sendmsg call succeeded. Under MSG_ZEROCOPY it took the next id,
	 * which the error queue may report before the whole iovec is out. */
	void (*sent)(void *arg);
	void *arg;
};

/* Sends the whole iovec (the array is not modified). calls counts
 * successful sendmsg calls. h may be NULL. Returns bytes sent, or -errno. */
ssize_t sendmsg_all(int fd, const struct iovec *iov, int cnt, int flags, const struct send_hooks *h,
		    uint64_t *calls);
/* send() until len bytes are out. Returns len or -errno. */
ssize_t send_all(int fd, const void *buf, size_t len, uint64_t *calls);
/* recv() exactly len bytes. Returns len, 0 on clean EOF before any byte,
 * or -errno (-EPIPE for EOF mid-buffer). */
ssize_t recv_all(int fd, void *buf, size_t len);

int set_nodelay(int fd);
/* TCP_USER_TIMEOUT: a connection whose sent data stays unacknowledged
 * this long (a peer gone without a reset) fails with ETIMEDOUT instead of
 * blocking a send for good. */
int set_user_timeout(int fd, double seconds);
/* "ADDR:PORT" ("[ADDR]:PORT" for IPv6) of a socket address, numeric. */
void addr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t n);
int set_timeout(int fd, int optname, double seconds);
/* Resolves host:port for IPv4 or IPv6. */
int make_addr(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);
#endif
