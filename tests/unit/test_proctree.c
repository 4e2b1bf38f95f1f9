// SPDX-License-Identifier: GPL-2.0-only
/* Process trees: /proc/PID/stat parsing, the walk that finds every
 * descendant (also one forked while it walks), pidfds that see a zombie
 * as gone, and a subreaper that kills a tree whose middle has exited. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "trace/cmdtree.h"
#include "trace/pidwatch.h"
#include "trace/proctree.h"

static void stat_lines(void **st)
{
	(void)st;
	struct proc_entry e;
	assert_int_equal(proc_stat_parse("42 (nginx) S 1 42 42 0 -1 4194560", &e), 0);
	assert_int_equal(e.pid, 42);
	assert_int_equal(e.ppid, 1);
	assert_int_equal(e.pgrp, 42);
	assert_string_equal(e.comm, "nginx");
	/* a name with spaces and parentheses: comm ends at the last ')' */
	assert_int_equal(proc_stat_parse("7 (a) b (c) R 3 9 9 0", &e), 0);
	assert_string_equal(e.comm, "a) b (c");
	assert_int_equal(e.ppid, 3);
	assert_int_equal(e.pgrp, 9);
	assert_int_equal(proc_stat_parse("7 (0123456789abcdefXYZ) S 3 9", &e), 0);
	assert_string_equal(e.comm, "0123456789abcde"); /* cut to 15 */
	assert_int_equal(proc_stat_parse("garbage", &e), -1);
	assert_int_equal(proc_stat_parse("1 (x) S", &e), -1);
	assert_int_equal(proc_stat_read(getpid(), &e), 0);
	assert_int_equal(e.ppid, getppid());
}

/* A chain: child -> grandchild -> great-grandchild, each waiting on a
 * pipe (closed by the test to end them). */
static pid_t chain(int depth, int rd, int wr)
{
	pid_t p = fork();
	if (p == 0) {
		close(wr); /* EOF once the test closes its end */
		if (depth > 1)
			chain(depth - 1, rd, -1);
		char c;
		if (read(rd, &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	return p;
}

static void walk_finds_every_descendant(void **st)
{
	(void)st;
	int pp[2];
	assert_int_equal(pipe(pp), 0);
	pid_t top = chain(3, pp[0], pp[1]);
	struct pidset d = { 0 };
	/* the chain grows while we look: repeat until all three are there */
	for (int i = 0; i < 200 && d.n < 3; i++) {
		pidset_free(&d);
		proc_descendants(getpid(), &d);
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	assert_int_equal(d.n, 3);
	assert_true(pidset_has(&d, top));
	for (int i = 0; i < d.n; i++) {
		struct proc_entry e;
		assert_int_equal(proc_stat_read(d.v[i], &e), 0);
		assert_true(e.ppid == getpid() || pidset_has(&d, e.ppid));
	}
	pidset_free(&d);
	close(pp[1]);
	close(pp[0]);
	while (wait(NULL) > 0)
		;
}

static void pidfd_sees_a_zombie_gone(void **st)
{
	(void)st;
	struct pidwatch w = { 0 };
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(pw_add(&w, c), 1);
	assert_int_equal(pw_add(&w, c), 0); /* once */
	assert_int_equal(pw_alive(&w, 0), 1);
	kill(c, SIGKILL);
	/* not reaped: a zombie, for which kill(pid, 0) still succeeds */
	assert_int_equal(pw_alive(&w, 2000), 0);
	assert_int_equal(kill(c, 0), 0);
	assert_true(pw_has(&w, c));
	waitpid(c, NULL, 0);
	assert_int_equal(pw_add(&w, 4194304), 0); /* no such process */
	pw_free(&w);
}

/* The middle of a chain exits: its child comes to us (the subreaper) and
 * cmdtree_kill ends it and reaps everything. */
static void subreaper_kills_orphans(void **st)
{
	(void)st;
	pid_t me = fork();
	if (me == 0) { /* a fresh process: the subreaper state stays in it */
		if (cmdtree_subreaper())
			_exit(10);
		int pp[2];
		if (pipe(pp))
			_exit(11);
		pid_t mid = fork();
		if (mid == 0) {
			if (fork() == 0) {
				setsid(); /* like a daemon: another session */
				pause();
				_exit(0);
			}
			_exit(0);
		}
		int st_mid, done = 0;
		waitpid(mid, &st_mid, 0);
		struct pidset d = { 0 };
		for (int i = 0; i < 200 && !d.n; i++) { /* the orphan is ours now */
			proc_descendants(getpid(), &d);
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (d.n != 1)
			_exit(12);
		struct proc_entry e;
		if (proc_stat_read(d.v[0], &e) || e.ppid != getpid())
			_exit(13);
		if (cmdtree_reap(mid, &st_mid, &done)) /* the orphan is still there */
			_exit(14);
		int status = 0;
		if (cmdtree_kill(0, mid, &status, &done, 5) != 0)
			_exit(15);
		if (kill(d.v[0], 0) == 0 || !cmdtree_reap(mid, &status, &done))
			_exit(16);
		_exit(0);
	}
	int st_me;
	waitpid(me, &st_me, 0);
	assert_true(WIFEXITED(st_me));
	assert_int_equal(WEXITSTATUS(st_me), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_lines),
		cmocka_unit_test(walk_finds_every_descendant),
		cmocka_unit_test(pidfd_sees_a_zombie_gone),
		cmocka_unit_test(subreaper_kills_orphans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
