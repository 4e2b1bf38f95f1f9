// SPDX-License-Identifier: GPL-2.0-only
/* The hook plan on kernels whose facts were recorded by trace_run
 * --kernel-facts (tests/unit/kfacts/: Debian's 5.10, 6.1, 6.12 and 7.2 in
 * the VM test, and a 6.18 host without fentry or kprobes): which rows each
 * backend observes, infers or cannot see, and the choices behind them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trace/hooks.h"
#include "trace/kfacts.h"

#ifndef KFACTS_DIR
#define KFACTS_DIR "tests/unit/kfacts"
#endif

/* Every hook a traced program can use. */
#define PROGRAM (CT_TR_ZC_HOOKS | CT_TR_NO_UPROBE)

static struct kernel_facts kf;
static struct hook_plan plan;
static char why[256];

static void load(const char *name)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/%s.facts", KFACTS_DIR, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("no recorded facts %s", path);
	if (kfacts_read(f, &kf, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	fclose(f);
}

static int plan_of(enum ct_backend b, unsigned flags)
{
	return hooks_plan(&kf, b, flags, &plan, why, sizeof(why));
}

/* O observed, I inferred, - not seen; per counter row in enum order. */
static void cells(char *out)
{
	for (int fn = 0; fn < FN_COUNT; fn++)
		out[fn] = !plan.rows[fn].present ? '-' : plan.rows[fn].inferred ? 'I' : 'O';
	out[FN_COUNT] = 0;
}

static int uses(const char *target, int variant)
{
	for (int i = 0; i < hook_count(); i++)
		if (plan.use[i] == variant + 1 && !strcmp(hook_target(i), target))
			return 1;
	return 0;
}

static int noted(const char *part)
{
	for (int i = 0; i < plan.nnotes; i++)
		if (strstr(plan.notes[i], part))
			return 1;
	return 0;
}

/* ---- the matrix: every recorded kernel, every backend ------------------------
 * Rows in enum ct_fn order: gather, tcp_sendmsg, _copy_from_iter, _nocache,
 * csum_and_copy, _full, copy_from_iter (__check_object_size), zc pin,
 * tcp_sendmsg_locked, sys send, tcp_recvmsg, recv copy, sys recv, errqueue,
 * zc callback, deferred copy, retransmit, splice, splice out, recv zerocopy,
 * io_uring notifications, io_uring ubuf, zerocopy completion latency,
 * io_uring_enter, kTLS sends, kTLS receives (both from the syscall hooks),
 * tls_sw_sendmsg, tls_sw_recvmsg (tls.ko was not loaded when these facts
 * were recorded), sk_msg_memcopy_from_iter (not asked for when they were).
 * NULL: the backend cannot run. */
struct kernel_row {
	const char *facts;
	const char *cells[BK_COUNT];
};

static const struct kernel_row kernels[] = {
	/* 5.10: no _copy_from_iter in BTF (copy_from_iter inferred from
	 * __check_object_size), no tcp_sendmsg_locked or sock_send_length
	 * tracepoints, no io_uring zerocopy */
	{ "5.10.0-32-amd64",
	  { "-O----IO-OOOOOOOOOOOO-OOOO---", "-O----IO-OOOOOOOOOOOO-OOOO---",
	    "-II----I-O-OOOOIOIIOO-OOOO---" } },
	/* 6.1: _copy_from_iter no ftrace site; io_uring's zerocopy callback;
	 * still no sock_send_length/sock_recv_length (6.3) */
	{ "6.1.0-50-amd64",
	  { "-O----IO-OOOOOOOOOOOOOOOOO---", "-O----IO-OOOOOOOOOOOOOOOOO---",
	    "-II----I-O-OOOOIOIIOO-OOOO---" } },
	/* 6.12: the send and receive tracepoints observe */
	{ "6.12.117+deb13-amd64",
	  { "-O----IO-OOOOOOOOOOOOOOOOO---", "-O----IO-OOOOOOOOOOOOOOOOO---",
	    "-OI----I-OOOOOOIOIIOO-OOOO---" } },
	/* this host: tracepoints only; tcp_sendmsg_locked exists */
	{ "6.18.44-host", { NULL, NULL, "-OI----IOOOOOOOIOIIOO-OOOO---" } },
	/* 7.2: __msg_zerocopy_callback inlined, msg_zerocopy_complete stands in */
	{ "7.2.13+deb14-amd64",
	  { "-O----IO-OOOOOOOOOOOOOOOOO---", "-O----IO-OOOOOOOOOOOOOOOOO---",
	    "-OI----IOOOOOOOIOIIOO-OOOO---" } },
};

/* CT_MATRIX_PRINT=1 prints the table for the kernels' facts files named in
 * it (space-separated), to review by hand before it goes in above. */
static void print_matrix(const char *names)
{
	char buf[1024], *save;
	snprintf(buf, sizeof(buf), "%s", names);
	for (char *n = strtok_r(buf, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
		load(n);
		printf("\t{ \"%s\", {", n);
		for (int b = 0; b < BK_COUNT; b++) {
			char c[FN_COUNT + 1];
			if (plan_of((enum ct_backend)b, PROGRAM) == 0) {
				cells(c);
				printf(" \"%s\"%s", c, b < BK_COUNT - 1 ? "," : "");
			} else {
				printf(" NULL%s", b < BK_COUNT - 1 ? "," : "");
			}
		}
		printf(" } },\n");
	}
}

static void matrix(void **st)
{
	(void)st;
	if (getenv("CT_MATRIX_PRINT")) {
		print_matrix(getenv("CT_MATRIX_PRINT"));
		return;
	}
	assert_true(sizeof(kernels) / sizeof(kernels[0]) >= 5);
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		load(kernels[k].facts);
		for (int b = 0; b < BK_COUNT; b++) {
			int rc = plan_of((enum ct_backend)b, PROGRAM);
			const char *want = kernels[k].cells[b];
			if (!want) {
				if (rc == 0)
					fail_msg("%s %s: usable, expected not", kernels[k].facts,
						 backend_name((enum ct_backend)b));
				continue;
			}
			if (rc)
				fail_msg("%s %s: unusable (%s)", kernels[k].facts,
					 backend_name((enum ct_backend)b), why);
			char got[FN_COUNT + 1];
			cells(got);
			if (strcmp(got, want))
				fail_msg("%s %s: rows %s, expected %s", kernels[k].facts,
					 backend_name((enum ct_backend)b), got, want);
		}
	}
}

/* ---- the choices behind the matrix, kernel by kernel -------------------------- */

/* This host: fentry programs do not load (EPERM), no kprobes at all. */
static void host_has_only_tracepoints(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), -1);
	assert_non_null(strstr(why, strerror(EPERM)));
	assert_int_equal(plan_of(BK_KPROBE, PROGRAM), -1);
	assert_non_null(strstr(why, "no kprobes"));
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_true(plan.raw_sys); /* tp_btf sys_enter/sys_exit */
	assert_false(plan.send_from_syscall); /* sock_send_length exists (6.3+) */
	assert_true(uses("sock/sock_send_length", 0));
	assert_true(plan.rows[FN_SEND_COPY].inferred);
	assert_true(plan.rows[FN_DEFERRED_COPY].inferred);
	assert_int_equal(plan.recvmsg_flags_arg, 3); /* tcp_recvmsg has 4 parameters */
}

