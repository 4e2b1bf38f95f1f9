// SPDX-License-Identifier: GPL-2.0-only
/* Command-line parsing shared by every binary; errors are one line. */
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"

const char *impl_name(enum ct_impl i)
{
	static const char *n[] = { "a1", "a2", "a3", "a4", "a5", "a6" };
	return n[i];
}

const char *mode_name(enum ct_mode m) { return m == MODE_RR ? "rr" : "stream"; }

const char *rx_name(enum ct_rx r) { return r == RX_ZEROCOPY ? "zerocopy" : "copy"; }

const char *tls_send_name(enum ct_tls_send t) { return t == TLS_SEND_SENDFILE ? "sendfile" : "copy"; }

const char *net_name(enum ct_net n)
{
	static const char *s[] = { "veth", "loopback", "host", "nic" };
	return s[n];
}

/* strtoull with full-string and range checks; accepts K/M/G suffixes.
 * Digits only (strtoull would take " -5" as a huge number), and a value
 * the suffix would push past 64 bits is refused, not wrapped. */
static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	static const char suf[] = "kmg";
	const char *k = *end ? strchr(suf, tolower((unsigned char)*end)) : NULL;
	if (k) {
		unsigned shift = 10u * (unsigned)(k - suf + 1);
		if (v > ULLONG_MAX >> shift)
			return -1;
		v <<= shift;
		end++;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* --pid PID[,PID...]: every entry a process id, at most CT_MAX_PIDS of
 * them; the whole list is checked (never cut). */
static int check_pids(const char *a, char *err, size_t errlen)
{
	int n = 0;
	for (const char *s = a;; s++) {
		char *end;
		errno = 0;
		unsigned long v = isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
		if (!v || errno || v > CT_PID_MAX || (*end && *end != ','))
			return errf(err, errlen, "--pid must be PID[,PID...] with each PID 1..%d, not "
				    "'%.40s%s'", CT_PID_MAX, a, strlen(a) > 40 ? "..." : "");
		if (++n > CT_MAX_PIDS)
			return errf(err, errlen, "--pid lists more than %d processes (each listed one "
				    "has its own row; their children are traced anyway)", CT_MAX_PIDS);
		s = end;
		if (!*s)
			return 0;
	}
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

enum {
	O_IMPL = 'i', O_SIZE = 's', O_THREADS = 't', O_DURATION = 'd', O_MODE = 'm',
	O_NET = 'n', O_PORT = 'p', O_VERIFY = 'V', O_JSON = 'j', O_HELP = 'h',
	O_BIND = 256, O_CONNECT, O_SLOTS, O_READY_FD, O_QUIET, O_BACKEND, O_COMPARE,
	O_REPEAT, O_FORMAT, O_OUTPUT, O_CHECK, O_PERF_CTL, O_PID, O_CGROUP, O_PER_CONN,
	O_NO_SYSTIME, O_BPF_STATS, O_SAMPLE_FREQ, O_FOLDED, O_FLAMEGRAPH, O_RX, O_KERNEL_FACTS,
	O_USER, O_TOP, O_INTERVAL, O_COUNT, O_EXPORTER, O_ALL, O_BY, O_VERSION, O_ROLE, O_LISTEN,
	O_PEER_TIMEOUT, O_TLS_SEND,
};

static const struct option all_opts[] = {
	{ "impl", required_argument, 0, O_IMPL },
	{ "size", required_argument, 0, O_SIZE },
	{ "threads", required_argument, 0, O_THREADS },
	{ "duration", required_argument, 0, O_DURATION },
	{ "mode", required_argument, 0, O_MODE },
	{ "net", required_argument, 0, O_NET },
	{ "port", required_argument, 0, O_PORT },
	{ "bind", required_argument, 0, O_BIND },
	{ "connect", required_argument, 0, O_CONNECT },
	{ "verify", no_argument, 0, O_VERIFY },
	{ "slots", required_argument, 0, O_SLOTS },
	{ "rx", required_argument, 0, O_RX },
	{ "tls-send", required_argument, 0, O_TLS_SEND },
	{ "ready-fd", required_argument, 0, O_READY_FD },
	{ "json", required_argument, 0, O_JSON },
	{ "quiet", no_argument, 0, O_QUIET },
	{ "backend", required_argument, 0, O_BACKEND },
	{ "compare", no_argument, 0, O_COMPARE },
	{ "repeat", required_argument, 0, O_REPEAT },
	{ "format", required_argument, 0, O_FORMAT },
	{ "output", required_argument, 0, O_OUTPUT },
	{ "check", no_argument, 0, O_CHECK },
	{ "perf-ctl", required_argument, 0, O_PERF_CTL },
	{ "pid", required_argument, 0, O_PID },
	{ "cgroup", required_argument, 0, O_CGROUP },
	{ "per-connection", no_argument, 0, O_PER_CONN },
	{ "top", required_argument, 0, O_TOP },
	{ "no-syscall-time", no_argument, 0, O_NO_SYSTIME },
	{ "bpf-stats", no_argument, 0, O_BPF_STATS },
	{ "sample-freq", required_argument, 0, O_SAMPLE_FREQ },
	{ "folded", required_argument, 0, O_FOLDED },
	{ "flamegraph", required_argument, 0, O_FLAMEGRAPH },
	{ "kernel-facts", no_argument, 0, O_KERNEL_FACTS },
	{ "user", required_argument, 0, O_USER },
	{ "interval", required_argument, 0, O_INTERVAL },
	{ "count", required_argument, 0, O_COUNT },
	{ "exporter", required_argument, 0, O_EXPORTER },
	{ "all", no_argument, 0, O_ALL },
	{ "by", required_argument, 0, O_BY },
	{ "role", required_argument, 0, O_ROLE },
	{ "listen", required_argument, 0, O_LISTEN },
	{ "peer-timeout", required_argument, 0, O_PEER_TIMEOUT },
	{ "help", no_argument, 0, O_HELP },
	{ "version", no_argument, 0, O_VERSION },
	{ 0, 0, 0, 0 },
};

/* Which long options each role accepts (others are "unknown"). */
static int allowed(enum ct_role role, int id)
{
	switch (id) {
	case O_IMPL: case O_SIZE: case O_THREADS: case O_PORT: case O_HELP: case O_MODE:
	case O_VERIFY: case O_VERSION:
		return 1;
	case O_JSON: case O_QUIET: /* trace_run has --format and --output */
		return role != ROLE_TRACE;
	case O_DURATION:
		return role != ROLE_SERVER;
	case O_SLOTS: case O_TLS_SEND:
		return role != ROLE_CLIENT;
	case O_RX:
		return role != ROLE_SERVER;
	case O_BIND: case O_READY_FD:
		return role == ROLE_SERVER;
	case O_CONNECT:
		return role == ROLE_CLIENT || role == ROLE_TRACE;
	case O_PEER_TIMEOUT:
		return role != ROLE_RUNNER;
	case O_NET:
		return role == ROLE_RUNNER || role == ROLE_TRACE;
	case O_PERF_CTL:
		return role == ROLE_RUNNER;
	case O_BACKEND: case O_COMPARE: case O_REPEAT: case O_FORMAT:
	case O_OUTPUT: case O_CHECK: case O_PID: case O_CGROUP: case O_PER_CONN:
	case O_NO_SYSTIME: case O_BPF_STATS: case O_SAMPLE_FREQ: case O_FOLDED: case O_FLAMEGRAPH:
	case O_KERNEL_FACTS:
	case O_USER: case O_TOP:
	case O_INTERVAL: case O_COUNT: case O_EXPORTER: case O_ALL: case O_BY:
	case O_ROLE: case O_LISTEN:
		return role == ROLE_TRACE;
	}
	return 0;
}

static void defaults(struct ct_opts *o, enum ct_role role)
{
	memset(o, 0, sizeof(*o));
	o->impl = IMPL_A2;
	o->size = 65536;
	o->threads = 1;
	o->duration = role == ROLE_TRACE ? 3.0 : 5.0;
	o->mode = MODE_STREAM;
	o->net = role == ROLE_SERVER || role == ROLE_CLIENT ? NET_HOST : NET_VETH;
	o->port = CT_DEFAULT_PORT;
	o->ready_fd = -1;
	o->repeat = 3;
	o->top = 20;
	o->backend = "auto";
	o->format = "table";
	o->sample_hz = role == ROLE_TRACE ? CT_SAMPLE_HZ : 0;
	snprintf(o->addr, sizeof(o->addr), "%s",
		 role == ROLE_CLIENT ? "127.0.0.1" : "0.0.0.0");
}

/* trace_run: one target (an experiment, a command, pids or a cgroup), and
 * only the options that make sense for it. */
static int parse_interval(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	if (parse_double(a, &o->interval) || !(o->interval >= 0.1) || o->interval > 86400)
		return errf(err, errlen, "--interval must be 0.1..86400 seconds, not '%s'", a);
	return 0;
}

static int parse_count(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	unsigned long long u;
	if (parse_u64(a, &u) || u < 1 || u > 1000000)
		return errf(err, errlen, "--count must be 1..1000000 intervals, not '%s'", a);
	o->count = (long)u;
	return 0;
}

/* --exporter [ADDR:]PORT: an IPv4 address, [IPv6], or none (127.0.0.1:
 * only this host can scrape unless asked). */
static int parse_exporter(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	unsigned long long u;
	const char *colon = strrchr(a, ':'), *port = colon ? colon + 1 : a;
	size_t n = colon ? (size_t)(colon - a) : 0;
	if (n >= 2 && a[0] == '[' && a[n - 1] == ']') /* [::1]:9435 */
		a++, n -= 2;
	if (n >= sizeof(o->exp_addr))
		return errf(err, errlen, "--exporter: address too long");
	snprintf(o->exp_addr, sizeof(o->exp_addr), "%.*s", (int)n, a);
	if (!n)
		snprintf(o->exp_addr, sizeof(o->exp_addr), "127.0.0.1");
	if (parse_u64(port, &u) || u < 1 || u > 65535)
		return errf(err, errlen, "--exporter: port must be 1..65535, not '%s'", port);
	o->exp_port = (uint16_t)u;
	o->exporter = a;
	return 0;
}

/* --exporter serves a running trace of processes until a signal: not the
 * built-in experiment, which ends by itself. */
static int exporter_check(struct ct_opts *o, char *err, size_t errlen)
{
	if (o->all && (o->cmd || o->pids || o->cgroup))
		return errf(err, errlen, "--all traces every process; give it without -- COMMAND, "
			    "--pid or --cgroup");
	if (o->all)
		o->cgroup = "."; /* the cgroup v2 mount itself: the root holds every task */
	if (!o->exporter)
		return o->by_comm ? errf(err, errlen, "--by applies to --exporter") : 0;
	if (o->impl_given)
		return errf(err, errlen, "--exporter traces running processes (--pid, --cgroup or "
			    "--all), not the built-in experiment (--impl)");
	if (!o->pids && !o->cgroup && !o->cmd)
		return errf(err, errlen, "--exporter needs what to trace: --pid, --cgroup or --all");
	if (o->interval || o->check || o->compare)
		return errf(err, errlen, "--exporter cannot be combined with --%s", o->interval ?
			    "interval" : o->check ? "check" : "compare");
	return 0;
}

/* --count needs --interval; N intervals of S seconds are --duration N x S
 * unless --duration is given; --compare's many runs have no one timeline. */
static int interval_check(struct ct_opts *o, char *err, size_t errlen)
{
	if (o->count && !o->interval)
		return errf(err, errlen, "--count needs --interval (or a bare trailing INTERVAL COUNT)");
	if (o->interval && o->compare)
		return errf(err, errlen, "--interval reports one traced run; it cannot be combined "
			    "with --compare");
	if (o->count && !o->duration_given) {
		o->duration = o->interval * (double)o->count;
		o->duration_given = true;
	}
	return 0;
}

static int trace_target_check(const struct ct_opts *o, char *err, size_t errlen)
{
	if ((o->folded || o->flamegraph) && !o->sample_hz)
		return errf(err, errlen, "--folded and --flamegraph need the profiler (--sample-freq > 0)");
	int n = !!o->cmd + !!o->pids + !!o->cgroup;
	if (n > 1)
		return errf(err, errlen, "give one of -- COMMAND, --pid and --cgroup, not %s",
			    o->cmd && o->pids ? "--pid with a command" : o->cgroup && o->pids ?
			    "--pid with --cgroup" : "--cgroup with a command");
	if (!n)
		return 0;
	if (o->impl_given)
		return errf(err, errlen, "--impl runs the built-in experiment; it cannot be "
			    "combined with -- COMMAND, --pid or --cgroup");
	if (o->compare || o->check)
		return errf(err, errlen, "--%s needs --impl (it compares against the "
			    "experiment's own counts)", o->compare ? "compare" : "check");
	return 0;
}

/* What an address may hold: a name, IPv4, IPv6 (with a %scope). */
static int addr_chars(const char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)a[i]) && !strchr(".-:%_", a[i]))
			return 0;
	return 1;
}

