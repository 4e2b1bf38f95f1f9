// SPDX-License-Identifier: GPL-2.0-only
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

#define PARSE(role, ...)                                                                         \
	({                                                                                       \
		char *av[] = { "prog", __VA_ARGS__, NULL };                                      \
		opts_parse(&o, role, (int)(sizeof(av) / sizeof(*av)) - 1, av, err, sizeof(err)); \
	})

static void defaults_and_values(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_RUNNER, "--impl", "a3", "--size", "4K", "--threads", "8",
			       "--duration", "0.5", "--net", "loopback", "--mode", "rr"),
			 0);
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
		{ ROLE_RUNNER, "--impl", "a7", "--impl must be a1, a2, a3, a4, a5 or a6" },
		{ ROLE_RUNNER, "--tls-send", "splice", "--tls-send must be copy or sendfile" },
		{ ROLE_RUNNER, "--tls-send", "copy", "--tls-send applies to --impl a6" },
		{ ROLE_CLIENT, "--tls-send", "copy", "'--tls-send' is not valid here" },
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
			fail_msg("case %zu (%s %s): rc %d, '%s'", i, c->a, c->b ? c->b : "", rc,
				 err);
		assert_null(strchr(err, '\n')); /* one line */
	}
	assert_int_equal(PARSE(ROLE_RUNNER, "--size"), -1);
	assert_non_null(strstr(err, "needs a value"));
}