/* Without syscall hooks the tracepoint backend cannot tell copied from
 * pinned sends: those rows go, and a note says why. */
static void no_syscall_time_drops_the_split(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM | CT_TR_NO_SYSTIME), 0);
	assert_false(plan.rows[FN_SEND_COPY].present);
	assert_false(plan.rows[FN_ZC_PIN].present);
	assert_false(plan.rows[FN_SYS_SEND].present);
	assert_true(plan.rows[FN_TCP_SENDMSG].present);
	assert_true(noted("cannot split sent bytes"));
	/* kTLS sockets are seen through the syscalls only: not without them */
	assert_false(plan.rows[FN_TLS_TX].present);
	assert_false(plan.rows[FN_TLS_RX].present);
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), -1); /* the host: no fentry */
	load("6.1.0-50-amd64");
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), 0);
	assert_true(plan.rows[FN_TLS_TX].present && plan.rows[FN_TLS_RX].present);
	assert_false(plan.rows[FN_TLS_TX].timed); /* the syscall rows have the time */
	assert_false(plan.rows[FN_TLS_TX].inferred);
}

/* kTLS's functions (tls.ko) are hooked on fentry and kprobe when the module
 * is loaded, with its BTF, and drop out without a word when it is not; the
 * tracepoint backend has none. */
