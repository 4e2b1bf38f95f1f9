/* Argument parsing: defaults, accepted forms, and every bad input named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/opts.h"

static struct ct_opts o;
static char err[256];

#define PARSE(role, ...)                                                         \
	({                                                                       \
		char *av[] = { "prog", __VA_ARGS__, NULL };                      \
		opts_parse(&o, role, (int)(sizeof(av) / sizeof(*av)) - 1, av, err, \
			   sizeof(err));                                         \
	})

static void defaults_and_values(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_RUNNER, "--impl", "a3", "--size", "4K", "--threads", "8",
			       "--duration", "0.5", "--net", "loopback", "--mode", "rr"), 0);
	assert_int_equal(o.impl, IMPL_A3);
	assert_int_equal(o.size, 4096);
	assert_int_equal(o.threads, 8);
	assert_true(o.duration == 0.5);
	assert_int_equal(o.net, NET_LOOPBACK);
	assert_int_equal(o.mode, MODE_RR);
	assert_int_equal(PARSE(ROLE_RUNNER, "--verify"), 0);
	assert_int_equal(o.impl, IMPL_A2);
	assert_int_equal(o.size, 65536);
	assert_int_equal(o.net, NET_VETH);
	assert_true(o.verify);
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "64M"), 0);
	assert_int_equal(PARSE(ROLE_TRACE, "--net", "nic"), 0);
	assert_int_equal(o.net, NET_NIC);
	assert_string_equal(net_name(o.net), "nic");
	assert_int_equal(PARSE(ROLE_RUNNER, "--help"), 1);
}

struct bad {
	enum ct_role role;
	const char *a, *b;
	const char *says;
};

static void bad_inputs_named(void **st)
{
	(void)st;
	const struct bad cases[] = {
		{ ROLE_RUNNER, "--bogus", NULL, "unknown option" },
		{ ROLE_RUNNER, "--size", "0", "below the 32-byte message header" },
		{ ROLE_RUNNER, "--size", "31", "below the 32-byte message header" },
		{ ROLE_RUNNER, "--size", "67108865", "above the 64 MiB limit" },
		{ ROLE_RUNNER, "--size", "-5", "not a byte count" },
		{ ROLE_RUNNER, "--size", "12x", "not a byte count" },
		{ ROLE_RUNNER, "--threads", "0", "--threads must be 1..1024" },
		{ ROLE_RUNNER, "--threads", "1025", "--threads must be 1..1024" },
		{ ROLE_RUNNER, "--duration", "0", "--duration must be" },
		{ ROLE_RUNNER, "--duration", "-1", "--duration must be" },
		{ ROLE_RUNNER, "--duration", "abc", "--duration must be" },
		{ ROLE_RUNNER, "--impl", "a6", "--impl must be a1, a2, a3, a4 or a5" },
		{ ROLE_RUNNER, "--rx", "mmap", "--rx must be copy or zerocopy" },
		{ ROLE_SERVER, "--rx", "zerocopy", "'--rx' is not valid here" },
		{ ROLE_RUNNER, "--mode", "bulk", "--mode must be stream or rr" },
		{ ROLE_RUNNER, "--net", "wifi", "--net must be veth, loopback or nic" },
		{ ROLE_RUNNER, "--port", "70000", "--port must be" },
		{ ROLE_RUNNER, "--port", "0", "--port must be" },
		{ ROLE_SERVER, "--net", "veth", "option '--net' is not valid here" },
		{ ROLE_CLIENT, "--bind", "1.2.3.4", "option '--bind' is not valid here" },
		{ ROLE_RUNNER, "--backend", "fentry", "not valid here" },
		{ ROLE_TRACE, "--backend", "dtrace", "--backend must be" },
		{ ROLE_TRACE, "--format", "xml", "--format must be" },
		{ ROLE_TRACE, "--repeat", "0", "--repeat must be" },
		{ ROLE_RUNNER, "stray", NULL, "unexpected argument" },
		{ ROLE_RUNNER, "--perf-ctl", "ctl", "--perf-ctl must be CTL,ACK" },
		{ ROLE_RUNNER, "--perf-ctl", ",ack", "--perf-ctl must be CTL,ACK" },
		{ ROLE_RUNNER, "--perf-ctl", "ctl,", "--perf-ctl must be CTL,ACK" },
		{ ROLE_RUNNER, "--perf-ctl", ",", "--perf-ctl must be CTL,ACK" },
		{ ROLE_RUNNER, "--perf-ctl", "", "--perf-ctl must be CTL,ACK" },
		{ ROLE_SERVER, "--perf-ctl", "c,a", "not valid here" },
		{ ROLE_CLIENT, "--perf-ctl", "c,a", "not valid here" },
		{ ROLE_TRACE, "--json", "f.json", "option '--json' is not valid here" },
		{ ROLE_TRACE, "--perf-ctl", "c,a", "not valid here" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct bad *c = &cases[i];
		int rc = c->b ? PARSE(c->role, (char *)c->a, (char *)c->b)
			      : PARSE(c->role, (char *)c->a);
		if (rc != -1 || !strstr(err, c->says))
			fail_msg("case %zu (%s %s): rc %d, '%s'", i, c->a, c->b ? c->b : "", rc, err);
		assert_null(strchr(err, '\n')); /* one line */
	}
	assert_int_equal(PARSE(ROLE_RUNNER, "--size"), -1);
	assert_non_null(strstr(err, "needs a value"));
}

