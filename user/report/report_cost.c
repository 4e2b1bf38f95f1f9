/* --bpf-stats' part of each trace_run writer: the tracer's own BPF run
 * time (selfcost.h) per program, per message (--impl) and as a share of
 * the traced CPU time (the run's rusage with --impl; the profiler's
 * samples tracing a program, when it is on). */
#include <string.h>

#include "common/result.h"
#include "ledger.h"
#include "writer.h"
#include "trace/selfcost.h"
#include "profile/stack.h"

/* The traced CPU time in ns, or 0 when unknown. */
static double traced_cpu_ns(const struct ct_report *r)
{
	if (r->run)
		return 1e9 * (r->run->server.cpu_user_s + r->run->server.cpu_sys_s +
			      r->run->client.cpu_user_s + r->run->client.cpu_sys_s);
	if (r->prof && r->prof->enabled)
		return (double)r->prof->stats[PS_KEPT] * (double)r->prof->period_ns;
	return 0;
}

/* Programs that ran, most time first (indexes into s->p). */
static int by_time(const struct selfcost *s, int *v)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		if (s->p[i].calls)
			v[n++] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && s->p[v[j]].ns > s->p[v[j - 1]].ns; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

void report_cost_table(FILE *f, const struct ct_report *r)
{
	const struct selfcost *s = r->cost;
	if (!s)
		return;
	double msgs = (double)r->ledger.messages, cpu = traced_cpu_ns(r);
	fprintf(f, "\ntracer cost (--bpf-stats: the kernel's run time of trace_run's BPF programs "
		   "during the traced run;\n   the dispatch around them is not in it, so this is a "
		   "floor of the cost)\n");
	for (int prof = 0; prof < 2; prof++) {
		uint64_t ns, calls;
		selfcost_sum(s, prof, &ns, &calls);
		if (prof && !calls && !r->prof)
			continue;
		fprintf(f, "   %-9s %.1f ms in %llu runs", prof ? "profiler" : "tracer", ns / 1e6,
			U(calls));
		if (msgs)
			fprintf(f, ", %.0f ns per message", ns / msgs);
		if (cpu)
			fprintf(f, ", %.2f %% of the traced CPU time (%.2f s%s)", 100.0 * ns / cpu,
				cpu / 1e9, r->run ? "" : ", from the profiler's samples");
		fprintf(f, "\n");
	}
	if (!cpu) /* tracing a program: its CPU time is known from samples alone */
		fprintf(f, "   (no share of CPU time: %s)\n", r->prof && r->prof->enabled ?
			"the profiler kept no sample of the traced processes" :
			"a program's CPU time is known from the profiler's samples, and it is off");
	int v[SC_MAX_PROGS], n = by_time(s, v);
	fprintf(f, "   %-22s %12s %10s %10s\n", "program", "runs", "ns/run", msgs ? "ns/msg" : "ms");
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		fprintf(f, "   %-22s %12llu %10.0f %10.*f\n", p->name, U(p->calls),
			(double)p->ns / (double)p->calls, msgs ? 0 : 1,
			msgs ? p->ns / msgs : p->ns / 1e6);
	}
}

void report_cost_json(FILE *f, const struct ct_report *r)
{
	const struct selfcost *s = r->cost;
	fprintf(f, ",\n  \"bpf_stats\": ");
	if (!s) {
		fprintf(f, "null");
		return;
	}
	double msgs = (double)r->ledger.messages, cpu = traced_cpu_ns(r);
	uint64_t ns[2], calls[2];
	selfcost_sum(s, 0, &ns[0], &calls[0]);
	selfcost_sum(s, 1, &ns[1], &calls[1]);
	fprintf(f, "{\"tracer_ns\": %llu, \"tracer_runs\": %llu, \"profiler_ns\": %llu, "
		   "\"profiler_runs\": %llu, \"traced_cpu_ns\": ", U(ns[0]), U(calls[0]), U(ns[1]),
		U(calls[1]));
	if (cpu)
		fprintf(f, "%.0f", cpu);
	else
		fprintf(f, "null");
	fprintf(f, ", \"tracer_ns_per_msg\": ");
	if (msgs)
		fprintf(f, "%.1f", ns[0] / msgs);
	else
		fprintf(f, "null");
	fprintf(f, ", \"programs\": [");
	int v[SC_MAX_PROGS], n = by_time(s, v);
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_str(f, p->name);
		fprintf(f, ", \"profiler\": %s, \"runs\": %llu, \"ns\": %llu}",
			p->profiler ? "true" : "false", U(p->calls), U(p->ns));
	}
	fprintf(f, "]}");
}

void report_cost_csv(FILE *f, const struct ct_report *r)
{
	const struct selfcost *s = r->cost;
	if (!s)
		return;
	int v[SC_MAX_PROGS], n = by_time(s, v);
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		csv_prefix(f, r, "bpf_stats");
		/* side: tracer or profiler; calls: runs; ns: BPF run time;
		 * value: ns per run */
		fprintf(f, "%s,%s,BPF_ENABLE_STATS,%llu,,%llu,,,,,%.1f\n",
			p->profiler ? "profiler" : "tracer", p->name, U(p->calls), U(p->ns),
			(double)p->ns / (double)p->calls);
	}
}