static void ktls_hooks_follow_the_module(void **st)
{
	(void)st;
	load("7.2.13+deb14-amd64");
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), 0);
	assert_false(plan.rows[FN_TLS_ENCRYPT].present);
	assert_false(noted("tls_sw"));
	const char *fns[] = { "tls_sw_sendmsg", "tls_sw_recvmsg" };
	for (int i = 0; i < 2; i++) {
		struct kf_func *f = kf_add_func(&kf, fns[i]);
		assert_non_null(f);
		*f = (struct kf_func){ .btf = true,
				       .ftrace = 1,
				       .fentry = 0,
				       .kprobe = true,
				       .params = i ? 5 : 3,
				       .ret_slot = i ? 5 : 3 };
		snprintf(f->name, sizeof(f->name), "%s", fns[i]);
	}
	for (int b = BK_FENTRY; b <= BK_KPROBE; b++) {
		assert_int_equal(plan_of((enum ct_backend)b, PROGRAM), 0);
		assert_true(plan.rows[FN_TLS_ENCRYPT].present && plan.rows[FN_TLS_DECRYPT].present);
		assert_false(plan.rows[FN_TLS_ENCRYPT].inferred);
		assert_true(plan.rows[FN_TLS_ENCRYPT].timed);
		assert_true(uses("tls_sw_sendmsg", b) && uses("tls_sw_recvmsg", b));
		assert_false(uses("tls_sw_sendpage", b)); /* 6.5+: sendfile goes through sendmsg */
	}
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_false(plan.rows[FN_TLS_ENCRYPT].present || plan.rows[FN_TLS_DECRYPT].present);
}

/* The zerocopy-only tracepoints are left out unless asked for (a1, a2,
 * a5), and the plan says so. */
static void zerocopy_hooks_only_when_asked(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, CT_TR_NO_UPROBE), 0);
	assert_true(plan.zc_skipped);
	assert_false(plan.rows[FN_DEFERRED_COPY].present);
	assert_false(uses("net/netif_receive_skb", 0));
	assert_true(noted("zerocopy-only hooks"));
	assert_int_equal(plan_of(BK_TRACEPOINT, CT_TR_NO_UPROBE | CT_TR_ZC_HOOKS), 0);
	assert_false(plan.zc_skipped);
	assert_true(uses("net/netif_receive_skb", 0));
}

/* The zerocopy-only hooks wait for a zerocopy send only where every way
 * to ask for one is watched: the raw sys_enter (not the per-syscall
 * tracepoints, which leave out sendmmsg) and io_uring's submissions (not
 * 5.10's, whose event has another name). */
static void zerocopy_hooks_wait_where_every_ask_is_seen(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_true(plan.raw_sys);
	assert_true(plan.zc_gated);
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM | CT_TR_TP_CLASSIC), 0);
	assert_false(plan.zc_gated);
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM | CT_TR_NO_SYSTIME), 0);
	assert_false(plan.zc_gated);
	load("5.10.0-32-amd64");
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_true(plan.raw_sys);
	assert_false(plan.zc_gated);
}

/* --exporter (CT_TR_LEAN) leaves out tcp_sendmsg_locked, an
 * informational row that runs per skb, and says so; nothing else. */
static void exporter_leaves_out_the_per_skb_row(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_true(uses("tcp/tcp_sendmsg_locked", 0));
	char full[FN_COUNT + 1], lean[FN_COUNT + 1];
	cells(full);
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM | CT_TR_LEAN), 0);
	assert_false(uses("tcp/tcp_sendmsg_locked", 0));
	assert_false(plan.rows[FN_SENDMSG_LOCKED].present);
	assert_true(noted("tcp/tcp_sendmsg_locked not hooked"));
	cells(lean);
	full[FN_SENDMSG_LOCKED] = '-';
	assert_string_equal(lean, full);
}

/* CT_TP_CLASSIC: classic tracepoints wherever a hook has one, and the
 * per-syscall tracepoints instead of the raw ones. */
static void classic_tracepoints_on_request(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM | CT_TR_TP_CLASSIC), 0);
	assert_false(plan.raw_sys);
	assert_true(uses("sock/sock_send_length", 1));
	assert_true(uses("syscalls/sys_enter_sendto", 0));
	assert_string_equal(plan.rows[FN_TCP_SENDMSG].hook, "tracepoint/sock/sock_send_length");
}

/* The uprobe on ct_gather is the experiment's alone. */
static void uprobe_only_for_the_experiment(void **st)
{
	(void)st;
	load("6.18.44-host");
	assert_int_equal(plan_of(BK_TRACEPOINT, CT_TR_ZC_HOOKS), 0);
	assert_true(plan.rows[FN_GATHER].present);
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_false(plan.rows[FN_GATHER].present);
}

/* 5.10: no sock_send_length (6.3) so sends come from the syscalls; no
 * BPF compare-and-swap (5.12) so the completion hooks are the twins
 * without one; tcp_recvmsg still has its 6 parameters (flags 5th). */
static void bullseye_5_10(void **st)
{
	(void)st;
	load("5.10.0-32-amd64");
	assert_false(kf.cmpxchg);
	assert_int_equal(plan_of(BK_TRACEPOINT, PROGRAM), 0);
	assert_true(plan.send_from_syscall);
	assert_true(plan.rows[FN_TCP_SENDMSG].inferred);
	assert_true(noted("before 6.3"));
	assert_true(uses("sock/inet_sk_error_report", 0) || uses("skb/consume_skb", 0));
	for (int i = 0; i < hook_count(); i++)
		if (plan.use[i] && !strcmp(hook_target(i), "skb/consume_skb"))
			assert_true(plan.rows[FN_ZC_CALLBACK].present);
	assert_int_equal(plan.recvmsg_flags_arg, 4);
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), 0);
	assert_true(uses("sock_zerocopy_callback", 0)); /* its name before 5.13 */
}

