/* The time ledger's part of each trace_run writer (table, JSON, CSV):
 * CPU time per copy from the profiler's samples. */
#include <math.h>
#include <string.h>

#include "ledger.h"
#include "writer.h"
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

/* The slots with samples, most first (tracing a program: its processes). */
static int slots_by_samples(const struct time_ledger *tl, int *v)
{
	int n = 0;
	for (int k = 0; k < CT_NSLOTS; k++)
		if (tl->total[k])
			v[n++] = k;
	for (int i = 1; i < n; i++) /* insertion sort: at most 32 */
		for (int j = i; j > 0 && tl->total[v[j]] > tl->total[v[j - 1]]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

static void sideband_line(FILE *f, const struct prof_data *p)
{
	const struct prof_sideband *b = &p->sb;
	fprintf(f, "   mmap side-band (user symbols of processes started or gone during the trace): "
		   "%llu records, %llu of traced processes, %llu lost%s; %llu processes, %llu images, "
		   "%llu mappings kept", U(b->records), U(b->kept), U(b->lost),
		b->lost ? " (symbols may be missing: [unknown])" : "", U(b->procs), U(b->images),
		U(b->maps));
	if (b->dropped)
		fprintf(f, ", %llu dropped past the caps", U(b->dropped));
	fputc('\n', f);
}

void report_time_table(FILE *f, const struct ct_report *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	int prog = r->prog != NULL;
	if (!p || !tl) {
		fprintf(f, "\n%stime ledger: profiler off (--sample-freq 0)\n", prog ? "" : "5. ");
		return;
	}
	uint64_t tot = tl_total(tl);
	char lab[48];
	int sl[CT_NSLOTS], ns = slots_by_samples(tl, sl), few = 0;
	fprintf(f, "\n%stime ledger (cpu-clock samples at %u Hz, one per %.3f ms of CPU; traced %s: "
		   "%llu samples = %.1f ms; +- = 1/sqrt(samples); share = of the traced CPU time)\n",
		prog ? "" : "5. ", p->freq_hz, tl->period_ns / 1e6, prog ? "processes" : "tasks",
		U(tot), tot * tl->period_ns / 1e6);
	fprintf(f, "   %-34s %8s %7s %10s %6s %17s\n", "line", "samples", "share",
		prog ? "ms" : "ns/msg", "+-", prog ? "by process" : "sender/receiver");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl_row_samples(tl, k);
		fprintf(f, "   %-34s %8llu %6.1f%% %10.*f %5.0f%% ", tl_rows[k].label, U(s),
			tot ? 100.0 * s / tot : 0, prog ? 1 : 0,
			prog ? s * tl->period_ns / 1e6 : ns_per_msg(r, s), 100 * rel_err(s));
		if (!prog) {
			fprintf(f, "%8llu/%-8llu", U(tl->rows[k][0]), U(tl->rows[k][1]));
		} else {
			int any = 0;
			for (int i = 0; i < ns; i++)
				if (tl->rows[k][sl[i]])
					fprintf(f, "%s%s %llu", any++ ? ", " : "",
						slot_label(r, sl[i], lab, sizeof(lab)),
						U(tl->rows[k][sl[i]]));
			if (!any)
				fprintf(f, "-");
		}
		fprintf(f, "%s\n", s < TL_MIN_SAMPLES ? " few samples" : "");
		few += s < TL_MIN_SAMPLES;
	}
	/* the default rate is low for its cost (opts.h): say how to get more */
	if (few)
		fprintf(f, "   few samples: under %d, +- over %.0f%%; more with a longer --duration or a "
			   "higher --sample-freq (%u Hz now; each sample costs CPU)\n",
			TL_MIN_SAMPLES, 100 * rel_err(TL_MIN_SAMPLES), p->freq_hz);
	if (prog) {
		fprintf(f, "   samples by process:");
		for (int i = 0; i < ns; i++)
			fprintf(f, "%s %s %llu (%.1f%%)", i ? "," : "", slot_label(r, sl[i], lab, sizeof(lab)),
				U(tl->total[sl[i]]), 100.0 * tl->total[sl[i]] / tot);
		fprintf(f, "%s\n", ns ? "" : " none");
	}
	uint64_t irq = tl_irq(tl);
	fprintf(f, "   softirq/irq work while a traced task was current: %llu samples (%.1f%%), "
		   "counted whatever socket it served (a perf_event program cannot see it)\n",
		U(irq), tot ? 100.0 * irq / tot : 0);
	fprintf(f, "   not kept: %llu samples in ksoftirqd (socket unknown); samples seen %llu, "
		   "stacks lost %llu, dropped (map full) %llu\n", U(p->stats[PS_KSOFTIRQD]),
		U(p->stats[PS_SEEN]), U(p->stats[PS_STACK_LOST]), U(p->stats[PS_MAP_FULL]));
	sideband_line(f, p);
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

/* Tracing a program: [{"process", "pid", "samples"}] of the slots with
 * samples in v (row < 0: all samples, else that row's). */
static void json_by_process(FILE *f, const struct ct_report *r, const int *sl, int ns, int row)
{
	const struct time_ledger *tl = r->tl;
	char lab[48];
	int n = 0;
	fprintf(f, "[");
	for (int i = 0; i < ns; i++) {
		uint64_t s = row < 0 ? tl->total[sl[i]] : tl->rows[row][sl[i]];
		if (!s)
			continue;
		fprintf(f, "%s{\"process\": ", n++ ? ", " : "");
		json_str(f, slot_label(r, sl[i], lab, sizeof(lab)));
		if (sl[i] != CT_SLOT_OTHERS)
			fprintf(f, ", \"pid\": %u", r->procs[sl[i]].p.tgid);
		fprintf(f, ", \"samples\": %llu}", U(s));
	}
	fprintf(f, "]");
}

void report_time_json(FILE *f, const struct ct_report *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	if (!p || !tl) {
		fprintf(f, ",\n  \"time_ledger\": null");
		return;
	}
	int prog = r->prog != NULL;
	int sl[CT_NSLOTS], ns = slots_by_samples(tl, sl);
	uint64_t tot = tl_total(tl);
	fprintf(f, ",\n  \"time_ledger\": {\"event\": \"cpu-clock\", \"freq_hz\": %u, \"period_ns\": %llu, "
		   "\"samples\": %llu, ", p->freq_hz, U(tl->period_ns), U(tot));
	if (prog) {
		fprintf(f, "\"samples_by_process\": ");
		json_by_process(f, r, sl, ns, -1);
	} else {
		fprintf(f, "\"samples_by_side\": [%llu, %llu]", U(tl->total[0]), U(tl->total[1]));
	}
	fprintf(f, ", \"irq_samples\": %llu, "
		   "\"ksoftirqd_samples_not_kept\": %llu, \"samples_seen\": %llu, \"stacks_lost\": %llu, "
		   "\"map_full\": %llu, \"min_samples\": %d, ",
		U(tl_irq(tl)), U(p->stats[PS_KSOFTIRQD]), U(p->stats[PS_SEEN]),
		U(p->stats[PS_STACK_LOST]), U(p->stats[PS_MAP_FULL]), TL_MIN_SAMPLES);
	const struct prof_sideband *b = &p->sb;
	fprintf(f, "\"sideband\": {\"records\": %llu, \"kept\": %llu, \"lost\": %llu, \"processes\": %llu, "
		   "\"images\": %llu, \"mappings\": %llu, \"dropped\": %llu}, \"cycles\": ",
		U(b->records), U(b->kept), U(b->lost), U(b->procs), U(b->images), U(b->maps),
		U(b->dropped));
	if (p->cycles)
		fprintf(f, "true");
	else
		json_str(f, p->cycles_why); /* why not: never a 0 as if measured */
	fprintf(f, ",\n    \"rows\": [");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl_row_samples(tl, k);
		fprintf(f, "%s\n      {\"key\": \"%s\", \"label\": ", k ? "," : "", tl_rows[k].key);
		json_str(f, tl_rows[k].label);
		fprintf(f, ", \"copy\": %s, \"samples\": %llu, ", tl_rows[k].copy ? "true" : "false", U(s));
		if (prog) {
			fprintf(f, "\"samples_by_process\": ");
			json_by_process(f, r, sl, ns, k);
			fprintf(f, ", \"ms\": %.3f", s * tl->period_ns / 1e6);
		} else {
			fprintf(f, "\"samples_by_side\": [%llu, %llu], \"ns_per_msg\": %.1f",
				U(tl->rows[k][0]), U(tl->rows[k][1]), ns_per_msg(r, s));
		}
		fprintf(f, ", \"share\": %.4f, \"rel_error\": %.3f, \"few_samples\": %s}",
			tot ? (double)s / tot : 0, rel_err(s), s < TL_MIN_SAMPLES ? "true" : "false");
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
	uint64_t tot = tl_total(tl);
	int sl[CT_NSLOTS], ns = r->prog ? slots_by_samples(tl, sl) : 0;
	char lab[48];
	/* the total (side empty), then, tracing a program, each process's */
	for (int i = -1; i < ns; i++) {
		const char *side = i < 0 ? "" : slot_label(r, sl[i], lab, sizeof(lab));
		for (int k = 0; k < TL_COUNT; k++) {
			uint64_t s = i < 0 ? tl_row_samples(tl, k) : tl->rows[k][sl[i]];
			csv_prefix(f, r, "time");
			/* calls column: samples; ns: their CPU ns; value: ns per
			 * message (--impl), or the CPU ns (a program) */
			fprintf(f, "%s,%s,cpu-clock,%llu,,%llu,,,%.4f,,%.1f\n", side, tl_rows[k].key,
				U(s), U(s * tl->period_ns), tot ? (double)s / tot : 0,
				r->prog ? (double)(s * tl->period_ns) : ns_per_msg(r, s));
		}
	}
}