int opts_hostport(const char *what, const char *a, int need_port, char *addr, size_t addrlen,
		  uint16_t *port, char *err, size_t errlen)
{
	const char *host = a, *ps = NULL, *colon = strchr(a, ':');
	size_t n;
	unsigned long long u;
	if (a[0] == '[') { /* [IPv6] or [IPv6]:PORT */
		const char *end = strchr(a, ']');
		if (!end || end == a + 1 || (end[1] && (end[1] != ':' || !end[2])))
			return errf(err, errlen, "%s '%.80s' is not %s", what, a, need_port ?
				    "[ADDR:]PORT ([IPv6]:PORT)" : "ADDR[:PORT] ([IPv6]:PORT)");
		host = a + 1;
		n = (size_t)(end - host);
		ps = end[1] ? end + 2 : NULL;
	} else if (colon && strchr(colon + 1, ':')) { /* a bare IPv6 address: no port */
		if (need_port)
			return errf(err, errlen, "%s '%.80s': an IPv6 address goes in brackets, "
				    "[ADDR]:PORT", what, a);
		n = strlen(a);
	} else if (colon) {
		n = (size_t)(colon - a);
		ps = colon + 1;
	} else if (need_port) { /* PORT alone */
		n = 0;
		ps = a;
	} else {
		n = strlen(a);
	}
	if ((!need_port && !n) || !addr_chars(host, n))
		return errf(err, errlen, "%s '%.80s': '%.*s' is not a host name or address", what,
			    a, (int)(n > 80 ? 80 : n), host);
	if (n >= addrlen)
		return errf(err, errlen, "%s: address '%.40s...' is too long", what, host);
	if (ps && (parse_u64(ps, &u) || u < 1 || u > 65535))
		return errf(err, errlen, "%s '%.80s': port must be 1..65535, not '%.20s'", what, a, ps);
	if (need_port && !ps)
		return errf(err, errlen, "%s '%.80s' has no port: [ADDR:]PORT", what, a);
	snprintf(addr, addrlen, "%.*s", (int)n, host);
	if (ps)
		*port = (uint16_t)u;
	return 0;
}

