// SPDX-License-Identifier: GPL-2.0-only
/* trace_run: runs one experiment (server + client through the runner), or
 * traces a program (-- COMMAND, --pid, --cgroup), under the copytrace eBPF
 * programs, and writes the report: the application figures, the function
 * table and the copy ledger. --compare alternates untraced and traced
 * runs; --check asserts the ledger against the application's own counts
 * (exit 3 on failure).
 *
 * One life cycle: parse, open (tracer, profiler, self-cost), trace, take
 * the snapshot, write it, close everything on one path. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "common/errf.h"
#include "common/hist.h"
#include "common/opts.h"
#include "common/outfile.h"
#include "common/version.h"
#include "profile/profiler.h"
#include "report/bycomm.h"
#include "report/exporter.h"
#include "report/ledger.h"
#include "report/take.h"
#include "report/writer.h"
#include "net/ktls.h"
#include "run/runner.h"
#include "trace/hooks.h"
#include "trace/kfacts.h"
#include "trace/selfcost.h"
#include "trace/target.h"
#include "trace/tracer.h"

/* --interval: a thread that, every S seconds of the wall clock (at its
 * multiples of S, so intervals line up with other per-second logs), takes
 * a snapshot of the running tracer and prints its difference from the
 * one before. The main stops it before it detaches, then prints the last
 * interval from the final read: the intervals add up to the total. */
struct ticker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, stop;
	long index;
	double prev_t;
	const struct ct_program *prog; /* tracing a program: its labels */
	struct ct_snapshot prev, cur, delta;
	struct ct_interval iv;
	double gone_since[CT_NSLOTS]; /* --exporter: when a slot's process was first seen gone */
	struct comm_carry carry; /* --exporter --by comm: names' sums of gone processes */
	struct selfcost cost; /* --exporter --bpf-stats: the programs' figures at the take */
};
/* --exporter: the published snapshot's age at most */
#define EXPORTER_TICK_S 1.0

/* Everything one trace_run owns, closed in one place. */
struct session {
	struct ct_opts o;
	FILE *out;
	struct tracer t;
	struct profiler prof;
	struct profiler *pp; /* NULL: --sample-freq 0 */
	struct selfcost cost;
	struct selfcost *cp; /* NULL: no --bpf-stats */
	int prof_opened, cost_opened;
	struct ct_snapshot snap;
	struct prof_data pd;
	struct time_ledger tl;
	struct ticker tick;
	struct exporter exp;
	int exp_opened;
	char err[768];
};

static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Prints the interval from the previous take to cur, taken at time t. */
static void tick_print(struct session *s, struct ct_snapshot *cur, double t, int last)
{
	struct ticker *k = &s->tick;
	memset(&k->iv, 0, sizeof(k->iv));
	k->iv.index = ++k->index;
	k->iv.start = k->prev_t;
	k->iv.end = t;
	k->iv.last = last;
	snapshot_delta(&k->delta, cur, &k->prev, &k->iv, &s->o);
	if (k->delta.nrow)
		writer_find(s->o.format)->write_interval(s->out, &k->delta);
	else
		fprintf(stderr, "trace_run: --interval %ld: out of memory, not printed\n",
			k->index);
	fflush(s->out);
	snapshot_copy(&k->prev, cur);
	k->prev_t = t;
}

/* --exporter: the tracer's own figures, processes gone past the grace
 * period hidden, then its exposition published. */
static void tick_publish(struct session *s, struct ct_snapshot *c, double t)
{
	struct ticker *k = &s->tick;
	uint64_t missed = 0;
	for (int f = 0; f < FN_COUNT; f++)
		missed += c->total[f].missed;
	c->dropped_events = missed + tracer_recursion_total(&s->t);
	c->by_comm = s->o.by_comm;
	for (int i = 0; i < CT_NSLOTS; i++) {
		if (!c->procs[i].p.tgid || c->alive[i] || i >= CT_SLOT_LATE)
			k->gone_since[i] = 0;
		else if (!k->gone_since[i])
			k->gone_since[i] = t;
		c->hidden[i] = k->gone_since[i] && t - k->gone_since[i] > CT_EXPORTER_GRACE_S;
	}
	if (c->by_comm && comm_carry_apply(&k->carry, c, &s->o))
		fprintf(stderr,
			"trace_run: --exporter --by comm: out of memory; a name's series may "
			"lack its exited processes\n");
	/* the exited processes' rows: those of the grace period only
	 * (snapshot_take_live) */
	if (exporter_publish(&s->exp, c))
		fprintf(stderr,
			"trace_run: --exporter: out of memory; /metrics serves the "
			"last published figures\n");
}

