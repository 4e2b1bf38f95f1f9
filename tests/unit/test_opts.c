/* Argument parsing: defaults, accepted forms, and every bad input named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
		{ ROLE_RUNNER, "--net", "wifi", "--net must be veth or loopback" },
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
	assert_int_equal(PARSE(ROLE_TRACE, "--duration", "1", "--", "true"), -1);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", "12x"), -1);
	assert_string_equal(err, "--pid must be PID[,PID...], not '12x'");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", ""), -1);
	/* the other binaries take no command and no program target */
	assert_int_equal(PARSE(ROLE_RUNNER, "--", "true"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--pid", "1"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_values),
		cmocka_unit_test(bad_inputs_named),
		cmocka_unit_test(perf_ctl),
		cmocka_unit_test(trace_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
