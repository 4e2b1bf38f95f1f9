// SPDX-License-Identifier: GPL-2.0-only
/* Socket helpers: a send blocked on a peer that reads nothing ends when a
 * signal interrupts it after a stop request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/sockio.h"

#define RESCUE_TICKS 50 /* 10 s of 200 ms ticks: the send ignored the stop */

static int snd_fd = -1;
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ct_stop = 1; /* as the server's SIGINT handler does */
	/* Still sending long after the stop: the bug. Shut the socket so the
	 * send returns (EPIPE) and the test fails instead of hanging. */
	if (++ticks == RESCUE_TICKS)
		shutdown(snd_fd, SHUT_RDWR);
}

/* Connected loopback pair whose sender's buffer is full: the receiver
 * reads nothing, so the next blocking send sleeps. */
static int full_pair(int *rcv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0 && s >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, len), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(connect(s, (struct sockaddr *)&a, len), 0);
	*rcv = accept(l, NULL, NULL);
	assert_true(*rcv >= 0);
	close(l);
	/* Fill until the receiver's window is shut too: a round that finds
	 * no room after a pause. */
	static char junk[1 << 16];
	for (int moved = 1; moved;) {
		moved = 0;
		while (send(s, junk, sizeof(junk), MSG_DONTWAIT) > 0)
			moved = 1;
		assert_int_equal(errno, EAGAIN);
		usleep(50000);
	}
	return s;
}

/* SIGALRM every 200 ms, without SA_RESTART so blocked calls see EINTR. */
static void alarms(int on)
{
	struct sigaction sa = { .sa_handler = on ? on_alarm : SIG_IGN };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, on ? 200000 : 0 }, { 0, on ? 200000 : 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	ticks = 0;
	ct_stop = 0;
}

static void check_interrupted(ssize_t n)
{
	int t = ticks;
	alarms(0);
	if (t >= RESCUE_TICKS)
		fail_msg("send went on for %d ticks after the stop request (returned %zd)", t, n);
	assert_int_equal(n, -EINTR);
}

static void sendmsg_all_honours_stop(void **st)
{
	(void)st;
	int rcv;
	snd_fd = full_pair(&rcv);
	static char buf[1 << 16];
	struct iovec iov[2] = { { buf, sizeof(buf) / 2 }, { buf, sizeof(buf) / 2 } };
	uint64_t calls = 0;
	alarms(1);
	check_interrupted(sendmsg_all(snd_fd, iov, 2, 0, NULL, &calls));
	close(snd_fd);
	close(rcv);
}

static void send_all_honours_stop(void **st)
{
	(void)st;
	int rcv;
	snd_fd = full_pair(&rcv);
	static char buf[1 << 16];
	uint64_t calls = 0;
	alarms(1);
	check_interrupted(send_all(snd_fd, buf, sizeof(buf), &calls));
	close(snd_fd);
	close(rcv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sendmsg_all_honours_stop),
		cmocka_unit_test(send_all_honours_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
