// SPDX-License-Identifier: GPL-2.0-only
/* The option table: each option once, with the binaries that take it, its
 * --help lines and how its value is read. The parser, --help (so the man
 * pages and the bash completion) and the EXAMPLES all come from here. */
#include "opttable.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"

#define STR_(x) #x
#define STR(x) STR_(x) /* a limit's digits, for the help text */
/* the field an entry sets, and the bool that says it was given */
#define AT(f) .off = offsetof(struct ct_opts, f), .size = sizeof(((struct ct_opts *)0)->f)
#define SEEN(f) .seen = offsetof(struct ct_opts, f) + 1

_Static_assert(R_SERVER == 1u << ROLE_SERVER && R_CLIENT == 1u << ROLE_CLIENT &&
		       R_RUNNER == 1u << ROLE_RUNNER && R_TRACE == 1u << ROLE_TRACE,
	       "R_* are ct_role bits");

const struct ct_choice ct_impl_choices[] = {
	{ "a1", IMPL_A1 }, { "a2", IMPL_A2 }, { "a3", IMPL_A3 }, { "a4", IMPL_A4 },
	{ "a5", IMPL_A5 }, { "a6", IMPL_A6 }, { NULL, 0 },
};
const struct ct_choice ct_mode_choices[] = { { "stream", MODE_STREAM },
					     { "rr", MODE_RR },
					     { NULL, 0 } };
const struct ct_choice ct_rx_choices[] = { { "copy", RX_COPY },
					   { "zerocopy", RX_ZEROCOPY },
					   { NULL, 0 } };
const struct ct_choice ct_tls_send_choices[] = {
	{ "copy", TLS_SEND_COPY },
	{ "sendfile", TLS_SEND_SENDFILE },
	{ NULL, 0 },
};
static const struct ct_choice net_choices[] = {
	{ "veth", NET_VETH },
	{ "loopback", NET_LOOPBACK },
	{ "nic", NET_NIC },
	{ NULL, 0 },
};
static const struct ct_choice host_role_choices[] = {
	{ "server", HOST_SERVER },
	{ "client", HOST_CLIENT },
	{ NULL, 0 },
};
static const struct ct_choice backend_choices[] = {
	{ "auto", 0 }, { "fentry", 0 }, { "kprobe", 0 }, { "tracepoint", 0 }, { NULL, 0 },
};
static const struct ct_choice format_choices[] = {
	{ "table", 0 },
	{ "json", 0 },
	{ "csv", 0 },
	{ NULL, 0 },
};
static const struct ct_choice by_choices[] = { { "pid", 0 }, { "comm", 1 }, { NULL, 0 } };

/* --size: the header is the floor, and each bound is said in its own words. */
static int parse_size(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	unsigned long long u;
	if (opt_u64(a, &u))
		return errf(err, errlen, "--size '%s' is not a byte count", a);
	if (u < CT_MIN_SIZE)
		return errf(err, errlen, "--size %llu is below the %zu-byte message header", u,
			    CT_MIN_SIZE);
	if (u > CT_MAX_SIZE)
		return errf(err, errlen, "--size %llu is above the 64 MiB limit", u);
	o->size = u;
	return 0;
}

static int parse_listen(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	if (opts_hostport("--listen", a, 1, o->addr, sizeof(o->addr), &o->port, err, errlen))
		return -1;
	if (!o->addr[0])
		snprintf(o->addr, sizeof(o->addr), "0.0.0.0");
	return 0;
}

/* trace_run --connect ADDR[:PORT] (build/client's is a plain address) */
static int parse_connect(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	return opts_hostport("--connect", a, 0, o->addr, sizeof(o->addr), &o->port, err, errlen);
}

/* --pid PID[,PID...]: every entry a process id, at most CT_MAX_PIDS of
 * them; the whole list is checked (never cut). */
static int parse_pids(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	int n = 0;
	for (const char *s = a;; s++) {
		char *end;
		errno = 0;
		unsigned long v = isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
		if (!v || errno || v > CT_PID_MAX || (*end && *end != ','))
			return errf(err, errlen,
				    "--pid must be PID[,PID...] with each PID 1..%d, not "
				    "'%.40s%s'",
				    CT_PID_MAX, a, strlen(a) > 40 ? "..." : "");
		if (++n > CT_MAX_PIDS)
			return errf(err, errlen,
				    "--pid lists more than %d processes (each listed one "
				    "has its own row; their children are traced anyway)",
				    CT_MAX_PIDS);
		s = end;
		if (!*s)
			break;
	}
	o->pids = a;
	return 0;
}

