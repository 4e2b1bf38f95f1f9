/* trace_run: runs one experiment (server + client through the runner) under
 * the copytrace eBPF programs and prints the application figures, the
 * per-function attribution and the per-message copy ledger.
 * --compare alternates untraced and traced runs; --check asserts the
 * ledger against the application's own counts (exit 3 on failure). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/errf.h"
#include "common/hist.h"
#include "flamegraph.h"
#include "folded.h"
#include "ledger.h"
#include "report.h"
#include "common/opts.h"
#include "probe.h"
#include "profiler.h"
#include "run/runner.h"
#include "timeledger.h"
#include "tracer.h"

struct hook_ctx {
	struct tracer *t;
	struct profiler *prof; /* NULL: profiler off */
	char err[512];
	int attached;
};

static int before_start(void *arg, const struct run_targets *tg)
{
	struct hook_ctx *h = arg;
	if (tracer_attach(h->t, tg, h->err, sizeof(h->err)))
		return -1;
	h->attached = 1;
	if (h->prof && profile_attach(h->prof, tg, h->err, sizeof(h->err))) {
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
}

static int traced_run(struct tracer *t, struct profiler *prof, const struct ct_opts *o,
		      struct run_result *r, char *err, size_t errlen)
{
	struct hook_ctx h = { .t = t, .prof = prof };
	struct run_hooks hooks = { before_start, after_end, &h };
	int rc = runner_run(o, &hooks, r, err, errlen);
	tracer_detach(t); /* also when the runner failed before after_end */
	if (prof)
		profile_detach(prof);
	if (rc && h.err[0])
		snprintf(err, errlen, "%s", h.err);
	return rc;
}

/* The profiler's flags, taken out before the shared option parser. */
#define PROF_MAX_HZ 20000
struct prof_opts {
	unsigned hz;        /* 0: profiler off */
	const char *folded; /* --folded FILE */
	const char *svg;    /* --flamegraph FILE */
};

/* Consumes argv[i] (and its value) when it is a profiler flag: returns the
 * arguments used, 0 when it is not one, -1 with err on a bad value. */
static int prof_opt(struct prof_opts *po, int argc, char **argv, int i, char *err, size_t n)
{
	const char *names[] = { "--sample-freq", "--folded", "--flamegraph" };
	int k = 0;
	while (k < 3 && strcmp(argv[i], names[k]))
		k++;
	if (k == 3)
		return 0;
	if (i + 1 >= argc || !argv[i + 1][0])
		return errf(err, n, "option '%s' needs a value", names[k]);
	const char *a = argv[i + 1];
	if (k == 0) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(a, &end, 10);
		if (errno || *end || end == a || a[0] == '-' || v > PROF_MAX_HZ)
			return errf(err, n, "--sample-freq must be 0 (off) or 1..%d samples per "
				    "second, not '%s'", PROF_MAX_HZ, a);
		po->hz = (unsigned)v;
	} else if (k == 1) {
		po->folded = a;
	} else {
		po->svg = a;
	}
	return 2;
}

