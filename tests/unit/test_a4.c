// SPDX-License-Identifier: GPL-2.0-only
/* A4 (io_uring SENDMSG_ZC) against the real kernel: every notification
 * counted, COPIED flags counted, slots waiting for notifications end on a
 * stop request, a fallback to per-send pinning when buffers cannot be
 * registered, and one-line errors when io_uring is blocked. TCP over
 * loopback in the test's own network namespace (root; skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/impl.h"
#include "net/parse.h"
#include "net/sockio.h"
#include "netns_pair.h"
#include "rx_thread.h"

static int group_setup(void **st)
{
	(void)st;
	netns_enter();
	return 0;
}

static void tcp_pair(struct pair *p, int sndbuf)
{
	tcp_pair_opts(p, &(struct pair_opts){ .sndbuf = sndbuf });
}

static struct ct_opts o;
static struct side_result r;
static struct conn c;

static int a4_conn(int fd, size_t size, int slots)
{
	memset(&o, 0, sizeof(o));
	o.slots = slots;
	side_init(&r);
	c = (struct conn){ .fd = fd, .o = &o, .size = size, .pattern = 1, .r = &r };
	return impl_a4.init(&c);
}

/* Receiver: reads to EOF, checking framing and every payload byte. */
/* Sends n verified messages through a few slots with a slow receiver, so
 * slots are reused while notifications are outstanding. */
static void send_verified(size_t size, int slots, int n, int pace_us)
{
	struct pair p;
	struct rx x;
	tcp_pair(&p, 0);
	if (a4_conn(p.snd, size, slots))
		fail_msg("init: %s", r.error);
	rx_start(&x, p.rcv, 0, pace_us);
	for (int seq = 0; seq < n; seq++)
		if (impl_a4.send(&c, (uint64_t)seq))
			fail_msg("message %d: %s", seq, r.error);
	if (impl_a4.finish(&c))
		fail_msg("finish: %s", r.error);
	rx_check(&x, p.snd, (uint64_t)n);
	close(p.snd);
	close(p.rcv);
}

/* Every request announced a notification (F_MORE) and every one arrived;
 * loopback copies every zerocopy skb before delivery (skb_copy_ubufs), so
 * with IORING_SEND_ZC_REPORT_USAGE each notification must say COPIED. */
static void every_notification_counted(void **st)
{
	(void)st;
	NEED_NETNS();
	send_verified(65536, 4, 300, 0);
	assert_int_equal(r.messages_sent, 300);
	assert_true(r.zc_sends >= 300);
	assert_int_equal(r.zc_notifications, r.zc_sends);
	assert_int_equal(r.zc_completions, r.zc_sends);
	assert_int_equal(r.zc_copied, r.zc_notifications);
	assert_string_equal(r.zc_mode, "registered-buffers");
}

/* Odd sizes and one slot: the slot is always reused right after its own
 * notification, with a receiver slower than the sender. */
static void one_slot_odd_size(void **st)
{
	(void)st;
	NEED_NETNS();
	send_verified(1048579, 1, 20, 50);
	assert_int_equal(r.zc_notifications, r.zc_sends);
}

/* A receiver that reads nothing keeps the only slot's notification away;
 * a stop request must end the wait with a one-line error. */
static void *stop_later(void *arg)
{
	(void)arg;
	usleep(300000);
	ct_stop = 1;
	return NULL;
}

static void stop_ends_slot_wait(void **st)
{
	(void)st;
	NEED_NETNS();
	struct pair p;
	tcp_pair(&p, 4 << 20);
	if (a4_conn(p.snd, 1 << 20, 1))
		fail_msg("init: %s", r.error);
	assert_int_equal(impl_a4.send(&c, 0), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stop_later, NULL), 0);
	uint64_t t0 = now_ns();
	int rc = impl_a4.send(&c, 1);
	uint64_t took_ms = (now_ns() - t0) / 1000000;
	pthread_join(t, NULL);
	ct_stop = 0;
	impl_a4.finish(&c);
	close(p.snd);
	close(p.rcv);
	assert_int_equal(rc, -1);
	if (!strstr(r.error, "stopped") || strchr(r.error, '\n'))
		fail_msg("error '%s' does not say 'stopped' on one line", r.error);
	assert_true(took_ms < 10000);
}

/* Runs fn in a child (it changes the process irreversibly); the child's
 * exit status 0 means pass, and it prints why not. */
static void in_child(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		_exit(10);
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	if (syscall(SYS_capset, &h, d))
		_exit(11);
}

/* Without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK, registering 32
 * slots of 64 KiB fails: a4 must say so and still send, pinning per send. */
static void no_registration_child(void)
{
	drop_ipc_lock();
	struct rlimit rl = { 1 << 20, 1 << 20 };
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(12);
	send_verified(65536, 32, 200, 0);
	if (strncmp(r.zc_mode, "pinned-per-send", 15)) {
		printf("mode '%s'\n", r.zc_mode);
		_exit(13);
	}
	if (r.zc_notifications != r.zc_sends || r.zc_copied != r.zc_notifications) {
		printf("notifications %llu, sends %llu, copied %llu\n",
		       (unsigned long long)r.zc_notifications, (unsigned long long)r.zc_sends,
		       (unsigned long long)r.zc_copied);
		_exit(14);
	}
}

static void falls_back_to_pinning_per_send(void **st)
{
	(void)st;
	NEED_NETNS();
	in_child(no_registration_child);
}

/* seccomp makes io_uring_setup fail with err; init must say so on one line. */
static int blocked_errno;
static const char *blocked_says;

static void blocked_child(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)blocked_errno),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(20);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		_exit(21);
	if (a4_conn(sv[0], 4096, 2) != -1)
		_exit(22);
	if (!strstr(r.error, blocked_says) || strchr(r.error, '\n')) {
		printf("error '%s' does not say '%s'\n", r.error, blocked_says);
		_exit(23);
	}
	impl_a4.finish(&c);
}

static void seccomp_enosys_named(void **st)
{
	(void)st;
	blocked_errno = ENOSYS;
	blocked_says = "io_uring is not available";
	in_child(blocked_child);
}

static void seccomp_eperm_named(void **st)
{
	(void)st;
	blocked_errno = EPERM;
	blocked_says = "io_uring is not permitted";
	in_child(blocked_child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_notification_counted),
		cmocka_unit_test(one_slot_odd_size),
		cmocka_unit_test(stop_ends_slot_wait),
		cmocka_unit_test(falls_back_to_pinning_per_send),
		cmocka_unit_test(seccomp_enosys_named),
		cmocka_unit_test(seccomp_eperm_named),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