/* --perf-ctl CTL,ACK (ctrun): split at the first comma; off by default. */
static void perf_ctl(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_RUNNER, "--verify"), 0);
	assert_string_equal(o.perf_ctl, "");
	assert_string_equal(o.perf_ack, "");
	assert_int_equal(PARSE(ROLE_RUNNER, "--perf-ctl", "/tmp/x/ctl,/tmp/x/ack"), 0);
	assert_string_equal(o.perf_ctl, "/tmp/x/ctl");
	assert_string_equal(o.perf_ack, "/tmp/x/ack");
	assert_int_equal(PARSE(ROLE_RUNNER, "--perf-ctl", "c,a,b"), 0); /* like perf */
	assert_string_equal(o.perf_ctl, "c");
	assert_string_equal(o.perf_ack, "a,b");
	char lng[600];
	memset(lng, 'p', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	lng[1] = ',';
	assert_int_equal(PARSE(ROLE_RUNNER, "--perf-ctl", lng), -1);
	assert_non_null(strstr(err, "too long"));
	assert_null(strchr(err, '\n'));
}

/* trace_run's program targets: what goes with what, and "--" handling. */
static void trace_targets(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_TRACE, "--per-connection", "--", "iperf3", "-c", "host", "-Z"), 0);
	assert_non_null(o.cmd);
	assert_string_equal(o.cmd[0], "iperf3");
	assert_string_equal(o.cmd[3], "-Z"); /* the command's options stay its own */
	assert_null(o.cmd[4]);
	assert_true(o.per_conn);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "12,34", "--duration", "2"), 0);
	assert_string_equal(o.pids, "12,34");
	assert_true(o.duration_given);
	assert_int_equal(PARSE(ROLE_TRACE, "--cgroup", "system.slice/x.service"), 0);
	assert_string_equal(o.cgroup, "system.slice/x.service");
	assert_int_equal(PARSE(ROLE_TRACE, "--no-syscall-time", "--impl", "a1"), 0);
	assert_true(o.no_systime);
	assert_false(o.bpf_stats);
	assert_int_equal(PARSE(ROLE_TRACE, "--bpf-stats", "--impl", "a1"), 0);
	assert_true(o.bpf_stats);
	assert_int_not_equal(PARSE(ROLE_RUNNER, "--bpf-stats"), 0);
	assert_null(o.cmd);

	assert_int_equal(PARSE(ROLE_TRACE, "--"), -1);
	assert_string_equal(err, "'--' must be followed by a command to trace");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "1", "--", "true"), -1);
	assert_string_equal(err, "give one of -- COMMAND, --pid and --cgroup, not --pid with a command");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "1", "--cgroup", "x"), -1);
	assert_int_equal(PARSE(ROLE_TRACE, "--impl", "a2", "--pid", "1"), -1);
	assert_non_null(strstr(err, "--impl runs the built-in experiment"));
	assert_int_equal(PARSE(ROLE_TRACE, "--check", "--", "true"), -1);
	assert_non_null(strstr(err, "--check needs --impl"));
	/* a command may be bounded too: what is left is stopped at the end */
	assert_int_equal(PARSE(ROLE_TRACE, "--duration", "1", "--", "true"), 0);
	assert_true(o.duration_given);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "12x"), -1);
	assert_string_equal(err, "--pid must be PID[,PID...] with each PID 1..4194304, not '12x'");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", ""), -1);
	/* the other binaries take no command and no program target */
	assert_int_equal(PARSE(ROLE_RUNNER, "--", "true"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--pid", "1"), -1);
}

/* A suffix that would push a value past 64 bits is refused, not wrapped
 * (18014398509481985K was 1024: 2^54 + 1 shifted by 10). */
static void suffix_overflow(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_RUNNER, "--port", "18014398509481985K"), -1);
	assert_string_equal(err, "--port must be 1..65535, not '18014398509481985K'");
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "17592186044416M"), -1); /* 2^44 M = 2^64 */
	assert_non_null(strstr(err, "not a byte count"));
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "17179869184G"), -1);   /* 2^34 G = 2^64 */
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "99999999999999999999"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", " -5"), -1); /* strtoull wraps it */
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "+5"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--threads", "1K"), 0); /* 1024: the limit */
	assert_int_equal(PARSE(ROLE_RUNNER, "--threads", "2k"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "16777215G"), -1); /* fits; above 64 MiB */
	assert_non_null(strstr(err, "above the 64 MiB limit"));
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "64M"), 0);
	assert_int_equal(o.size, 64u << 20);
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "1k"), 0);
	assert_int_equal(o.size, 1024);
	assert_int_equal(PARSE(ROLE_TRACE, "--sample-freq", "18446744073709551616"), -1);
	assert_null(strchr(err, '\n'));
}