/* trace_run --role: one side of the experiment here, the peer elsewhere;
 * only what that side can use. given: bit 0 --listen, 1 --connect, 2
 * --peer-timeout, 3 --net. */
static int role_check(struct ct_opts *o, unsigned given, char *err, size_t errlen)
{
	if (!o->host_role) {
		if (given & 7)
			return errf(err, errlen, "--%s needs --role %s", given & 1 ? "listen" : given & 2 ?
				    "connect" : "peer-timeout", given & 1 ? "server" : given & 2 ?
				    "client" : "server or client");
		return 0;
	}
	int server = o->host_role == HOST_SERVER;
	if (o->cmd || o->pids || o->cgroup || o->exporter || o->all)
		return errf(err, errlen, "--role runs one side of the built-in experiment (--impl); it "
			    "cannot be combined with -- COMMAND, --pid, --cgroup, --all or --exporter");
	if (given & 8)
		return errf(err, errlen, "--net picks the topology of a run with both sides here; "
			    "with --role the hosts' own network carries it");
	if (o->compare)
		return errf(err, errlen, "--compare runs untraced and traced pairs; with --role the "
			    "peer runs once");
	if (server && (given & 2))
		return errf(err, errlen, "--connect is --role client's; --role server takes --listen "
			    "[ADDR:]PORT");
	if (!server && (given & 1))
		return errf(err, errlen, "--listen is --role server's; --role client takes --connect "
			    "ADDR[:PORT]");
	if (!server && !(given & 2))
		return errf(err, errlen, "--role client needs --connect ADDR[:PORT] (where build/server "
			    "or trace_run --role server listens)");
	if (server && o->rx_given)
		return errf(err, errlen, "--rx is the receiver's: give it to the peer's build/client");
	if (!server && o->slots)
		return errf(err, errlen, "--slots is the sender's: give it to the peer's build/server");
	if (!server && o->tls_send_given)
		return errf(err, errlen, "--tls-send is the sender's: give it to the peer's "
			    "build/server");
	if (server && !(given & 1))
		snprintf(o->addr, sizeof(o->addr), "0.0.0.0");
	if (!(given & 4))
		o->peer_timeout = CT_PEER_TIMEOUT_S;
	o->net = NET_HOST;
	return 0;
}

