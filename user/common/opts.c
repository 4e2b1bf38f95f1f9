// SPDX-License-Identifier: GPL-2.0-only
/* Command-line parsing shared by every binary, and its --help, both from
 * the option table (opttable.c); checks across options; errors are one line. */
#include "opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "opttable.h"

const char *impl_name(enum ct_impl i)
{
	return opt_choice_name(ct_impl_choices, (int)i);
}

const char *mode_name(enum ct_mode m)
{
	return opt_choice_name(ct_mode_choices, (int)m);
}

const char *rx_name(enum ct_rx r)
{
	return opt_choice_name(ct_rx_choices, (int)r);
}

const char *tls_send_name(enum ct_tls_send t)
{
	return opt_choice_name(ct_tls_send_choices, (int)t);
}

/* not --net's choices: NET_HOST is the two real hosts of trace_run --role */
const char *net_name(enum ct_net n)
{
	static const char *s[] = { "veth", "loopback", "host", "nic" };
	return s[n];
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
	snprintf(o->addr, sizeof(o->addr), "%s", role == ROLE_CLIENT ? "127.0.0.1" : "0.0.0.0");
}

/* --exporter serves a running trace of processes until a signal: not the
 * built-in experiment, which ends by itself. */
static int exporter_check(struct ct_opts *o, char *err, size_t errlen)
{
	if (o->all && (o->cmd || o->pids || o->cgroup))
		return errf(err, errlen,
			    "--all traces every process; give it without -- COMMAND, "
			    "--pid or --cgroup");
	if (o->all)
		o->cgroup = "."; /* the cgroup v2 mount itself: the root holds every task */
	if (!o->exporter)
		return o->by_comm ? errf(err, errlen, "--by applies to --exporter") : 0;
	if (o->impl_given)
		return errf(err, errlen,
			    "--exporter traces running processes (--pid, --cgroup or "
			    "--all), not the built-in experiment (--impl)");
	if (!o->pids && !o->cgroup && !o->cmd)
		return errf(err, errlen,
			    "--exporter needs what to trace: --pid, --cgroup or --all");
	if (o->interval || o->check || o->compare)
		return errf(err, errlen, "--exporter cannot be combined with --%s",
			    o->interval	       ? "interval"
				    : o->check ? "check"
					       : "compare");
	return 0;
}

/* --count needs --interval; N intervals of S seconds are --duration N x S
 * unless --duration is given; --compare's many runs have no one timeline. */
static int interval_check(struct ct_opts *o, char *err, size_t errlen)
{
	if (o->count && !o->interval)
		return errf(err, errlen,
			    "--count needs --interval (or a bare trailing INTERVAL COUNT)");
	if (o->interval && o->compare)
		return errf(err, errlen,
			    "--interval reports one traced run; it cannot be combined "
			    "with --compare");
	if (o->count && !o->duration_given) {
		o->duration = o->interval * (double)o->count;
		o->duration_given = true;
	}
	return 0;
}

/* trace_run: one target (an experiment, a command, pids or a cgroup), and
 * only the options that make sense for it. */
static int trace_target_check(const struct ct_opts *o, char *err, size_t errlen)
{
	if ((o->folded || o->flamegraph) && !o->sample_hz)
		return errf(err, errlen,
			    "--folded and --flamegraph need the profiler (--sample-freq > 0)");
	int n = !!o->cmd + !!o->pids + !!o->cgroup;
	if (n > 1)
		return errf(err, errlen, "give one of -- COMMAND, --pid and --cgroup, not %s",
			    o->cmd && o->pids		   ? "--pid with a command"
				    : o->cgroup && o->pids ? "--pid with --cgroup"
							   : "--cgroup with a command");
	if (!n)
		return 0;
	if (o->impl_given)
		return errf(err, errlen,
			    "--impl runs the built-in experiment; it cannot be "
			    "combined with -- COMMAND, --pid or --cgroup");
	if (o->compare || o->check)
		return errf(err, errlen,
			    "--%s needs --impl (it compares against the "
			    "experiment's own counts)",
			    o->compare ? "compare" : "check");
	return 0;
}