/* --user: a name, or a number with a passwd entry */
static int parse_user(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	unsigned long long u;
	if (!getpwnam(a) && (opt_u64(a, &u) || u > UINT_MAX || !getpwuid((uid_t)u)))
		return errf(err, errlen, "--user: no user '%s' on this system", a);
	o->user = a;
	return 0;
}

/* --exporter [ADDR:]PORT: an IPv4 address, [IPv6], or none (127.0.0.1:
 * only this host can scrape unless asked). */
static int parse_exporter(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	unsigned long long u;
	const char *arg = a, *colon = strrchr(a, ':'), *port = colon ? colon + 1 : a;
	size_t n = colon ? (size_t)(colon - a) : 0;
	if (n >= 2 && a[0] == '[' && a[n - 1] == ']') /* [::1]:9435 */
		a++, n -= 2;
	if (n >= sizeof(o->exp_addr))
		return errf(err, errlen, "--exporter: address too long");
	snprintf(o->exp_addr, sizeof(o->exp_addr), "%.*s", (int)n, a);
	if (!n)
		snprintf(o->exp_addr, sizeof(o->exp_addr), "127.0.0.1");
	if (opt_u64(port, &u) || u < 1 || u > 65535)
		return errf(err, errlen, "--exporter: port must be 1..65535, not '%s'", port);
	o->exp_port = (uint16_t)u;
	o->exporter = arg;
	return 0;
}

/* --perf-ctl CTL,ACK: split at the first comma, as perf does */
static int parse_perf_ctl(struct ct_opts *o, const char *a, char *err, size_t errlen)
{
	const char *comma = strchr(a, ',');
	size_t n = comma ? (size_t)(comma - a) : 0;
	if (!n || !comma[1])
		return errf(err, errlen, "--perf-ctl must be CTL,ACK (two FIFO paths), not '%s'",
			    a);
	if (n >= sizeof(o->perf_ctl) || strlen(comma + 1) >= sizeof(o->perf_ack))
		return errf(err, errlen, "--perf-ctl: a path is too long (max %zu bytes)",
			    sizeof(o->perf_ctl) - 1);
	snprintf(o->perf_ctl, sizeof(o->perf_ctl), "%.*s", (int)n, a);
	snprintf(o->perf_ack, sizeof(o->perf_ack), "%s", comma + 1);
	return 0;
}

/* In --help's order. A new option is one entry here (and its field in
 * struct ct_opts); a new data path is one line of ct_impl_choices and the
 * --impl help below (and enum ct_impl). */
