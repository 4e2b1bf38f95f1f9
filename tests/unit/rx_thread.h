/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the data-path unit tests (test_a3/a4): a receiver thread that
 * reads a TCP stream to EOF through the framing parser, checking every
 * payload byte, then the message count. Include after <cmocka.h>. */
#ifndef CT_TEST_RX_THREAD_H
#define CT_TEST_RX_THREAD_H
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net/parse.h"

struct rx {
	int fd;
	pid_t sender; /* if set, first wait until this thread blocks in poll */
	int pace_us; /* pause between reads: keeps the sender waiting */
	pthread_t tid;
	struct parser p;
};

/* True while thread tid sleeps in poll(): for a3's sender, the back-off
 * that waits for completions in the middle of a message. */
static int in_poll(pid_t tid)
{
	char path[64];
	long nr = -1;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	FILE *f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	if (f)
		fclose(f);
#ifdef SYS_poll
	if (nr == SYS_poll)
		return 1;
#endif
	return nr == SYS_ppoll;
}

static void *rx_main(void *arg)
{
	static uint8_t buf[1 << 16];
	struct rx *x = arg;
	ssize_t n;
	if (x->sender) {
		usleep(300000); /* the sender's queue fills up */
		for (int i = 0; i < 500 && !in_poll(x->sender); i++)
			usleep(10000);
	}
	while ((n = recv(x->fd, buf, x->pace_us ? 4096 : sizeof(buf), 0)) > 0) {
		parser_feed(&x->p, buf, (size_t)n, NULL, NULL);
		if (x->pace_us)
			usleep((useconds_t)x->pace_us);
	}
	return NULL;
}

static void rx_start(struct rx *x, int fd, pid_t sender, int pace_us)
{
	x->fd = fd;
	x->sender = sender;
	x->pace_us = pace_us;
	parser_init(&x->p, 0, true);
	assert_int_equal(pthread_create(&x->tid, NULL, rx_main, x), 0);
}

/* Half-closes the sender, waits for the receiver, checks what arrived. */
static void rx_check(struct rx *x, int snd, uint64_t messages)
{
	shutdown(snd, SHUT_WR);
	pthread_join(x->tid, NULL);
	if (x->p.errors || x->p.lost_sync)
		fail_msg("receiver: %s", x->p.first_error);
	assert_int_equal(x->p.messages, messages);
	assert_true(parser_idle(&x->p));
}

#endif
