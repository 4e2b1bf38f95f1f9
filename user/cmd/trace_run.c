/* trace_run: runs one experiment (server + client through the runner) under
 * the copytrace eBPF programs and prints the application figures, the
 * per-function attribution and the per-message copy ledger.
 * --compare alternates untraced and traced runs; --check asserts the
 * ledger against the application's own counts (exit 3 on failure).
 * With -- COMMAND, --pid or --cgroup it traces that program instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/errf.h"
#include "common/hist.h"
#include "common/outfile.h"
#include "report/flamegraph.h"
#include "report/folded.h"
#include "report/ledger.h"
#include "report/writer.h"
#include "trace/selfcost.h"
#include "common/opts.h"
#include "trace/probe.h"
#include "profile/profiler.h"
#include "run/runner.h"
#include "trace/target.h"
#include "report/timeledger.h"
#include "trace/tracer.h"

struct hook_ctx {
	struct tracer *t;
	int per_conn;
	struct profiler *prof; /* NULL: profiler off */
	struct selfcost *cost; /* NULL: no --bpf-stats */
	char err[512];
	int attached;
};

static int before_start(void *arg, const struct run_targets *tg)
{
	struct hook_ctx *h = arg;
	struct trace_filter f;
	tracer_filter_run(&f, tg);
	f.per_conn = h->per_conn;
	if (h->cost)
		selfcost_begin(h->cost, tracer_object(h->t), profile_object(h->prof));
	if (tracer_attach(h->t, &f, h->err, sizeof(h->err)))
		return -1;
	h->attached = 1;
	if (h->prof && profile_attach(h->prof, -1, h->err, sizeof(h->err))) {
		tracer_detach(h->t);
		return -1;
	}
	return 0;
}

static void after_end(void *arg)
{
	struct hook_ctx *h = arg;
	tracer_detach(h->t);
	if (h->prof)
		profile_detach(h->prof);
	if (h->cost)
		selfcost_end(h->cost);
}

static int traced_run(struct tracer *t, struct profiler *prof, struct selfcost *cost,
		      const struct ct_opts *o, struct run_result *r, char *err, size_t errlen)
{
	struct hook_ctx h = { .t = t, .per_conn = o->per_conn, .prof = prof, .cost = cost };
	struct run_hooks hooks = { before_start, after_end, &h };
	int rc = runner_run(o, &hooks, r, err, errlen);
	tracer_detach(t); /* also when the runner failed before after_end */
	if (prof)
		profile_detach(prof);
	if (rc && h.err[0])
		snprintf(err, errlen, "%s", h.err);
	return rc;
}

/* --folded and --flamegraph: the cpu-clock stacks of the (last) traced run
 * (prog: tracing a program, else NULL). */
static int prof_write(const struct ct_opts *o, const struct ct_program *prog,
		      const struct prof_data *pd, char *err, size_t n)
{
	if (!o->folded && !o->flamegraph)
		return 0;
	struct folded_line *l;
	int nl = folded_lines(pd->st, pd->n, &l), rc = 0;
	if (nl < 0)
		return errf(err, n, "out of memory folding the stacks");
	const char *path[2] = { o->folded, o->flamegraph };
	for (int k = 0; k < 2 && !rc; k++) {
		if (!path[k])
			continue;
		FILE *f = outfile_for(o, path[k], err, n); /* common/outfile.c */
		if (!f) {
			rc = -1;
			break;
		}
		char title[160];
		if (prog)
			snprintf(title, sizeof(title), "copytrace %s %.80s: CPU samples of the traced "
				 "processes (%u Hz)", prog->mode, prog->what, pd->freq_hz);
		else
			snprintf(title, sizeof(title), "copytrace %s %zu B %s: CPU samples of the traced "
				 "tasks (%u Hz)", impl_name(o->impl), o->size, net_name(o->net),
				 pd->freq_hz);
		int w = k ? flamegraph_write(f, l, nl, title) : folded_write(f, l, nl);
		if (fclose(f) || w)
			rc = errf(err, n, "writing %s failed", path[k]);
	}
	folded_free(l, nl);
	return rc;
}

/* The writer --format names (opts.c accepts only these three). */
static void report_print(FILE *f, const struct ct_report *r)
{
	if (!strcmp(r->o->format, "json"))
		report_json(f, r);
	else if (!strcmp(r->o->format, "csv"))
		report_csv(f, r);
	else
		report_table(f, r);
}