const struct ct_optdef opt_table[] = {
	{ "impl", 0, "a1..a6", R_ALL,
	  "a1 gather+send (two-copy), a2 sendmsg iovec (one-copy),\n"
	  "a3 sendmsg MSG_ZEROCOPY, a4 io_uring SENDMSG_ZC, a5 sendfile\n"
	  "from a memfd + the client's --rx zerocopy, a6 kernel TLS\n"
	  "(AES-GCM-128, fixed test keys) (default a2)",
	  OK_CHOICE, AT(impl), SEEN(impl_given), .choices = ct_impl_choices },
	{ "size", 0, "BYTES", R_ALL,
	  "message size incl. " STR(CT_MIN_BYTES) "-byte header, " STR(
		  CT_MIN_BYTES) "..64M (default 65536)",
	  OK_HOOK, .hook = parse_size },
	{ "threads", 0, "N", R_ALL,
	  "client connections, one server thread each, 1.." STR(CT_MAX_THREADS) " (default 1)",
	  OK_U64, AT(threads), .min = 1, .max = CT_MAX_THREADS },
	{ "mode", 0, "stream|rr", R_ALL, "stream messages, or request/response (default stream)",
	  OK_CHOICE, AT(mode), .choices = ct_mode_choices },
	{ "port", 0, "PORT", R_ALL, "TCP port (default " STR(CT_DEFAULT_PORT) ")", OK_U64, AT(port),
	  .min = 1, .max = 65535 },
	{ "verify", 0, NULL, R_ALL, "check every byte of every message", OK_FLAG, AT(verify) },
	/* trace_run has --format and --output */
	{ "json", 0, "FILE", R_SERVER | R_CLIENT | R_RUNNER, "write the figures as JSON", OK_STRING,
	  AT(json) },
	{ "quiet", 0, NULL, R_SERVER | R_CLIENT | R_RUNNER, "no summary line", OK_FLAG, AT(quiet) },
	{ "duration", 0, "SECONDS", R_CLIENT | R_RUNNER, "how long the client receives (default 5)",
	  OK_DOUBLE, AT(duration), SEEN(duration_given), .dmin = 0, .open_min = true, .dmax = 86400,
	  .must = "a number of seconds > 0" },
	{ "duration", 0, "SECONDS", R_TRACE,
	  "how long the client receives (default 3; with --pid/--cgroup: until Ctrl-C;\n"
	  "with -- COMMAND: until what it started has exited)",
	  OK_DOUBLE, AT(duration), SEEN(duration_given), .dmin = 0, .open_min = true, .dmax = 86400,
	  .must = "a number of seconds > 0" },
	{ "bind", 0, "ADDRESS", R_SERVER, "listen address (default 0.0.0.0)", OK_BUF, AT(addr),
	  .bad = "address '%s' is too long" },
	{ "ready-fd", 0, "FD", R_SERVER, "write one byte to FD once listening", OK_U64,
	  AT(ready_fd), .min = 0, .max = 1 << 20, .bad = "--ready-fd '%s' is not a descriptor" },
	{ "connect", 0, "ADDRESS", R_CLIENT, "server address (default 127.0.0.1)", OK_BUF, AT(addr),
	  .bad = "address '%s' is too long" },
	{ "peer-timeout", 0, "S", R_SERVER,
	  "wait S seconds for the clients to connect; a peer gone\n"
	  "silent fails the run after S s (default 30)",
	  OK_DOUBLE, AT(peer_timeout), .given = GIVEN_PEER_TIMEOUT, .dmin = 0.1, .dmax = 86400,
	  .unit = " seconds" },
	{ "peer-timeout", 0, "S", R_CLIENT,
	  "retry connecting for S seconds; a peer gone\n"
	  "silent fails the run after S s (default 5 s to connect, no\n"
	  "silence limit)",
	  OK_DOUBLE, AT(peer_timeout), .given = GIVEN_PEER_TIMEOUT, .dmin = 0.1, .dmax = 86400,
	  .unit = " seconds" },
	{ "slots", 0, "N", R_SERVER | R_RUNNER | R_TRACE,
	  "a3, a4: message slots in flight (default auto)", OK_U64, AT(slots), .min = 1,
	  .max = 4096 },
	{ "tls-send", 0, "copy|sendfile", R_SERVER | R_RUNNER | R_TRACE,
	  "a6: sendmsg() the message, or send the header and\n"
	  "sendfile() the fields from a memfd (default copy)",
	  OK_CHOICE, AT(tls_send), SEEN(tls_send_given), .choices = ct_tls_send_choices },
	{ "rx", 0, "copy|zerocopy", R_CLIENT | R_RUNNER | R_TRACE,
	  "client receive: recv() copy, or map pages with\n"
	  "TCP_ZEROCOPY_RECEIVE (default copy; with --impl a5 zerocopy)",
	  OK_CHOICE, AT(rx), SEEN(rx_given), .choices = ct_rx_choices },
	{ "net", 0, "veth|loopback|nic", R_RUNNER | R_TRACE,
	  "\ntwo namespaces joined by veth, one namespace's lo, or\n"
	  "two namespaces with a NIC each (eth0 server, eth1\n"
	  "client, wired together outside: the VM test's taps)\n"
	  "(default veth)",
	  OK_CHOICE, AT(net), .given = GIVEN_NET, .choices = net_choices },
	{ "perf-ctl", 0, "CTL,ACK", R_RUNNER,
	  "under perf stat -D -1 --control fifo:CTL,ACK: count only\n"
	  "the client's measuring window (enable/disable on CTL)",
	  OK_HOOK, .hook = parse_perf_ctl },
	{ "role", 0, "server|client", R_TRACE,
	  "one side of the experiment on this host, traced, its\n"
	  "peer on another (two hosts, one command each): server\n"
	  "sends to a remote build/client, client receives from a\n"
	  "remote build/server (or trace_run --role server). Both\n"
	  "ends need the same --impl --size --mode --threads\n"
	  "--verify, or the hello is refused in one line. The\n"
	  "report has this side's ledger lines; the peer's are\n"
	  "\"not on this host\"",
	  OK_CHOICE, AT(host_role), .choices = host_role_choices },
	{ "listen", 0, "[ADDR:]PORT", R_TRACE,
	  "--role server: listen there (default 0.0.0.0:" STR(CT_DEFAULT_PORT) ")", OK_HOOK,
	  .given = GIVEN_LISTEN, .hook = parse_listen },
	{ "connect", 0, "ADDR[:PORT]", R_TRACE,
	  "--role client: the server ([IPv6]:PORT; port default\n"
	  "--port)",
	  OK_HOOK, .given = GIVEN_CONNECT, .hook = parse_connect },
	{ "peer-timeout", 0, "S", R_TRACE,
	  "--role: wait S s for the peer (server: to connect;\n"
	  "client: retrying to connect), then fail; a peer gone\n"
	  "silent mid-run fails the run after S s (default " STR(
		  CT_PEER_TIMEOUT_S) ").\n"
				     "--role server then traces --duration s of traffic (the\n"
				     "client's window is the shorter of both --duration)",
	  OK_DOUBLE, AT(peer_timeout), .given = GIVEN_PEER_TIMEOUT, .dmin = 0.1, .dmax = 86400,
	  .unit = " seconds" },
	{ "backend", 0, "B", R_TRACE, "auto|fentry|kprobe|tracepoint (default auto)", OK_WORD,
	  AT(backend), .choices = backend_choices },
	{ "compare", 0, NULL, R_TRACE, "alternate untraced and traced runs, report overhead",
	  OK_FLAG, AT(compare) },
	{ "repeat", 0, "K", R_TRACE, "pairs for --compare (default 3)", OK_U64, AT(repeat),
	  .min = 1, .max = 100 },
	{ "format", 0, "F", R_TRACE, "table|json|csv (default table)", OK_WORD, AT(format),
	  .choices = format_choices },
	{ "output", 0, "FILE", R_TRACE, "write the report to FILE instead of stdout", OK_STRING,
	  AT(output) },
	{ "check", 0, NULL, R_TRACE, "assert the ledger against the application's counts", OK_FLAG,
	  AT(check) },
	{ "no-syscall-time", 0, NULL, R_TRACE,
	  "no syscall hooks: less overhead, no kernel time per call", OK_FLAG, AT(no_systime) },
	{ "bpf-stats", 0, NULL, R_TRACE,
	  "the tracer's own cost: the kernel's run time of each of its\n"
	  "BPF programs during the run (BPF_ENABLE_STATS, 5.8+)",
	  OK_FLAG, AT(bpf_stats) },
	{ "per-connection", 0, NULL, R_TRACE,
	  "add a row per connection (4-tuple): every one in JSON and\n"
	  "CSV, the --top N with the most bytes in the table",
	  OK_FLAG, AT(per_conn) },
	{ "top", 0, "N", R_TRACE, "connections the table shows (default 20; the rest summed)",
	  OK_U64, AT(top), .min = 1, .max = 1000000 },
	{ "sample-freq", 0, "HZ", R_TRACE,
	  "CPU profiler samples per second and CPU, 1.." STR(
		  CT_SAMPLE_MAX_HZ) ", 0: off\n"
				    "(default " STR(CT_SAMPLE_HZ) "; also tracing a program: its "
								  "processes and\n"
								  "the ones it starts, symbols "
								  "from an mmap side-band)",
	  OK_U64, AT(sample_hz), SEEN(sample_given), .min = 0, .max = CT_SAMPLE_MAX_HZ,
	  .must = "0 (off) or 1.." STR(CT_SAMPLE_MAX_HZ) " samples per second" },
	{ "folded", 0, "FILE", R_TRACE,
	  "write the sampled stacks as folded lines (flamegraph.pl),\n"
	  "rooted at the side (--impl) or at comm/pid",
	  OK_STRING, AT(folded) },
	{ "flamegraph", 0, "FILE", R_TRACE, "write a flame graph (SVG) of the sampled stacks",
	  OK_STRING, AT(flamegraph) },
	{ "kernel-facts", 0, NULL, R_TRACE,
	  "print what this kernel offers the tracer (BTF, ftrace sites,\n"
	  "kprobes, tracepoints of every hooked function) and exit",
	  OK_FLAG, AT(kernel_facts) },
	{ "interval", 0, "S", R_TRACE,
	  "also print the ledger and function rows of every S seconds\n"
	  "(0.1..86400; the bytes of that interval, not running\n"
	  "totals); bare trailing \"S [N]\" too. The report at the end\n"
	  "is the whole run's",
	  OK_DOUBLE, AT(interval), .dmin = 0.1, .dmax = 86400, .unit = " seconds" },
	{ "count", 0, "N", R_TRACE, "with --interval: trace N x S seconds (as --duration)", OK_U64,
	  AT(count), .min = 1, .max = 1000000, .unit = " intervals" },
	{ "exporter", 0, "[ADDR:]PORT", R_TRACE,
	  "serve Prometheus metrics on http://ADDR:PORT/metrics\n"
	  "(default address 127.0.0.1) until SIGINT/SIGTERM; with\n"
	  "--pid, --cgroup or --all",
	  OK_HOOK, .hook = parse_exporter },
	{ "all", 0, NULL, R_TRACE, "trace every process of the host (the root cgroup)", OK_FLAG,
	  AT(all) },
	{ "by", 0, "pid|comm", R_TRACE, "--exporter: series per process (default) or per name",
	  OK_CHOICE, AT(by_comm), .choices = by_choices },
	{ .roles = R_TRACE,
	  .kind = OK_NOTE,
	  .help = "\nInstead of the built-in experiment (--impl), trace any program:" },
	{ .arg = "-- COMMAND [ARG...]",
	  .roles = R_TRACE,
	  .kind = OK_NOTE,
	  .help = "run COMMAND as the invoking user (sudo's SUDO_UID) in a\n"
		  "process group of its own; trace it and every process it\n"
		  "starts, daemons too (trace_run is their subreaper), until\n"
		  "the last has exited, --duration, or a signal: SIGINT,\n"
		  "SIGTERM, SIGHUP are passed on, and whatever is left 5 s\n"
		  "later is killed (the command's exit status is passed on)" },
	{ "user", 0, "NAME", R_TRACE,
	  "run the command as NAME (root: as root); NAME also owns\n"
	  "the files of --output, --folded, --flamegraph",
	  OK_HOOK, .hook = parse_user },
	{ "pid", 0, "PID[,PID...]", R_TRACE,
	  "trace running processes (up to " STR(
		  CT_MAX_PIDS) ") with all their threads\n"
			       "and descendants, those that exist and those born during\n"
			       "the trace; for --duration seconds, until Ctrl-C, or until\n"
			       "every listed process and its descendants have exited",
	  OK_HOOK, .hook = parse_pids },
	{ "cgroup", 0, "PATH", R_TRACE,
	  "trace every task of a cgroup v2 (a path under\n"
	  "/sys/fs/cgroup, or relative to it), like --pid",
	  OK_STRING, AT(cgroup) },
	{ .roles = R_TRACE,
	  .kind = OK_NOTE,
	  .help = "Output files are created once tracing has started, never through a symbolic\n"
		  "link, and belong to the invoking user (or --user)." },
	{ "version", 0, NULL, R_SERVER | R_CLIENT | R_RUNNER, "print the version and exit", OK_EXIT,
	  .ret = 2 },
	{ "version", 0, NULL, R_TRACE,
	  "print the version, the libbpf version and what this kernel offers and exit", OK_EXIT,
	  .ret = 2 },
	{ "help", 'h', NULL, R_ALL, "print this help and exit", OK_EXIT, .ret = 1 },
};
const size_t opt_table_len = sizeof(opt_table) / sizeof(opt_table[0]);

