/* The time ledger's part of each trace_run writer (table, JSON, CSV):
 * CPU time per copy from the profiler's samples. */
#include <math.h>
#include <string.h>

#include "ledger.h"
#include "report.h"
#include "timeledger.h"

static double ns_per_msg(const struct ct_report *r, uint64_t samples)
{
	uint64_t m = r->ledger.messages;
	return m ? (double)samples * (double)r->tl->period_ns / (double)m : 0;
}

static double rel_err(uint64_t samples)
{
	return samples ? 1 / sqrt((double)samples) : 1;
}

void report_time_table(FILE *f, const struct ct_report *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	if (!p || !tl) {
		fprintf(f, "\n5. time ledger: profiler off (--sample-freq 0)\n");
		return;
	}
	uint64_t tot = tl_total(tl);
	fprintf(f, "\n5. time ledger (cpu-clock samples at %u Hz, one per %.3f ms of CPU; traced tasks: "
		   "%llu samples = %.1f ms; +- = 1/sqrt(samples); share = of the traced CPU time)\n",
		p->freq_hz, tl->period_ns / 1e6, U(tot), tot * tl->period_ns / 1e6);
	fprintf(f, "   %-34s %8s %7s %10s %6s %17s\n", "line", "samples", "share", "ns/msg", "+-",
		"sender/receiver");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl_row_samples(tl, k);
		fprintf(f, "   %-34s %8llu %6.1f%% %10.0f %5.0f%% %8llu/%-8llu%s\n", tl_rows[k].label,
			U(s), tot ? 100.0 * s / tot : 0, ns_per_msg(r, s), 100 * rel_err(s),
			U(tl->rows[k][0]), U(tl->rows[k][1]),
			s < TL_MIN_SAMPLES ? " few samples" : "");
	}
	uint64_t irq = tl->irq[0] + tl->irq[1];
	fprintf(f, "   softirq/irq work while a traced task was current: %llu samples (%.1f%%), "
		   "counted whatever socket it served (a perf_event program cannot see it)\n",
		U(irq), tot ? 100.0 * irq / tot : 0);
	fprintf(f, "   not kept: %llu samples in ksoftirqd (socket unknown); samples seen %llu, "
		   "stacks lost %llu, dropped (map full) %llu\n", U(p->stats[PS_KSOFTIRQD]),
		U(p->stats[PS_SEEN]), U(p->stats[PS_STACK_LOST]), U(p->stats[PS_MAP_FULL]));
	fprintf(f, "   hardware cycles: %s\n", p->cycles ? "sampled (cycles stacks in --folded are "
		"cpu-clock only)" : p->cycles_why);
	if (tl->nother) {
		fprintf(f, "   other copies by caller:");
		for (int i = 0; i < tl->nother; i++)
			fprintf(f, "%s %s %llu", i ? "," : "", tl->other[i].name, U(tl->other[i].samples));
		fputc('\n', f);
	}
	fprintf(f, "   top functions by self time:\n");
	for (int i = 0; i < tl->nself; i++)
		fprintf(f, "     %-48s %8llu %6.1f%%%s\n", tl->self[i].name, U(tl->self[i].samples),
			tot ? 100.0 * tl->self[i].samples / tot : 0,
			tl->self[i].samples < TL_MIN_SAMPLES ? " few samples" : "");
}

static void json_fns(FILE *f, const struct tl_fn *v, int n, uint64_t tot)
{
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_str(f, v[i].name);
		fprintf(f, ", \"samples\": %llu, \"share\": %.4f}", U(v[i].samples),
			tot ? (double)v[i].samples / tot : 0);
	}
}

void report_time_json(FILE *f, const struct ct_report *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	if (!p || !tl) {
		fprintf(f, ",\n  \"time_ledger\": null");
		return;
	}
	uint64_t tot = tl_total(tl);
	fprintf(f, ",\n  \"time_ledger\": {\"event\": \"cpu-clock\", \"freq_hz\": %u, \"period_ns\": %llu, "
		   "\"samples\": %llu, \"samples_by_side\": [%llu, %llu], \"irq_samples\": %llu, "
		   "\"ksoftirqd_samples_not_kept\": %llu, \"samples_seen\": %llu, \"stacks_lost\": %llu, "
		   "\"map_full\": %llu, \"min_samples\": %d, \"cycles\": ",
		p->freq_hz, U(tl->period_ns), U(tot), U(tl->total[0]), U(tl->total[1]),
		U(tl->irq[0] + tl->irq[1]), U(p->stats[PS_KSOFTIRQD]), U(p->stats[PS_SEEN]),
		U(p->stats[PS_STACK_LOST]), U(p->stats[PS_MAP_FULL]), TL_MIN_SAMPLES);
	if (p->cycles)
		fprintf(f, "true");
	else
		json_str(f, p->cycles_why); /* why not: never a 0 as if measured */
	fprintf(f, ",\n    \"rows\": [");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl_row_samples(tl, k);
		fprintf(f, "%s\n      {\"key\": \"%s\", \"label\": ", k ? "," : "", tl_rows[k].key);
		json_str(f, tl_rows[k].label);
		fprintf(f, ", \"copy\": %s, \"samples\": %llu, \"samples_by_side\": [%llu, %llu], "
			   "\"share\": %.4f, \"ns_per_msg\": %.1f, \"rel_error\": %.3f, \"few_samples\": %s}",
			tl_rows[k].copy ? "true" : "false", U(s), U(tl->rows[k][0]), U(tl->rows[k][1]),
			tot ? (double)s / tot : 0, ns_per_msg(r, s), rel_err(s),
			s < TL_MIN_SAMPLES ? "true" : "false");
	}
	fprintf(f, "],\n    \"other_copy_callers\": [");
	json_fns(f, tl->other, tl->nother, tot);
	fprintf(f, "],\n    \"top_self\": [");
	json_fns(f, tl->self, tl->nself, tot);
	fprintf(f, "]}");
}

void report_time_csv(FILE *f, const struct ct_report *r)
{
	const struct time_ledger *tl = r->tl;
	if (!r->prof || !tl)
		return;
	const struct ct_opts *o = r->o;
	uint64_t tot = tl_total(tl);
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl_row_samples(tl, k);
		/* calls column: samples; ns: their CPU ns; value: ns per message */
		fprintf(f, "time,%s,%zu,%d,%s,%s,%s,,%s,cpu-clock,%llu,,%llu,,,%.4f,,%.1f\n",
			impl_name(o->impl), o->size, o->threads, net_name(o->net), mode_name(o->mode),
			backend_name(r->t->backend), tl_rows[k].key, U(s), U(s * tl->period_ns),
			tot ? (double)s / tot : 0, ns_per_msg(r, s));
	}
}