/* A take of the running tracer; with --exporter --bpf-stats, its
 * programs' run time as of the take too. */
static int tick_take(struct session *s, struct ct_snapshot *c, double t)
{
	struct ticker *k = &s->tick;
	c->prog = k->prog;
	c->cost = NULL;
	if (s->o.exporter && s->cp) {
		selfcost_now(s->cp, &k->cost);
		c->cost = &k->cost;
	}
	return snapshot_take_live(c, &s->o, &s->t, s->o.exporter != NULL, t);
}

static void *tick_main(void *arg)
{
	struct session *s = arg;
	struct ticker *k = &s->tick;
	double S = s->o.exporter ? EXPORTER_TICK_S : s->o.interval;
	/* wake on time on a busy host (the lowest real-time priority: it
	 * sleeps almost always); without the privilege, as it comes */
	struct sched_param sp = { .sched_priority = 1 };
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	pthread_mutex_lock(&k->mu);
	for (;;) {
		double next = (floor(now_real() / S) + 1) * S;
		struct timespec dl = { (time_t)next, (long)((next - floor(next)) * 1e9) };
		while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &dl) != ETIMEDOUT)
			;
		if (k->stop)
			break;
		/* the interval ends where the read starts: what is sent while the
		 * cells are read falls on either side, as a per-CPU read must */
		double t = now_real();
		if (tick_take(s, &k->cur, t))
			continue; /* no memory: the next tick's read covers this one */
		if (s->o.exporter)
			tick_publish(s, &k->cur, t);
		else
			tick_print(s, &k->cur, t, 0);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/* Right after attach: the first take (all zero but the processes), then
 * the thread. 0, or -1 with why. */
static int tick_start(struct session *s, const struct ct_program *prog)
{
	struct ticker *k = &s->tick;
	if (!s->o.interval && !s->o.exporter)
		return 0;
	k->prog = prog;
	double t0 = now_real();
	if (tick_take(s, &k->prev, t0))
		return errf(s->err, sizeof(s->err), "--interval: out of memory");
	if (s->o.exporter) /* a scrape right after the start has its series */
		tick_publish(s, &k->prev, t0);
	else
		k->prev_t = t0;
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_REALTIME);
	pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	k->stop = 0;
	/* the thread leaves every signal to the main (target_wait's handlers) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int bad = pthread_create(&k->th, NULL, tick_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (bad)
		return errf(s->err, sizeof(s->err), "--interval: cannot start its thread");
	k->started = 1;
	return 0;
}

/* Before detach: stops the thread (an interval being printed finishes). */
static void tick_stop(struct session *s)
{
	struct ticker *k = &s->tick;
	if (!k->started)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->th, NULL);
	k->started = 0;
}

/* The runner's hooks: attach right before the sides start, detach after. */
static int before_start(void *arg, const struct run_targets *tg)
{
	struct session *s = arg;
	struct trace_filter f = {
		.npids = 2, .cgroup_fd = -1, .per_conn = s->o.per_conn, .uprobe_exe = tg->exe
	};
	f.pids[CT_SERVER] = tg->server_pid;
	f.pids[CT_CLIENT] = tg->client_pid;
	snprintf(f.comms[CT_SERVER], sizeof(f.comms[0]), "server");
	snprintf(f.comms[CT_CLIENT], sizeof(f.comms[0]), "client");
	if (s->cp)
		selfcost_begin(s->cp, tracer_object(&s->t), profile_object(s->pp));
	if (tracer_attach(&s->t, &f, s->err, sizeof(s->err)))
		return -1;
	if (s->pp && profile_attach(s->pp, -1, s->err, sizeof(s->err))) {
		tracer_detach(&s->t);
		return -1;
	}
	return tick_start(s, NULL);
}