static const char trace_examples[] =
	"  sudo ./trace_run --impl a2                  # where A2's bytes are copied\n"
	"  sudo ./trace_run --impl a3 --net loopback   # zerocopy on loopback: the deferred copy\n"
	"  sudo ./trace_run --impl a1 --size 256 --compare --repeat 5   # tracing overhead\n"
	"  sudo ./trace_run --impl a3 --check --format json --output a3.json\n"
	"  sudo ./trace_run --backend kprobe --impl a2 # force a backend\n"
	"  sudo ./trace_run -- iperf3 -c 10.0.0.2 -Z    # any program, its children too\n"
	"  sudo ./trace_run --pid 1234 --duration 10   # a running process\n"
	"  sudo ./trace_run --cgroup system.slice/nginx.service --per-connection\n"
	"  sudo ./trace_run --kernel-facts             # what this kernel lets it see\n"
	"\nTwo hosts, one command on each (the side here is traced, its peer is not):\n"
	"  hostA$ sudo ./trace_run --impl a3 --role server --listen 5301 --duration 10 --check\n"
	"  hostB$ build/client --connect hostA --port 5301 --impl a3 --duration 10\n"
	"  hostA$ build/server --port 5301 --impl a3\n"
	"  hostB$ sudo ./trace_run --impl a3 --role client --connect hostA:5301 --check\n";

const char *opt_examples(enum ct_role role)
{
	return role == ROLE_TRACE ? trace_examples : NULL;
}