/* a6 (kTLS): --tls-send's two modes; the other paths' knobs refused. */
static void a6_options(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_RUNNER, "--impl", "a6"), 0);
	assert_int_equal(o.impl, IMPL_A6);
	assert_string_equal(impl_name(o.impl), "a6");
	assert_int_equal(o.tls_send, TLS_SEND_COPY); /* the default */
	assert_int_equal(o.rx, RX_COPY);
	assert_string_equal(tls_send_name(o.tls_send), "copy");
	assert_int_equal(PARSE(ROLE_TRACE, "--tls-send", "sendfile", "--impl", "a6"), 0);
	assert_int_equal(o.tls_send, TLS_SEND_SENDFILE);
	assert_string_equal(tls_send_name(o.tls_send), "sendfile");
	assert_int_equal(PARSE(ROLE_SERVER, "--impl", "a6", "--tls-send", "copy"), 0);
	assert_int_equal(o.tls_send, TLS_SEND_COPY);
	assert_int_equal(PARSE(ROLE_CLIENT, "--impl", "a6"), 0);
	assert_int_equal(PARSE(ROLE_RUNNER, "--impl", "a6", "--rx", "zerocopy"), -1);
	assert_non_null(strstr(err, "--rx zerocopy cannot map kTLS records"));
	assert_int_equal(PARSE(ROLE_CLIENT, "--impl", "a6", "--rx", "zerocopy"), -1);
	assert_int_equal(PARSE(ROLE_RUNNER, "--impl", "a6", "--slots", "4"), -1);
	assert_non_null(strstr(err, "a6 has no slots"));
	assert_null(strchr(err, '\n'));
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
	assert_int_equal(PARSE(ROLE_TRACE, "--per-connection", "--", "iperf3", "-c", "host", "-Z"),
			 0);
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
	assert_string_equal(err,
			    "give one of -- COMMAND, --pid and --cgroup, not --pid with a command");
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
	assert_int_equal(PARSE(ROLE_RUNNER, "--size", "17179869184G"), -1); /* 2^34 G = 2^64 */
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
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d", i > 1 ? "," : "",
				      4000000 + i);
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", list), 0);
	snprintf(list + n, sizeof(list) - n, ",4000099");
	assert_int_equal(PARSE(ROLE_TRACE, "--pid", list), -1);
	assert_string_equal(err,
			    "--pid lists more than 30 processes (each listed one has its own "
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

/* --listen [ADDR:]PORT and --connect ADDR[:PORT]: every accepted form,
 * and each bad one named in one line. */
static void host_port(void **st)
{
	(void)st;
	char a[64];
	uint16_t port;
	const struct {
		const char *in;
		int need_port;
		const char *addr;
		unsigned port; /* 0: none given (untouched) */
	} good[] = {
		{ "5301", 1, "", 5301 },
		{ ":5302", 1, "", 5302 },
		{ "10.0.0.1:5303", 1, "10.0.0.1", 5303 },
		{ "[::]:5304", 1, "::", 5304 },
		{ "[fe80::1%eth0]:9", 1, "fe80::1%eth0", 9 },
		{ "hostA", 0, "hostA", 0 },
		{ "host-b.example.net:65535", 0, "host-b.example.net", 65535 },
		{ "198.18.0.1", 0, "198.18.0.1", 0 },
		{ "::1", 0, "::1", 0 }, /* a bare IPv6 address: no port */
		{ "[::1]", 0, "::1", 0 },
		{ "[2001:db8::2]:1", 0, "2001:db8::2", 1 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		port = 7;
		if (opts_hostport("--x", good[i].in, good[i].need_port, a, sizeof(a), &port, err,
				  sizeof(err)))
			fail_msg("'%s' refused: %s", good[i].in, err);
		assert_string_equal(a, good[i].addr);
		assert_int_equal(port, good[i].port ? good[i].port : 7);
	}
	const struct {
		const char *in;
		int need_port;
		const char *says;
	} bad[] = {
		{ "", 1, "port must be 1..65535" },
		{ "0", 1, "port must be 1..65535, not '0'" },
		{ "65536", 1, "port must be 1..65535, not '65536'" },
		{ "host:", 0, "port must be 1..65535, not ''" },
		{ "host:http", 0, "port must be 1..65535, not 'http'" },
		{ "host:-1", 0, "port must be 1..65535" },
		{ "host", 1, "port must be 1..65535, not 'host'" },
		{ "::1", 1, "an IPv6 address goes in brackets" },
		{ "[::1", 0, "is not ADDR[:PORT]" },
		{ "[]:5301", 1, "is not [ADDR:]PORT" },
		{ "[::1]5301", 0, "is not ADDR[:PORT]" },
		{ "[::1]:", 0, "is not ADDR[:PORT]" },
		{ "", 0, "is not a host name or address" },
		{ ":5301", 0, "is not a host name or address" },
		{ "a b:1", 0, "is not a host name or address" },
		{ "h/x", 0, "is not a host name or address" },
		{ "[::1]", 1, "has no port" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (opts_hostport("--x", bad[i].in, bad[i].need_port, a, sizeof(a), &port, err,
				  sizeof(err)) != -1 ||
		    !strstr(err, bad[i].says))
			fail_msg("'%s' (need_port %d): '%s', wanted '%s'", bad[i].in,
				 bad[i].need_port, err, bad[i].says);
		assert_null(strchr(err, '\n'));
	}
	char lng[100];
	memset(lng, 'h', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	assert_int_equal(opts_hostport("--x", lng, 0, a, sizeof(a), &port, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
}

/* trace_run --role: one side of the experiment, and only its options. */
static void host_roles(void **st)
{
	(void)st;
	assert_int_equal(PARSE(ROLE_TRACE, "--impl", "a3"), 0);
	assert_int_equal(o.host_role, HOST_BOTH);
	assert_true(o.peer_timeout == 0);
	assert_int_equal(PARSE(ROLE_TRACE, "--impl", "a3", "--role", "server"), 0);
	assert_int_equal(o.host_role, HOST_SERVER);
	assert_string_equal(o.addr, "0.0.0.0");
	assert_int_equal(o.port, CT_DEFAULT_PORT);
	assert_int_equal(o.net, NET_HOST);
	assert_true(o.peer_timeout == CT_PEER_TIMEOUT_S);
	assert_int_equal(PARSE(ROLE_TRACE, "--role", "server", "--listen", "[::]:6000",
			       "--peer-timeout", "2.5"),
			 0);
	assert_string_equal(o.addr, "::");
	assert_int_equal(o.port, 6000);
	assert_true(o.peer_timeout == 2.5);
	assert_int_equal(PARSE(ROLE_TRACE, "--role", "client", "--connect", "hostA:6001", "--rx",
			       "zerocopy"),
			 0);
	assert_int_equal(o.host_role, HOST_CLIENT);
	assert_string_equal(o.addr, "hostA");
	assert_int_equal(o.port, 6001);
	assert_int_equal(
		PARSE(ROLE_TRACE, "--role", "client", "--connect", "hostA", "--port", "6002"), 0);
	assert_int_equal(o.port, 6002);
	/* the peers: --peer-timeout, and the client's --connect stays a plain address */
	assert_int_equal(PARSE(ROLE_CLIENT, "--connect", "::1", "--peer-timeout", "3"), 0);
	assert_string_equal(o.addr, "::1");
	assert_true(o.peer_timeout == 3);
	assert_int_equal(PARSE(ROLE_SERVER, "--peer-timeout", "60"), 0);
	assert_int_equal(o.host_role, HOST_BOTH);

	const struct {
		enum ct_role role;
		const char *args[6];
		const char *says;
	} bad[] = {
		{ ROLE_TRACE, { "--role", "peer" }, "--role must be server or client, not 'peer'" },
		{ ROLE_TRACE, { "--role", "client" }, "--role client needs --connect ADDR[:PORT]" },
		{ ROLE_TRACE,
		  { "--role", "server", "--connect", "h" },
		  "--connect is --role client's" },
		{ ROLE_TRACE,
		  { "--role", "client", "--connect", "h", "--listen", "1" },
		  "--listen is --role server's" },
		{ ROLE_TRACE, { "--listen", "5301" }, "--listen needs --role server" },
		{ ROLE_TRACE, { "--connect", "h" }, "--connect needs --role client" },
		{ ROLE_TRACE, { "--peer-timeout", "1" }, "--peer-timeout needs --role" },
		{ ROLE_TRACE,
		  { "--role", "server", "--net", "loopback" },
		  "--net picks the topology" },
		{ ROLE_TRACE, { "--role", "server", "--compare" }, "--compare runs untraced" },
		{ ROLE_TRACE,
		  { "--role", "server", "--rx", "zerocopy" },
		  "--rx is the receiver's" },
		{ ROLE_TRACE,
		  { "--role", "client", "--connect", "h", "--slots", "4" },
		  "--slots is the sender's" },
		{ ROLE_TRACE,
		  { "--role", "client", "--connect=h", "--impl=a6", "--tls-send=sendfile" },
		  "--tls-send is the sender's" },
		{ ROLE_TRACE, { "--role", "server", "--pid", "1" }, "--role runs one side" },
		{ ROLE_TRACE,
		  { "--role", "server", "--peer-timeout", "0" },
		  "--peer-timeout must be" },
		{ ROLE_TRACE, { "--role", "client", "--connect", "h:0" }, "port must be 1..65535" },
		{ ROLE_RUNNER, { "--peer-timeout", "1" }, "not valid here" },
		{ ROLE_RUNNER, { "--role", "server" }, "not valid here" },
		{ ROLE_SERVER, { "--listen", "1" }, "not valid here" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *av[8] = { "prog" };
		int ac = 1;
		while (ac < 7 && bad[i].args[ac - 1])
			av[ac] = (char *)bad[i].args[ac - 1], ac++;
		av[ac] = NULL;
		int rc = opts_parse(&o, bad[i].role, ac, av, err, sizeof(err));
		if (rc != -1 || !strstr(err, bad[i].says))
			fail_msg("case %zu: rc %d, '%s', wanted '%s'", i, rc, err, bad[i].says);
		assert_null(strchr(err, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_values),
		cmocka_unit_test(bad_inputs_named),
		cmocka_unit_test(perf_ctl),
		cmocka_unit_test(a6_options),
		cmocka_unit_test(trace_targets),
		cmocka_unit_test(suffix_overflow),
		cmocka_unit_test(pid_list_and_user),
		cmocka_unit_test(host_port),
		cmocka_unit_test(host_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