/* trace_run --role: one side of the experiment here, the peer elsewhere;
 * only what that side can use. given: bit 0 --listen, 1 --connect, 2
 * --peer-timeout, 3 --net. */
/* a6 (kTLS) sends records, not pages: nothing for the other paths' knobs. */
static int a6_check(const struct ct_opts *o, char *err, size_t errlen)
{
	if (o->tls_send_given && o->impl != IMPL_A6)
		return errf(err, errlen, "--tls-send applies to --impl a6 (kTLS) only");
	if (o->impl != IMPL_A6)
		return 0;
	if (o->slots)
		return errf(err, errlen,
			    "--slots applies to a3 and a4; a6 has no slots (kTLS "
			    "encrypts into its own buffers)");
	if (o->rx == RX_ZEROCOPY)
		return errf(err, errlen,
			    "--rx zerocopy cannot map kTLS records (the kernel "
			    "decrypts them); a6 receives with --rx copy");
	return 0;
}

static int role_check(struct ct_opts *o, unsigned given, char *err, size_t errlen)
{
	if (!o->host_role) {
		if (given & 7)
			return errf(err, errlen, "--%s needs --role %s",
				    given & 1		? "listen"
					    : given & 2 ? "connect"
							: "peer-timeout",
				    given & 1		? "server"
					    : given & 2 ? "client"
							: "server or client");
		return 0;
	}
	int server = o->host_role == HOST_SERVER;
	if (o->cmd || o->pids || o->cgroup || o->exporter || o->all)
		return errf(
			err, errlen,
			"--role runs one side of the built-in experiment (--impl); it "
			"cannot be combined with -- COMMAND, --pid, --cgroup, --all or --exporter");
	if (given & 8)
		return errf(err, errlen,
			    "--net picks the topology of a run with both sides here; "
			    "with --role the hosts' own network carries it");
	if (o->compare)
		return errf(err, errlen,
			    "--compare runs untraced and traced pairs; with --role the "
			    "peer runs once");
	if (server && (given & 2))
		return errf(err, errlen,
			    "--connect is --role client's; --role server takes --listen "
			    "[ADDR:]PORT");
	if (!server && (given & 1))
		return errf(err, errlen,
			    "--listen is --role server's; --role client takes --connect "
			    "ADDR[:PORT]");
	if (!server && !(given & 2))
		return errf(err, errlen,
			    "--role client needs --connect ADDR[:PORT] (where build/server "
			    "or trace_run --role server listens)");
	if (server && o->rx_given)
		return errf(err, errlen,
			    "--rx is the receiver's: give it to the peer's build/client");
	if (!server && o->slots)
		return errf(err, errlen,
			    "--slots is the sender's: give it to the peer's build/server");
	if (!server && o->tls_send_given)
		return errf(err, errlen,
			    "--tls-send is the sender's: give it to the peer's "
			    "build/server");
	if (server && !(given & 1))
		snprintf(o->addr, sizeof(o->addr), "0.0.0.0");
	if (!(given & 4))
		o->peer_timeout = CT_PEER_TIMEOUT_S;
	o->net = NET_HOST;
	return 0;
}

/* getopt_long's view of the table: each long name once (entries that
 * share one differ only by binary), val 256 + its index here. */
#define LONG_MAX_OPTS 96
static struct option long_opts[LONG_MAX_OPTS + 1];
static char short_opts[16] = "+:"; /* "+": stop at the first non-option, so a
				    * COMMAND's own options after "--" are its own */

static void getopt_from_table(void)
{
	size_t n = 0, s = strlen(short_opts);
	if (long_opts[0].name)
		return;
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		if (!d->name)
			continue;
		if (d->short_name && s + 2 < sizeof(short_opts)) {
			short_opts[s++] = d->short_name;
			if (d->arg)
				short_opts[s++] = ':';
		}
		size_t k = 0;
		while (k < n && strcmp(long_opts[k].name, d->name))
			k++;
		if (k < n)
			continue;
		if (n == LONG_MAX_OPTS)
			abort(); /* the table outgrew LONG_MAX_OPTS: every test run says so */
		long_opts[n] = (struct option){ d->name, d->arg ? required_argument : no_argument,
						NULL, 256 + (int)n };
		n++;
	}
}