/* --pid: the whole list is checked, never cut: at most CT_MAX_PIDS
 * entries, each a pid, no empty one; and --user names a user. */
static void pid_list_and_user(void **st)
{
	(void)st;
	char list[4096] = "";
	size_t n = 0;
	for (int i = 1; i <= CT_MAX_PIDS; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d", i > 1 ? "," : "", 4000000 + i);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", list), 0);
	snprintf(list + n, sizeof(list) - n, ",4000099");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", list), -1);
	assert_string_equal(err, "--pid lists more than 30 processes (each listed one has its own "
			    "row; their children are traced anyway)");
	/* longer than 1023 characters: refused in one line, not cut */
	char lng[1200];
	memset(lng, '0', sizeof(lng) - 3);
	memcpy(lng + sizeof(lng) - 3, "12", 3);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", lng), 0); /* leading zeros: pid 12 */
	lng[0] = '1';
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", lng), -1);
	assert_null(strchr(err, '\n'));
	assert_true(strlen(err) < 200);
	const char *bad[] = { "1,,2", ",1", "1,", "0", "4194305", "1,x", "-1", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (PARSE(ROLE_TRACE, "--pid", (char *)bad[i]) != -1)
			fail_msg("--pid '%s' accepted", bad[i]);
		assert_non_null(strstr(err, "--pid must be PID[,PID...]"));
	}
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "1,4194304"), 0);

	assert_int_equal(PARSE(ROLE_TRACE, "--user", "root", "--", "id"), 0);
	assert_string_equal(o.user, "root");
	assert_int_equal(PARSE(ROLE_TRACE, "--user", "0", "--", "id"), 0);
	assert_int_equal(PARSE(ROLE_TRACE, "--user", "no-such-user-ct", "--", "id"), -1);
	assert_string_equal(err, "--user: no user 'no-such-user-ct' on this system");
	assert_int_equal(PARSE(ROLE_RUNNER, "--user", "root"), -1);
	assert_non_null(strstr(err, "not valid here"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_values),
		cmocka_unit_test(bad_inputs_named),
		cmocka_unit_test(perf_ctl),
		cmocka_unit_test(trace_targets),
		cmocka_unit_test(suffix_overflow),
		cmocka_unit_test(pid_list_and_user),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