static void detach_all(struct session *s)
{
	if (s->exp_opened) /* no scrape is served once this returns */
		exporter_close(&s->exp);
	s->exp_opened = 0;
	tick_stop(s);
	tracer_detach(&s->t);
	if (s->pp)
		profile_detach(s->pp);
}

static void after_end(void *arg)
{
	struct session *s = arg;
	detach_all(s);
	if (s->cp)
		selfcost_end(s->cp);
}

/* --role server at a terminal: where the peer is to connect. Not when
 * stderr is a file: a failure there stays one line. */
static void listening(void *arg)
{
	struct session *s = arg;
	const struct ct_opts *o = &s->o;
	if (o->host_role != HOST_SERVER || !isatty(2))
		return;
	fprintf(stderr,
		"trace_run: listening on %s port %u for %g s; on the peer: build/client "
		"--connect THIS-HOST --port %u --impl %s --size %zu --mode %s --threads %d%s\n",
		o->addr, o->port, o->peer_timeout, o->port, impl_name(o->impl), o->size,
		mode_name(o->mode), o->threads, o->verify ? " --verify" : "");
}

/* One traced run of the experiment; 0, or -1 with why in s->err. */
static int traced_run(struct session *s, struct run_result *r)
{
	struct run_hooks hooks = { .before_start = before_start,
				   .after_end = after_end,
				   .arg = s,
				   .listening = listening };
	char err[512];
	s->err[0] = 0;
	int rc = runner_run(&s->o, &hooks, r, err, sizeof(err));
	detach_all(s); /* also when the runner failed before after_end */
	if (rc && !s->err[0])
		snprintf(s->err, sizeof(s->err), "%s", err);
	return rc;
}

/* The profiler's part: samples read and symbolized, the time ledger.
 * 0, or -1 with why in s->err. */
static int profile_finish(struct session *s)
{
	if (!s->pp)
		return 0;
	if (profile_read(s->pp, &s->pd, s->err, sizeof(s->err)))
		return -1;
	/* tracing a program, a slot is reused by the processes that come and
	 * go: the time ledger's rows are the processes themselves */
	s->snap.tl_procs = s->snap.prog != NULL;
	if (s->snap.tl_procs && tl_by_process(s->pd.st, s->pd.n, s->snap.tl_pid, CT_NSLOTS) < 0)
		return errf(s->err, sizeof(s->err), "out of memory building the time ledger");
	if (tl_build(&s->tl, s->pd.st, s->pd.n, s->pd.period_ns))
		return errf(s->err, sizeof(s->err), "out of memory building the time ledger");
	s->snap.prof = &s->pd;
	s->snap.tl = &s->tl;
	return 0;
}

/* --folded and --flamegraph: the stacks of the (last) traced run. */
static int write_stacks(struct session *s)
{
	const char *path[2] = { s->o.folded, s->o.flamegraph };
	const struct report_writer *w[2] = { &writer_folded, &writer_svg };
	for (int k = 0; k < 2; k++) {
		if (!path[k] || !s->snap.prof)
			continue;
		/* created at the first write, no symlink, the user's (outfile.c) */
		FILE *f = outfile_for(&s->o, path[k], s->err, sizeof(s->err));
		if (!f)
			return -1;
		int bad = w[k]->write(f, &s->snap);
		if (fclose(f) || bad)
			return errf(s->err, sizeof(s->err), "writing %s failed", path[k]);
	}
	return 0;
}

/* The whole run's report; with --interval --format json on one line, so
 * that the output stays JSON Lines (the writer's line breaks are all
 * outside strings, which escape theirs). */