/* The entry of that name this binary takes (NULL: another binary's). */
static const struct ct_optdef *find(const char *name, enum ct_role role)
{
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		if (d->name && (d->roles & (1u << role)) && !strcmp(d->name, name))
			return d;
	}
	return NULL;
}

static const char *short_name_of(int c)
{
	for (size_t i = 0; i < opt_table_len; i++)
		if (opt_table[i].name && opt_table[i].short_name == c)
			return opt_table[i].name;
	return "?";
}

int opts_parse(struct ct_opts *o, enum ct_role role, int argc, char **argv, char *err,
	       size_t errlen)
{
	unsigned given = 0; /* role_check's bits */
	int c, idx;

	defaults(o, role);
	getopt_from_table();
	optind = 0; /* full reinit: tests call us repeatedly */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, &idx)) != -1) {
		if (c == '?')
			return errf(err, errlen, "unknown option '%s' (see --help)",
				    argv[optind - 1]);
		if (c == ':')
			return errf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		const char *name = c >= 256 ? long_opts[c - 256].name : short_name_of(c);
		const struct ct_optdef *d = find(name, role);
		if (!d) /* name the option, not its value */
			return errf(err, errlen, "option '--%s' is not valid here (see --help)",
				    name);
		if (d->kind == OK_EXIT)
			return d->ret;
		if (optdef_parse(d, o, optarg, err, errlen))
			return -1;
		given |= d->given;
	}
	int dashdash = optind > 0 && optind <= argc && !strcmp(argv[optind - 1], "--");
	if (role == ROLE_TRACE && dashdash) {
		if (optind == argc)
			return errf(err, errlen, "'--' must be followed by a command to trace");
		o->cmd = argv + optind;
	} else if (role == ROLE_TRACE && optind < argc && !o->interval && argc - optind <= 2) {
		/* bcc's bare trailing "INTERVAL [COUNT]": read as --interval and --count */
		if (optdef_parse(find("interval", role), o, argv[optind], err, errlen) ||
		    (optind + 1 < argc &&
		     optdef_parse(find("count", role), o, argv[optind + 1], err, errlen)))
			return -1;
	} else if (optind < argc) {
		return errf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	}
	if (role == ROLE_TRACE &&
	    (interval_check(o, err, errlen) || exporter_check(o, err, errlen) ||
	     role_check(o, given, err, errlen)))
		return -1;
	/* A5 is the pair "sendfile sender + mapping receiver": the client
	 * maps unless told --rx copy (the server has no --rx). */
	if (o->impl == IMPL_A5 && !o->rx_given && role != ROLE_SERVER)
		o->rx = RX_ZEROCOPY;
	if (o->impl == IMPL_A5 && o->slots)
		return errf(err, errlen,
			    "--slots applies to a3 and a4; a5 has no slots (its pages "
			    "leave the memfd once sent)");
	if (a6_check(o, err, errlen))
		return -1;
	return role == ROLE_TRACE ? trace_target_check(o, err, errlen) : 0;
}

/* --help's columns: "  --name ARG" padded to 20, then the text, each of
 * its further lines under the first; a text that opens with a newline
 * starts under it (the name is too wide). */
#define HELP_COL 22

void opts_usage(FILE *f, enum ct_role role, const char *prog)
{
	fprintf(f, "usage: %s [options]\n", prog);
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		char left[64];
		if (!(d->roles & (1u << role)))
			continue;
		if (!d->name && !d->arg) { /* a paragraph of its own */
			fprintf(f, "%s\n", d->help);
			continue;
		}
		snprintf(left, sizeof(left), "%s%s%s%s", d->name ? "--" : "",
			 d->name ? d->name : "", d->name && d->arg ? " " : "",
			 d->arg ? d->arg : "");
		if (d->help[0] == '\n')
			fprintf(f, "  %s", left);
		else
			fprintf(f, "  %-*s  ", HELP_COL - 4, left);
		for (const char *p = d->help; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fprintf(f, "%*s", HELP_COL, "");
		}
		fputc('\n', f);
	}
	const char *ex = opt_examples(role);
	if (ex)
		fprintf(f, "\nEXAMPLES:\n%s", ex);
}