/* --folded and --flamegraph: the cpu-clock stacks of the (last) traced run. */
static int prof_write(const struct prof_opts *po, const struct prof_data *pd,
		      const struct ct_opts *o, char *err, size_t n)
{
	if (!po->folded && !po->svg)
		return 0;
	struct folded_line *l;
	int nl = folded_lines(pd->st, pd->n, &l), rc = 0;
	if (nl < 0)
		return errf(err, n, "out of memory folding the stacks");
	const char *path[2] = { po->folded, po->svg };
	for (int k = 0; k < 2 && !rc; k++) {
		if (!path[k])
			continue;
		FILE *f = fopen(path[k], "w");
		if (!f) {
			rc = errf(err, n, "cannot write %s: %s", path[k], strerror(errno));
			break;
		}
		char title[160];
		snprintf(title, sizeof(title), "copytrace %s %zu B %s: CPU samples of the traced "
			 "tasks (%u Hz)", impl_name(o->impl), o->size, net_name(o->net), pd->freq_hz);
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

int main(int argc, char **argv)
{
	struct ct_opts o;
	char err[768];
	/* Tracer-only flags, taken out before the shared option parser. */
	unsigned trflags = 0;
	struct prof_opts po = { PROF_DEFAULT_HZ, NULL, NULL };
	int nargc = 0;
	for (int i = 0; i < argc; i++) {
		int used = i > 0 ? prof_opt(&po, argc, argv, i, err, sizeof(err)) : 0;
		if (used < 0) {
			fprintf(stderr, "trace_run: %s\n", err);
			return 2;
		}
		if (used) {
			i += used - 1;
			continue;
		}
		if (i > 0 && !strcmp(argv[i], "--no-syscall-time"))
			trflags |= CT_TR_NO_SYSTIME;
		else
			argv[nargc++] = argv[i];
	}
	argv[nargc] = NULL;
	argc = nargc;
	if ((po.folded || po.svg) && !po.hz) {
		fprintf(stderr, "trace_run: --folded and --flamegraph need the profiler (--sample-freq > 0)\n");
		return 2;
	}
	int rc = opts_parse(&o, ROLE_TRACE, argc, argv, err, sizeof(err));
	if (rc == 1) {
		opts_usage(ROLE_TRACE, argv[0]);
		printf("  --sample-freq HZ    CPU profiler samples per second and CPU, 1..%d, 0: off\n"
		       "                      (default %d)\n"
		       "  --folded FILE       write the sampled stacks as folded lines (flamegraph.pl)\n"
		       "  --flamegraph FILE   write a flame graph (SVG) of the sampled stacks\n",
		       PROF_MAX_HZ, PROF_DEFAULT_HZ);
		printf("\nEXAMPLES:\n"
		       "  sudo ./trace_run --impl a2                  # where A2's bytes are copied\n"
		       "  sudo ./trace_run --impl a3 --net loopback   # zerocopy on loopback: the deferred copy\n"
		       "  sudo ./trace_run --impl a1 --size 256 --compare --repeat 5   # tracing overhead\n"
		       "  sudo ./trace_run --impl a3 --check --format json --output a3.json\n"
		       "  sudo ./trace_run --backend kprobe --impl a2 # force a backend\n");
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
		out = fopen(o.output, "w");
		if (!out) {
			fprintf(stderr, "trace_run: cannot write --output %s: %s\n", o.output,
				strerror(errno));
			return 2;
		}
	}
	runner_install_signals();

	static struct tracer t;
	/* Only a3 sends with MSG_ZEROCOPY: the zerocopy-only tracepoint hooks
	 * (completions, the per-packet deferred-copy inference) are loaded for
	 * it alone; a note says so, and MSG_ZEROCOPY sends seen at syscall entry
	 * without them are reported. */
	if (o.impl == IMPL_A3)
		trflags |= CT_TR_ZC_HOOKS;
	if (tracer_open(&t, o.backend, trflags, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		tracer_close(&t);
		return 1;
	}
	/* The profiler: its own object; -1 = its own tasks map, filled from
	 * the run's pids (the tracer's map fd once the tracer has one). */
	static struct profiler prof;
	struct profiler *pp = po.hz ? &prof : NULL;
	if (pp && profile_open(pp, po.hz, -1, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		profile_close(pp);
		tracer_close(&t);
		return 1;
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
			if (runner_stop || traced_run(&t, pp, &o, &run, err, sizeof(err))) {
				rc = -1;
				break;
			}
			cmp.gbps[1][cmp.pairs] = run_gbps(&run.client);
			cmp.p50_us[1][cmp.pairs] = hist_quantile(&run.client.lat, .5) / 1e3;
			cmp.p99_us[1][cmp.pairs] = hist_quantile(&run.client.lat, .99) / 1e3;
			cmp.pairs++;
		}
	} else {
		rc = traced_run(&t, pp, &o, &run, err, sizeof(err));
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
	rep.o = &o;
	rep.t = &t;
	rep.run = &run;
	rep.cmp = o.compare ? &cmp : NULL;
	struct utsname u;
	snprintf(rep.kernel, sizeof(rep.kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	tracer_read(&t, rep.stats);
	tracer_note_misses(&t);
	ledger_build(&rep);
	static struct prof_data pd;
	static struct time_ledger tl;
	if (pp && (profile_read(pp, &pd, err, sizeof(err)) ||
		   tl_build(&tl, pd.st, pd.n, pd.period_ns) ||
		   prof_write(&po, &pd, &o, err, sizeof(err)))) {
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