/* a6 (kTLS) sends records, not pages: nothing for the other paths' knobs. */
static int a6_check(const struct ct_opts *o, char *err, size_t errlen)
{
	if (o->tls_send_given && o->impl != IMPL_A6)
		return errf(err, errlen, "--tls-send applies to --impl a6 (kTLS) only");
	if (o->impl != IMPL_A6)
		return 0;
	if (o->slots)
		return errf(err, errlen, "--slots applies to a3 and a4; a6 has no slots (kTLS "
			    "encrypts into its own buffers)");
	if (o->rx == RX_ZEROCOPY)
		return errf(err, errlen, "--rx zerocopy cannot map kTLS records (the kernel "
			    "decrypts them); a6 receives with --rx copy");
	return 0;
}

int opts_parse(struct ct_opts *o, enum ct_role role, int argc, char **argv,
	       char *err, size_t errlen)
{
	unsigned given = 0; /* role_check's bits */
	unsigned long long u;
	int c, idx;

	defaults(o, role);
	optind = 0; /* full reinit: tests call us repeatedly */
	opterr = 0;
	/* "+": stop at the first non-option, so a COMMAND's own options
	 * after "--" are its own */
	while ((c = getopt_long(argc, argv, "+:h", all_opts, &idx)) != -1) {
		const char *a = optarg;
		if (c == '?')
			return errf(err, errlen, "unknown option '%s' (see --help)",
				    argv[optind - 1]);
		if (c == ':')
			return errf(err, errlen, "option '%s' needs a value",
				    argv[optind - 1]);
		if (!allowed(role, c)) /* name the option, not its value */
			return errf(err, errlen, "option '--%s' is not valid here (see --help)",
				    c == 'h' ? "help" : all_opts[idx].name);
		switch (c) {
		case O_HELP:
			return 1;
		case O_VERSION:
			return 2;
		case O_IMPL:
			if (!strcmp(a, "a1")) o->impl = IMPL_A1;
			else if (!strcmp(a, "a2")) o->impl = IMPL_A2;
			else if (!strcmp(a, "a3")) o->impl = IMPL_A3;
			else if (!strcmp(a, "a4")) o->impl = IMPL_A4;
			else if (!strcmp(a, "a5")) o->impl = IMPL_A5;
			else if (!strcmp(a, "a6")) o->impl = IMPL_A6;
			else return errf(err, errlen, "--impl must be a1, a2, a3, a4, a5 or a6, not '%s'", a);
			o->impl_given = true;
			break;
		case O_SIZE:
			if (parse_u64(a, &u))
				return errf(err, errlen, "--size '%s' is not a byte count", a);
			if (u < CT_MIN_SIZE)
				return errf(err, errlen, "--size %llu is below the %zu-byte message header",
					    u, CT_MIN_SIZE);
			if (u > CT_MAX_SIZE)
				return errf(err, errlen, "--size %llu is above the 64 MiB limit", u);
			o->size = u;
			break;
		case O_THREADS:
			if (parse_u64(a, &u) || u < 1 || u > CT_MAX_THREADS)
				return errf(err, errlen, "--threads must be 1..%d, not '%s'",
					    CT_MAX_THREADS, a);
			o->threads = (int)u;
			break;
		case O_DURATION:
			if (parse_double(a, &o->duration) || !(o->duration > 0) ||
			    o->duration > 86400)
				return errf(err, errlen, "--duration must be a number of seconds > 0, not '%s'", a);
			o->duration_given = true;
			break;
		case O_MODE:
			if (!strcmp(a, "stream")) o->mode = MODE_STREAM;
			else if (!strcmp(a, "rr")) o->mode = MODE_RR;
			else return errf(err, errlen, "--mode must be stream or rr, not '%s'", a);
			break;
		case O_NET:
			if (!strcmp(a, "veth")) o->net = NET_VETH;
			else if (!strcmp(a, "loopback")) o->net = NET_LOOPBACK;
			else if (!strcmp(a, "nic")) o->net = NET_NIC;
			else return errf(err, errlen, "--net must be veth, loopback or nic, not '%s'", a);
			given |= 8;
			break;
		case O_ROLE:
			if (!strcmp(a, "server")) o->host_role = HOST_SERVER;
			else if (!strcmp(a, "client")) o->host_role = HOST_CLIENT;
			else return errf(err, errlen, "--role must be server or client, not '%s'", a);
			break;
		case O_LISTEN:
			if (opts_hostport("--listen", a, 1, o->addr, sizeof(o->addr), &o->port, err, errlen))
				return -1;
			if (!o->addr[0])
				snprintf(o->addr, sizeof(o->addr), "0.0.0.0");
			given |= 1;
			break;
		case O_PEER_TIMEOUT:
			if (parse_double(a, &o->peer_timeout) || !(o->peer_timeout >= 0.1) ||
			    o->peer_timeout > 86400)
				return errf(err, errlen, "--peer-timeout must be 0.1..86400 seconds, not '%s'", a);
			given |= 4;
			break;
		case O_PORT:
			if (parse_u64(a, &u) || u < 1 || u > 65535)
				return errf(err, errlen, "--port must be 1..65535, not '%s'", a);
			o->port = (uint16_t)u;
			break;
		case O_CONNECT:
			if (role == ROLE_TRACE) { /* ADDR[:PORT] */
				if (opts_hostport("--connect", a, 0, o->addr, sizeof(o->addr), &o->port,
						  err, errlen))
					return -1;
				given |= 2;
				break;
			}
			/* fall through - the client's plain address */
		case O_BIND:
			if (strlen(a) >= sizeof(o->addr))
				return errf(err, errlen, "address '%s' is too long", a);
			snprintf(o->addr, sizeof(o->addr), "%s", a);
			break;
		case O_VERIFY:
			o->verify = true;
			break;
		case O_SLOTS:
			if (parse_u64(a, &u) || u < 1 || u > 4096)
				return errf(err, errlen, "--slots must be 1..4096, not '%s'", a);
			o->slots = (int)u;
			break;
		case O_RX:
			if (!strcmp(a, "copy")) o->rx = RX_COPY;
			else if (!strcmp(a, "zerocopy")) o->rx = RX_ZEROCOPY;
			else return errf(err, errlen, "--rx must be copy or zerocopy, not '%s'", a);
			o->rx_given = true;
			break;
		case O_TLS_SEND:
			if (!strcmp(a, "copy")) o->tls_send = TLS_SEND_COPY;
			else if (!strcmp(a, "sendfile")) o->tls_send = TLS_SEND_SENDFILE;
			else return errf(err, errlen, "--tls-send must be copy or sendfile, not '%s'", a);
			o->tls_send_given = true;
			break;
		case O_READY_FD:
			if (parse_u64(a, &u) || u > 1 << 20)
				return errf(err, errlen, "--ready-fd '%s' is not a descriptor", a);
			o->ready_fd = (int)u;
			break;
		case O_JSON:
			o->json = a;
			break;
		case O_QUIET:
			o->quiet = true;
			break;
		case O_BACKEND:
			if (strcmp(a, "auto") && strcmp(a, "fentry") && strcmp(a, "kprobe") &&
			    strcmp(a, "tracepoint"))
				return errf(err, errlen, "--backend must be auto, fentry, kprobe or tracepoint, not '%s'", a);
			o->backend = a;
			break;
		case O_COMPARE:
			o->compare = true;
			break;
		case O_REPEAT:
			if (parse_u64(a, &u) || u < 1 || u > 100)
				return errf(err, errlen, "--repeat must be 1..100, not '%s'", a);
			o->repeat = (int)u;
			break;
		case O_FORMAT:
			if (strcmp(a, "table") && strcmp(a, "json") && strcmp(a, "csv"))
				return errf(err, errlen, "--format must be table, json or csv, not '%s'", a);
			o->format = a;
			break;
		case O_OUTPUT:
			o->output = a;
			break;
		case O_CHECK:
			o->check = true;
			break;
		case O_PID:
			if (check_pids(a, err, errlen))
				return -1;
			o->pids = a;
			break;
		case O_USER: /* a name, or a number with a passwd entry */
			if (!getpwnam(a) && (parse_u64(a, &u) || u > UINT_MAX || !getpwuid((uid_t)u)))
				return errf(err, errlen, "--user: no user '%s' on this system", a);
			o->user = a;
			break;
		case O_CGROUP:
			o->cgroup = a;
			break;
		case O_TOP:
			if (parse_u64(a, &u) || u < 1 || u > 1000000)
				return errf(err, errlen, "--top must be 1..1000000, not '%s'", a);
			o->top = (int)u;
			break;
		case O_PER_CONN:
			o->per_conn = true;
			break;
		case O_NO_SYSTIME:
			o->no_systime = true;
			break;
		case O_KERNEL_FACTS:
			o->kernel_facts = true;
			break;
		case O_BPF_STATS:
			o->bpf_stats = true;
			break;
		case O_SAMPLE_FREQ:
			if (parse_u64(a, &u) || u > CT_SAMPLE_MAX_HZ)
				return errf(err, errlen, "--sample-freq must be 0 (off) or 1..%d samples "
					    "per second, not '%s'", CT_SAMPLE_MAX_HZ, a);
			o->sample_hz = (unsigned)u;
			o->sample_given = true;
			break;
		case O_FOLDED:
			o->folded = a;
			break;
		case O_INTERVAL:
			if (parse_interval(o, a, err, errlen))
				return -1;
			break;
		case O_COUNT:
			if (parse_count(o, a, err, errlen))
				return -1;
			break;
		case O_EXPORTER:
			if (parse_exporter(o, a, err, errlen))
				return -1;
			break;
		case O_ALL:
			o->all = true;
			break;
		case O_BY:
			if (strcmp(a, "pid") && strcmp(a, "comm"))
				return errf(err, errlen, "--by must be pid or comm, not '%s'", a);
			o->by_comm = !strcmp(a, "comm");
			break;
		case O_FLAMEGRAPH:
			o->flamegraph = a;
			break;
		case O_PERF_CTL: { /* split at the first comma, as perf does */
			const char *comma = strchr(a, ',');
			size_t n = comma ? (size_t)(comma - a) : 0;
			if (!n || !comma[1])
				return errf(err, errlen, "--perf-ctl must be CTL,ACK (two FIFO paths), not '%s'", a);
			if (n >= sizeof(o->perf_ctl) || strlen(comma + 1) >= sizeof(o->perf_ack))
				return errf(err, errlen, "--perf-ctl: a path is too long (max %zu bytes)",
					    sizeof(o->perf_ctl) - 1);
			snprintf(o->perf_ctl, sizeof(o->perf_ctl), "%.*s", (int)n, a);
			snprintf(o->perf_ack, sizeof(o->perf_ack), "%s", comma + 1);
			break;
		}
		}
	}
	int dashdash = optind > 0 && optind <= argc && !strcmp(argv[optind - 1], "--");
	if (role == ROLE_TRACE && dashdash) {
		if (optind == argc)
			return errf(err, errlen, "'--' must be followed by a command to trace");
		o->cmd = argv + optind;
	} else if (role == ROLE_TRACE && optind < argc && !o->interval && argc - optind <= 2) {
		/* bcc's bare trailing "INTERVAL [COUNT]" */
		if (parse_interval(o, argv[optind], err, errlen) ||
		    (optind + 1 < argc && parse_count(o, argv[optind + 1], err, errlen)))
			return -1;
	} else if (optind < argc) {
		return errf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	}
	if (role == ROLE_TRACE && (interval_check(o, err, errlen) || exporter_check(o, err, errlen) ||
				   role_check(o, given, err, errlen)))
		return -1;
	/* A5 is the pair "sendfile sender + mapping receiver": the client
	 * maps unless told --rx copy (the server has no --rx). */
	if (o->impl == IMPL_A5 && !o->rx_given && role != ROLE_SERVER)
		o->rx = RX_ZEROCOPY;
	if (o->impl == IMPL_A5 && o->slots)
		return errf(err, errlen, "--slots applies to a3 and a4; a5 has no slots (its pages "
			    "leave the memfd once sent)");
	if (a6_check(o, err, errlen))
		return -1;
	return role == ROLE_TRACE ? trace_target_check(o, err, errlen) : 0;
}