static void write_report(struct session *s)
{
	const struct report_writer *w = writer_find(s->o.format);
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	if (!s->o.interval || strcmp(s->o.format, "json") || !(m = open_memstream(&buf, &len))) {
		w->write(s->out, &s->snap);
		return;
	}
	w->write(m, &s->snap);
	fclose(m);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\n')
			fputc(buf[i], s->out);
	fputc('\n', s->out);
	free(buf);
}

/* Snapshot, profiler, report; 0, or -1 (the report is written even when
 * the profiler's part failed, as it always was). */
static int report(struct session *s)
{
	s->snap.cost = s->cp;
	int bad = profile_finish(s);
	if (snapshot_take(&s->snap, &s->o, &s->t))
		return errf(s->err, sizeof(s->err), "out of memory taking the report");
	if (s->o.interval && s->tick.prev_t) /* --interval: the last one, to the end */
		tick_print(s, &s->snap, now_real(), 1);
	if (!bad)
		bad = write_stacks(s);
	write_report(s);
	fflush(s->out);
	return bad ? -1 : 0;
}

/* Tracing a program: attach (tracer, then profiler), start the command
 * (if any), wait for the end, report. Returns the exit status: the
 * command's, or 0; 1 when the tracer fails, 2 on bad input, 127 when the
 * command cannot be executed. */
static int trace_program(struct session *s)
{
	static struct ct_target tg;
	static struct ct_program prog;
	struct trace_filter f;
	int rc = 0;
	if (target_prepare(&tg, &s->o, &f, &prog, s->err, sizeof(s->err))) {
		rc = 2;
		goto out;
	}
	/* --exporter: listening before anything attaches, so that a busy
	 * port costs nothing */
	if (s->o.exporter) {
		if (exporter_open(&s->exp, s->o.exp_addr, s->o.exp_port, s->err, sizeof(s->err))) {
			rc = 1;
			goto out;
		}
		s->exp_opened = 1;
	}
	if (s->cp)
		selfcost_begin(s->cp, tracer_object(&s->t), profile_object(s->pp));
	if (tracer_attach(&s->t, &f, s->err, sizeof(s->err)) ||
	    /* --pid: the listed processes' descendants join */
	    target_attached(&tg, &s->t, s->err, sizeof(s->err)) ||
	    /* the held child is in the tasks map now: its exec is recorded */
	    (s->pp && profile_attach(s->pp, f.cgroup_fd, s->err, sizeof(s->err)))) {
		rc = 1;
		goto out;
	}
	if (tick_start(s, &prog)) {
		rc = 1;
		goto out;
	}
	if (target_start(&tg, &s->o, s->err, sizeof(s->err))) {
		rc = 127;
		goto out;
	}
	if (s->o.exporter)
		fprintf(stderr,
			"trace_run: tracing %s %s, metrics on http://%s%s%s:%u/metrics; "
			"Ctrl-C to stop\n",
			s->o.all ? "every process" : prog.mode, s->o.all ? "(--all)" : prog.what,
			strchr(s->o.exp_addr, ':') ? "[" : "", s->o.exp_addr,
			strchr(s->o.exp_addr, ':') ? "]" : "", s->o.exp_port);
	else if (!s->o.cmd)
		fprintf(stderr, "trace_run: tracing %s %s%s; Ctrl-C to stop\n", prog.mode,
			prog.what, s->o.duration_given ? " for --duration" : "");
	target_wait(&tg, &s->o, &runner_stop, &prog);
	detach_all(s);
	if (s->cp)
		selfcost_end(s->cp);
	target_close(&tg);
	s->snap.prog = &prog;
	if (report(s))
		return 1;
	s->err[0] = 0;
	return prog.exit_status >= 0 ? prog.exit_status : 0;
out:
	detach_all(s);
	target_close(&tg);
	return rc;
}

/* The experiment: one traced run, or --compare's untraced/traced pairs;
 * then the report and --check. Returns 0, 1 (failed), 3 (--check failed)
 * or 130 (interrupted). */