static void report_fill(struct ct_report *rep, const struct ct_opts *o, struct tracer *t)
{
	rep->o = o;
	rep->t = t;
	struct utsname u;
	snprintf(rep->kernel, sizeof(rep->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	tracer_read(t, rep->stats);
	tracer_note_misses(t);
	unsigned long long over = tracer_procs(t, rep->procs);
	if (rep->prog)
		((struct ct_program *)rep->prog)->overflow = over;
	if (o->per_conn)
		rep->nconns = tracer_conns(t, rep->conns, CT_MAX_CONNS);
	ledger_build(rep);
}

/* The profiler's part of the report: samples read and symbolized, the
 * time ledger, --folded/--flamegraph. 0, or -1 with why in err. */
static int profile_finish(struct profiler *pp, const struct ct_opts *o,
			  const struct ct_program *prog, struct prof_data *pd,
			  struct time_ledger *tl, char *err, size_t n)
{
	if (profile_read(pp, pd, err, n))
		return -1;
	if (tl_build(tl, pd->st, pd->n, pd->period_ns))
		return errf(err, n, "out of memory building the time ledger");
	return prof_write(o, prog, pd, err, n);
}

/* Tracing a program: attach (tracer, then profiler), start the command
 * (if any), wait for the end, report. Returns the exit status: the
 * command's, or 0; 1 when the tracer fails, 127 when the command cannot
 * be executed. */
static int trace_program(struct tracer *t, struct profiler *pp, struct selfcost *cost,
			 const struct ct_opts *o, FILE *out)
{
	static struct ct_target tg;
	static struct ct_program prog;
	static struct ct_report rep;
	static struct prof_data pd;
	static struct time_ledger tl;
	struct trace_filter f;
	char err[768];
	if (target_prepare(&tg, o, &f, &prog, err, sizeof(err))) {
		target_close(&tg);
		fprintf(stderr, "trace_run: %s\n", err);
		return 2;
	}
	if (cost)
		selfcost_begin(cost, tracer_object(t), profile_object(pp));
	int rc = tracer_attach(t, &f, err, sizeof(err));
	/* --pid: the listed processes' descendants join (target.c) */
	if (rc == 0 && target_attached(&tg, t, err, sizeof(err)))
		rc = -1;
	/* the held child is in the tasks map now: its exec is recorded */
	if (rc == 0 && pp && profile_attach(pp, f.cgroup_fd, err, sizeof(err)))
		rc = -1;
	if (rc == 0 && target_start(&tg, o, err, sizeof(err)))
		rc = 127;
	if (rc) {
		tracer_detach(t);
		if (pp)
			profile_detach(pp);
		target_close(&tg);
		fprintf(stderr, "trace_run: %s\n", err);
		return rc < 0 ? 1 : rc;
	}
	if (!o->cmd)
		fprintf(stderr, "trace_run: tracing %s %s%s; Ctrl-C to stop\n", prog.mode, prog.what,
			o->duration_given ? " for --duration" : "");
	target_wait(&tg, o, &runner_stop, &prog);
	tracer_detach(t);
	if (pp)
		profile_detach(pp);
	if (cost)
		selfcost_end(cost);
	target_close(&tg);
	rep.prog = &prog;
	rep.cost = cost;
	report_fill(&rep, o, t);
	int bad = 0;
	if (pp) {
		if (profile_finish(pp, o, &prog, &pd, &tl, err, sizeof(err))) {
			fprintf(stderr, "trace_run: %s\n", err);
			bad = 1;
		} else {
			rep.prof = &pd;
			rep.tl = &tl;
		}
	}
	report_print(out, &rep);
	fflush(out);
	if (pp)
		prof_data_free(&pd);
	if (bad)
		return 1;
	return prog.exit_status >= 0 ? prog.exit_status : 0;
}

int main(int argc, char **argv)
{
	struct ct_opts o;
	char err[768];
	int rc = opts_parse(&o, ROLE_TRACE, argc, argv, err, sizeof(err));
	if (rc == 1) {
		opts_usage(ROLE_TRACE, argv[0]);
		printf("\nEXAMPLES:\n"
		       "  sudo ./trace_run --impl a2                  # where A2's bytes are copied\n"
		       "  sudo ./trace_run --impl a3 --net loopback   # zerocopy on loopback: the deferred copy\n"
		       "  sudo ./trace_run --impl a1 --size 256 --compare --repeat 5   # tracing overhead\n"
		       "  sudo ./trace_run --impl a3 --check --format json --output a3.json\n"
		       "  sudo ./trace_run --backend kprobe --impl a2 # force a backend\n"
		       "  sudo ./trace_run -- iperf3 -c 10.0.0.2 -Z    # any program, its children too\n"
		       "  sudo ./trace_run --pid 1234 --duration 10   # a running process\n"
		       "  sudo ./trace_run --cgroup system.slice/nginx.service --per-connection\n");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 2;
	}
	if (o.compare && o.repeat > CT_MAX_PAIRS)
		o.repeat = CT_MAX_PAIRS;
	FILE *out = stdout;
	if (o.output) {
		/* created at the first write, no symlink, the user's (outfile.c) */
		out = outfile_for(&o, o.output, err, sizeof(err));
		if (!out) {
			fprintf(stderr, "trace_run: --output: %s\n", err);
			return 2;
		}
	}
	if (outfile_check_opts(&o, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 2;
	}
	runner_install_signals();

	static struct tracer t;
	unsigned trflags = o.no_systime ? CT_TR_NO_SYSTIME : 0;
	int program = o.cmd || o.pids || o.cgroup;
	/* a foreign program: no ct_gather to probe, and it may use MSG_ZEROCOPY */
	if (program)
		trflags |= CT_TR_NO_UPROBE | CT_TR_ZC_HOOKS;
	/* Only a3 (MSG_ZEROCOPY) and a4 (io_uring SEND_ZC) pin pages: the
	 * zerocopy-only tracepoint hooks (completions, the per-packet
	 * deferred-copy inference) are loaded for them alone; a note says so,
	 * and MSG_ZEROCOPY sends seen at syscall entry without them are
	 * reported. */
	if (o.impl == IMPL_A3 || o.impl == IMPL_A4)
		trflags |= CT_TR_ZC_HOOKS;
	if (tracer_open(&t, o.backend, trflags, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		tracer_close(&t);
		return 1;
	}
	/* The profiler: its own object, sampling the tasks the tracer traces
	 * (its `tasks` map); user symbols come from the mappings snapshot at
	 * attach and the mmap side-band read during the trace. */
	static struct profiler prof;
	struct profiler *pp = o.sample_hz ? &prof : NULL;
	if (pp && profile_open(pp, o.sample_hz, tracer_tasks_fd(&t), program, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		profile_close(pp);
		tracer_close(&t);
		return 1;
	}

	/* --bpf-stats: on from here; the kernel turns them off when the fd
	 * closes, however trace_run ends */
	static struct selfcost cost;
	struct selfcost *cp = o.bpf_stats ? &cost : NULL;
	if (cp && selfcost_open(cp, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		if (pp)
			profile_close(pp);
		tracer_close(&t);
		return 1;
	}

	if (program) {
		rc = trace_program(&t, pp, cp, &o, out);
		if (cp)
			selfcost_close(cp);
		if (pp)
			profile_close(pp);
		tracer_close(&t);
		if (out != stdout && fclose(out)) {
			fprintf(stderr, "trace_run: writing %s failed\n", o.output);
			return 1;
		}
		return rc;
	}

	static struct run_result run, tmp;
	static struct ct_compare cmp;
	rc = 0;
	if (o.compare) {
		for (int i = 0; i < o.repeat && !runner_stop; i++) {
			if (runner_run(&o, NULL, &tmp, err, sizeof(err))) {
				rc = -1;
				break;
			}
			cmp.gbps[0][cmp.pairs] = run_gbps(&tmp.client);
			cmp.p50_us[0][cmp.pairs] = hist_quantile(&tmp.client.lat, .5) / 1e3;
			cmp.p99_us[0][cmp.pairs] = hist_quantile(&tmp.client.lat, .99) / 1e3;
			if (runner_stop || traced_run(&t, pp, cp, &o, &run, err, sizeof(err))) {
				rc = -1;
				break;
			}
			cmp.gbps[1][cmp.pairs] = run_gbps(&run.client);
			cmp.p50_us[1][cmp.pairs] = hist_quantile(&run.client.lat, .5) / 1e3;
			cmp.p99_us[1][cmp.pairs] = hist_quantile(&run.client.lat, .99) / 1e3;
			cmp.pairs++;
		}
	} else {
		rc = traced_run(&t, pp, cp, &o, &run, err, sizeof(err));
	}
	if (runner_stop) {
		if (pp)
			profile_close(pp);
		tracer_close(&t);
		fprintf(stderr, "trace_run: interrupted; every program detached and every child reaped\n");
		if (out != stdout)
			fclose(out);
		return 130;
	}
	if (rc) {
		if (pp)
			profile_close(pp);
		tracer_close(&t);
		fprintf(stderr, "trace_run: %s\n", err);
		if (out != stdout)
			fclose(out);
		return 1;
	}

	static struct ct_report rep;
	rep.run = &run;
	rep.cmp = o.compare ? &cmp : NULL;
	rep.cost = cp;
	report_fill(&rep, &o, &t);
	static struct prof_data pd;
	static struct time_ledger tl;
	if (pp && profile_finish(pp, &o, NULL, &pd, &tl, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		rc = 1;
	}
	if (pp) {
		rep.prof = &pd;
		rep.tl = &tl;
	}
	report_print(out, &rep);
	fflush(out);
	int skipped = 0, bad = o.check ? ledger_check(&rep, stderr, &skipped) : 0;
	if (skipped)
		fprintf(stderr, "trace_run: --check: %d invariant(s) cannot be checked with the %s "
			"backend on this kernel (listed above); the others %s\n", skipped,
			backend_name(t.backend), bad ? "were checked" : "hold");
	if (pp) {
		prof_data_free(&pd);
		profile_close(pp);
	}
	tracer_close(&t);
	if (rc)
		return 1;
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "trace_run: writing %s failed\n", o.output);
		return 1;
	}
	if (bad) {
		fprintf(stderr, "trace_run: --check: %d invariant(s) failed\n", bad);
		return 3;
	}
	return 0;
}