/* The kprobe backend says that its softirq rows can fall short unseen;
 * fentry, whose skips are counted, says nothing of it. */
static void kprobe_says_softirq_rows_may_fall_short(void **st)
{
	(void)st;
	load("6.1.0-50-amd64");
	assert_int_equal(plan_of(BK_KPROBE, PROGRAM), 0);
	assert_true(plan.rows[FN_DEFERRED_COPY].present);
	assert_true(noted("kprobe backend: a kprobe hit in a softirq"));
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), 0);
	assert_false(noted("kprobe hit in a softirq"));
}

/* 6.1 and 6.12: _copy_from_iter is no ftrace site in Debian's builds, so
 * the send copy's length is inferred from __check_object_size. */
static void send_copy_inferred_where_copy_is_no_ftrace_site(void **st)
{
	(void)st;
	const char *k[] = { "6.1.0-50-amd64", "6.12.117+deb13-amd64" };
	for (int i = 0; i < 2; i++) {
		load(k[i]);
		const struct kf_func *f = kf_func(&kf, "_copy_from_iter");
		assert_non_null(f);
		assert_int_equal(f->ftrace, 0);
		for (int b = BK_FENTRY; b <= BK_KPROBE; b++) {
			assert_int_equal(plan_of((enum ct_backend)b, PROGRAM), 0);
			assert_false(plan.rows[FN_SEND_COPY].present);
			assert_true(plan.rows[FN_SEND_COPY_CHK].present);
			assert_true(plan.rows[FN_SEND_COPY_CHK].inferred);
			assert_true(noted("inferred from __check_object_size"));
		}
	}
}

/* 7.2: __msg_zerocopy_callback is inlined (not in BTF): completions come
 * from msg_zerocopy_complete, ids only. */
static void completions_without_the_inlined_callback(void **st)
{
	(void)st;
	load("7.2.13+deb14-amd64");
	const struct kf_func *f = kf_func(&kf, "__msg_zerocopy_callback");
	assert_true(!f || !f->btf);
	assert_int_equal(plan_of(BK_FENTRY, PROGRAM), 0);
	assert_false(uses("__msg_zerocopy_callback", 0));
	assert_true(uses("msg_zerocopy_complete", 0));
	assert_true(plan.rows[FN_ZC_CALLBACK].present);
	assert_false(plan.rows[FN_ZC_CALLBACK].timed);
}

/* Facts that cannot be read are refused with the line, not half-used. */
static void bad_facts_refused(void **st)
{
	(void)st;
	char err[256];
	const char *text = "kernel 9.9\nglobal kprobes=1 cmpxchg=1 task_storage=1 task_btf=1\n"
			   "func tcp_sendmsg btf=1 fentry=zero\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_int_equal(kfacts_read(f, &kf, err, sizeof(err)), -1);
	fclose(f);
	assert_non_null(strstr(err, "line 3"));
}

/* What kfacts_write writes, kfacts_read reads back the same. */
static void facts_round_trip(void **st)
{
	(void)st;
	load("6.18.44-host");
	static struct kernel_facts back;
	char *buf = NULL, err[256];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	kfacts_write(f, &kf);
	fclose(f);
	f = fmemopen(buf, n, "r");
	assert_int_equal(kfacts_read(f, &back, err, sizeof(err)), 0);
	fclose(f);
	free(buf);
	assert_memory_equal(&back, &kf, sizeof(kf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matrix),
		cmocka_unit_test(ktls_hooks_follow_the_module),
		cmocka_unit_test(host_has_only_tracepoints),
		cmocka_unit_test(no_syscall_time_drops_the_split),
		cmocka_unit_test(zerocopy_hooks_only_when_asked),
		cmocka_unit_test(classic_tracepoints_on_request),
		cmocka_unit_test(zerocopy_hooks_wait_where_every_ask_is_seen),
		cmocka_unit_test(exporter_leaves_out_the_per_skb_row),
		cmocka_unit_test(uprobe_only_for_the_experiment),
		cmocka_unit_test(bullseye_5_10),
		cmocka_unit_test(kprobe_says_softirq_rows_may_fall_short),
		cmocka_unit_test(send_copy_inferred_where_copy_is_no_ftrace_site),
		cmocka_unit_test(completions_without_the_inlined_callback),
		cmocka_unit_test(bad_facts_refused),
		cmocka_unit_test(facts_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