void opts_usage(enum ct_role role, const char *prog)
{
	printf("usage: %s [options]\n", prog);
	printf("  --impl a1..a6       a1 gather+send (two-copy), a2 sendmsg iovec (one-copy),\n"
	       "                      a3 sendmsg MSG_ZEROCOPY, a4 io_uring SENDMSG_ZC, a5 sendfile\n"
	       "                      from a memfd + the client's --rx zerocopy, a6 kernel TLS\n"
	       "                      (AES-GCM-128, fixed test keys) (default a2)\n"
	       "  --size BYTES        message size incl. %zu-byte header, %zu..64M (default 65536)\n"
	       "  --threads N         client connections, one server thread each, 1..%d (default 1)\n"
	       "  --mode stream|rr    stream messages, or request/response (default stream)\n"
	       "  --port PORT         TCP port (default %d)\n"
	       "  --verify            check every byte of every message\n",
	       CT_MIN_SIZE, CT_MIN_SIZE, CT_MAX_THREADS, CT_DEFAULT_PORT);
	if (role != ROLE_TRACE)
		printf("  --json FILE         write the figures as JSON\n"
		       "  --quiet             no summary line\n");
	if (role != ROLE_SERVER)
		printf("  --duration SECONDS  how long the client receives (default %s)\n",
		       role == ROLE_TRACE ? "3; with --pid/--cgroup: until Ctrl-C;\n"
		       "                      with -- COMMAND: until what it started has exited" : "5");
	if (role == ROLE_SERVER)
		printf("  --bind ADDRESS      listen address (default 0.0.0.0)\n"
		       "  --ready-fd FD       write one byte to FD once listening\n");
	if (role == ROLE_CLIENT)
		printf("  --connect ADDRESS   server address (default 127.0.0.1)\n");
	if (role == ROLE_SERVER || role == ROLE_CLIENT)
		printf("  --peer-timeout S    %s; a peer gone\n"
		       "                      silent fails the run after S s (default %s)\n",
		       role == ROLE_SERVER ? "wait S seconds for the clients to connect" :
		       "retry connecting for S seconds", role == ROLE_SERVER ? "30" : "5 s to connect, no\n                      silence limit");
	if (role != ROLE_CLIENT)
		printf("  --slots N           a3, a4: message slots in flight (default auto)\n");
	if (role != ROLE_CLIENT)
		printf("  --tls-send copy|sendfile\n"
		       "                      a6: sendmsg() the message, or send the header and\n"
		       "                      sendfile() the fields from a memfd (default copy)\n");
	if (role != ROLE_SERVER)
		printf("  --rx copy|zerocopy  client receive: recv() copy, or map pages with\n"
		       "                      TCP_ZEROCOPY_RECEIVE (default copy; with --impl a5 zerocopy)\n");

	if (role == ROLE_RUNNER || role == ROLE_TRACE)
		printf("  --net veth|loopback|nic\n"
		       "                      two namespaces joined by veth, one namespace's lo, or\n"
		       "                      two namespaces with a NIC each (eth0 server, eth1\n"
		       "                      client, wired together outside: the VM test's taps)\n"
		       "                      (default veth)\n");
	if (role == ROLE_RUNNER)
		printf("  --perf-ctl CTL,ACK  under perf stat -D -1 --control fifo:CTL,ACK: count only\n"
		       "                      the client's measuring window (enable/disable on CTL)\n");
	if (role == ROLE_TRACE)
		printf("  --role server|client  one side of the experiment on this host, traced, its\n"
		       "                      peer on another (two hosts, one command each): server\n"
		       "                      sends to a remote build/client, client receives from a\n"
		       "                      remote build/server (or trace_run --role server). Both\n"
		       "                      ends need the same --impl --size --mode --threads\n"
		       "                      --verify, or the hello is refused in one line. The\n"
		       "                      report has this side's ledger lines; the peer's are\n"
		       "                      \"not on this host\"\n"
		       "  --listen [ADDR:]PORT  --role server: listen there (default 0.0.0.0:%d)\n"
		       "  --connect ADDR[:PORT] --role client: the server ([IPv6]:PORT; port default\n"
		       "                      --port)\n"
		       "  --peer-timeout S    --role: wait S s for the peer (server: to connect;\n"
		       "                      client: retrying to connect), then fail; a peer gone\n"
		       "                      silent mid-run fails the run after S s (default %d).\n"
		       "                      --role server then traces --duration s of traffic (the\n"
		       "                      client's window is the shorter of both --duration)\n",
		       CT_DEFAULT_PORT, CT_PEER_TIMEOUT_S);
	if (role == ROLE_TRACE)
		printf("  --backend B         auto|fentry|kprobe|tracepoint (default auto)\n"
		       "  --compare           alternate untraced and traced runs, report overhead\n"
		       "  --repeat K          pairs for --compare (default 3)\n"
		       "  --format F          table|json|csv (default table)\n"
		       "  --output FILE       write the report to FILE instead of stdout\n"
		       "  --check             assert the ledger against the application's counts\n"
		       "  --no-syscall-time   no syscall hooks: less overhead, no kernel time per call\n"
		       "  --bpf-stats         the tracer's own cost: the kernel's run time of each of its\n"
		       "                      BPF programs during the run (BPF_ENABLE_STATS, 5.8+)\n"
		       "  --per-connection    add a row per connection (4-tuple): every one in JSON and\n"
		       "                      CSV, the --top N with the most bytes in the table\n"
		       "  --top N             connections the table shows (default 20; the rest summed)\n"
		       "  --sample-freq HZ    CPU profiler samples per second and CPU, 1..%d, 0: off\n"
		       "                      (default %d; also tracing a program: its processes and\n"
		       "                      the ones it starts, symbols from an mmap side-band)\n"
		       "  --folded FILE       write the sampled stacks as folded lines (flamegraph.pl),\n"
		       "                      rooted at the side (--impl) or at comm/pid\n"
		       "  --flamegraph FILE   write a flame graph (SVG) of the sampled stacks\n"
		       "  --kernel-facts      print what this kernel offers the tracer (BTF, ftrace sites,\n"
		       "                      kprobes, tracepoints of every hooked function) and exit\n"
		       "  --interval S        also print the ledger and function rows of every S seconds\n"
		       "                      (0.1..86400; the bytes of that interval, not running\n"
		       "                      totals); bare trailing \"S [N]\" too. The report at the end\n"
		       "                      is the whole run's\n"
		       "  --count N           with --interval: trace N x S seconds (as --duration)\n"
		       "  --exporter [ADDR:]PORT  serve Prometheus metrics on http://ADDR:PORT/metrics\n"
		       "                      (default address 127.0.0.1) until SIGINT/SIGTERM; with\n"
		       "                      --pid, --cgroup or --all\n"
		       "  --all               trace every process of the host (the root cgroup)\n"
		       "  --by pid|comm       --exporter: series per process (default) or per name\n"
		       "\n"
		       "Instead of the built-in experiment (--impl), trace any program:\n"
		       "  -- COMMAND [ARG...] run COMMAND as the invoking user (sudo's SUDO_UID) in a\n"
		       "                      process group of its own; trace it and every process it\n"
		       "                      starts, daemons too (trace_run is their subreaper), until\n"
		       "                      the last has exited, --duration, or a signal: SIGINT,\n"
		       "                      SIGTERM, SIGHUP are passed on, and whatever is left 5 s\n"
		       "                      later is killed (the command's exit status is passed on)\n"
		       "  --user NAME         run the command as NAME (root: as root); NAME also owns\n"
		       "                      the files of --output, --folded, --flamegraph\n"
		       "  --pid PID[,PID...]  trace running processes (up to %d) with all their threads\n"
		       "                      and descendants, those that exist and those born during\n"
		       "                      the trace; for --duration seconds, until Ctrl-C, or until\n"
		       "                      every listed process and its descendants have exited\n"
		       "  --cgroup PATH       trace every task of a cgroup v2 (a path under\n"
		       "                      /sys/fs/cgroup, or relative to it), like --pid\n"
		       "Output files are created once tracing has started, never through a symbolic\n"
		       "link, and belong to the invoking user (or --user).\n",
		       CT_SAMPLE_MAX_HZ, CT_SAMPLE_HZ, CT_MAX_PIDS);
	printf("  --version           print the version%s and exit\n",
	       role == ROLE_TRACE ? ", the libbpf version and what this kernel offers" : "");
	printf("  --help              print this help and exit\n");
}