static int trace_experiment(struct session *s)
{
	static struct run_result run, tmp;
	static struct ct_compare cmp;
	int rc = 0;
	for (int i = 0; s->o.compare && i < s->o.repeat && !runner_stop && !rc; i++) {
		if (runner_run(&s->o, NULL, &tmp, s->err, sizeof(s->err)) || runner_stop ||
		    traced_run(s, &run)) {
			rc = -1;
			break;
		}
		for (int w = 0; w < 2; w++) {
			const struct side_result *c = w ? &run.client : &tmp.client;
			cmp.gbps[w][cmp.pairs] = run_gbps(c);
			cmp.p50_us[w][cmp.pairs] = hist_quantile(&c->lat, .5) / 1e3;
			cmp.p99_us[w][cmp.pairs] = hist_quantile(&c->lat, .99) / 1e3;
		}
		cmp.pairs++;
	}
	if (!s->o.compare)
		rc = traced_run(s, &run);
	/* --role: Ctrl-C ends the side cleanly (the client drains, the server
	 * finishes its message), and its traffic so far is reported */
	int stopped = runner_stop && s->o.host_role && !rc;
	if (runner_stop && !stopped) {
		snprintf(s->err, sizeof(s->err),
			 "interrupted; every program detached and every "
			 "child reaped");
		return 130;
	}
	if (rc)
		return 1;
	s->snap.run = &run;
	s->snap.cmp = s->o.compare ? &cmp : NULL;
	rc = report(s) ? 1 : 0;
	int skipped = 0, bad = s->o.check ? ledger_check(&s->snap, stderr, &skipped) : 0;
	if (skipped)
		fprintf(stderr,
			"trace_run: --check: %d invariant(s) cannot be checked with the %s "
			"backend on this kernel (listed above); the others %s\n",
			skipped, s->snap.backend, bad ? "were checked" : "hold");
	if (rc)
		return 1;
	s->err[0] = 0;
	if (stopped && !bad) {
		snprintf(s->err, sizeof(s->err),
			 "interrupted; the report covers the traffic until "
			 "then");
		return 130;
	}
	if (bad)
		snprintf(s->err, sizeof(s->err), "--check: %d invariant(s) failed", bad);
	return bad ? 3 : 0;
}

/* --kernel-facts: what this kernel offers the tracer, as the hook plan's
 * tests record it. */
static int print_facts(struct session *s)
{
	static struct kernel_facts kf;
	if (tracer_facts(&kf, s->err, sizeof(s->err)))
		return 1;
	kfacts_write(s->out, &kf);
	return 0;
}

/* --version: the build, the libbpf it runs with, and (as root) which
 * backends this kernel offers, each with why not when not. */
static int print_version(void)
{
	static struct kernel_facts kf;
	static struct hook_plan plan;
	char why[256];
	struct utsname u;
	version_print(stdout, "trace_run");
	printf("libbpf %s\n", libbpf_version_string());
	const char *rel = uname(&u) ? "?" : u.release;
	const char *btf = access("/sys/kernel/btf/vmlinux", R_OK) ? "no" : "yes";
	if (geteuid()) {
		printf("kernel %s: BTF %s; backends: run as root to probe them\n", rel, btf);
		return 0;
	}
	if (tracer_facts(&kf, why, sizeof(why))) {
		printf("kernel %s: %s\n", rel, why);
		return 0;
	}
	printf("kernel %s: BTF %s; backends:", rel, btf);
	for (int b = 0; b < BK_COUNT; b++) {
		int ok = !hooks_plan(&kf, (enum ct_backend)b, 0, &plan, why, sizeof(why));
		printf("\n  %-10s %s%s", backend_name((enum ct_backend)b),
		       ok ? "usable" : "not usable: ", ok ? "" : why);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static struct session s;
	int rc = opts_parse(&s.o, ROLE_TRACE, argc, argv, s.err, sizeof(s.err));
	if (rc == 1) {
		opts_usage(stdout, ROLE_TRACE, argv[0]);
		return 0;
	}
	if (rc == 2)
		return print_version();
	if (rc) {
		fprintf(stderr, "trace_run: %s\n", s.err);
		return 2;
	}
	if (s.o.compare && s.o.repeat > CT_MAX_PAIRS)
		s.o.repeat = CT_MAX_PAIRS;
	s.out = stdout;
	/* created at the first write, no symlink, the user's (outfile.c) */
	if (s.o.output && !(s.out = outfile_for(&s.o, s.o.output, s.err, sizeof(s.err)))) {
		fprintf(stderr, "trace_run: --output: %s\n", s.err);
		return 2;
	}
	if (outfile_check_opts(&s.o, s.err, sizeof(s.err))) {
		fprintf(stderr, "trace_run: %s\n", s.err);
		if (s.out != stdout)
			fclose(s.out);
		return 2;
	}
	runner_install_signals();
	s.pp = s.o.sample_hz ? &s.prof : NULL;
	s.cp = s.o.bpf_stats ? &s.cost : NULL;
	int program = s.o.cmd || s.o.pids || s.o.cgroup;
	unsigned flags = s.o.no_systime ? CT_TR_NO_SYSTIME : 0;
	/* A foreign program: no ct_gather to probe, and it may use
	 * MSG_ZEROCOPY. Of the experiments, only a3 (MSG_ZEROCOPY) and a4
	 * (io_uring SEND_ZC) pin pages: the zerocopy-only tracepoint hooks
	 * (completions, the per-packet deferred-copy inference) are loaded
	 * for them alone; a note says so, and MSG_ZEROCOPY sends seen at
	 * syscall entry without them are reported. */
	if (program)
		flags |= CT_TR_NO_UPROBE | CT_TR_ZC_HOOKS;
	if (s.o.impl == IMPL_A3 || s.o.impl == IMPL_A4)
		flags |= CT_TR_ZC_HOOKS;
	if (s.o.exporter)
		flags |= CT_TR_LEAN;

	if (s.o.kernel_facts) {
		rc = print_facts(&s);
		goto cleanup;
	}
	rc = 1;
	/* a6: kTLS is there (its first use loads tls.ko) before the hook plan
	 * looks for tls.ko's functions; else one line, before any BPF */
	if (s.o.impl_given && s.o.impl == IMPL_A6 && ktls_probe(s.err, sizeof(s.err))) {
		char why[sizeof(s.err)];
		snprintf(why, sizeof(why), "%s", s.err);
		snprintf(s.err, sizeof(s.err), "--impl a6: %.*s", (int)sizeof(why) - 16, why);
		goto cleanup;
	}
	if (tracer_open(&s.t, s.o.backend, flags, s.err, sizeof(s.err)))
		goto cleanup;
	/* The profiler: its own object, sampling the tasks the tracer traces
	 * (its `tasks` map); user symbols come from the mappings snapshot at
	 * attach and the mmap side-band read during the trace. */
	s.prof_opened = s.pp != NULL;
	if (s.pp &&
	    profile_open(s.pp, s.o.sample_hz, tracer_tasks_fd(&s.t), program, s.err, sizeof(s.err)))
		goto cleanup;
	/* --bpf-stats: on from here; the kernel turns them off when the fd
	 * closes, however trace_run ends */
	s.cost_opened = s.cp != NULL;
	if (s.cp && selfcost_open(s.cp, s.err, sizeof(s.err)))
		goto cleanup;
	rc = program ? trace_program(&s) : trace_experiment(&s);

cleanup:
	if (s.err[0])
		fprintf(stderr, "trace_run: %s\n", s.err);
	if (s.cost_opened)
		selfcost_close(s.cp);
	snapshot_free(&s.snap);
	snapshot_free(&s.tick.prev);
	snapshot_free(&s.tick.cur);
	snapshot_free(&s.tick.delta);
	comm_carry_free(&s.tick.carry);
	if (s.prof_opened) {
		prof_data_free(&s.pd);
		profile_close(s.pp);
	}
	tracer_close(&s.t);
	if (s.out != stdout && fclose(s.out) && rc != 130) {
		fprintf(stderr, "trace_run: writing %s failed\n", s.o.output);
		rc = 1;
	}
	return rc;
}
